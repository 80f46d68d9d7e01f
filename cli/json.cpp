// JSON writer (see json.hpp).
#include "cli/json.hpp"

#include <stdexcept>

namespace moat::cli {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t utf8_length(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (b(i + k) & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;  // overlong / too big
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;  // surrogates are not characters
    return n;
}

}  // namespace

std::string JsonWriter::escape(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            size_t n = utf8_length(s, i);
            if (n == 0) {
                out += "\\ufffd";
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
    return out;
}

void JsonWriter::before_value() {
    if (done_) throw std::logic_error("JSON document already complete");
    if (stack_.empty()) return;
    Level& l = stack_.back();
    if (l.object) {
        if (!l.key_pending) throw std::logic_error("JSON value without a key");
        l.key_pending = false;
    } else {
        if (!l.empty) out_ += ',';
        l.empty = false;
    }
}

JsonWriter& JsonWriter::key(std::string_view k) {
    if (stack_.empty() || !stack_.back().object || stack_.back().key_pending)
        throw std::logic_error("JSON key outside an object");
    Level& l = stack_.back();
    if (!l.empty) out_ += ',';
    l.empty = false;
    l.key_pending = true;
    out_ += escape(k);
    out_ += ':';
    return *this;
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_ += '{';
    stack_.push_back({true, true, false});
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_ += '[';
    stack_.push_back({false, true, false});
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    if (stack_.empty() || !stack_.back().object || stack_.back().key_pending)
        throw std::logic_error("unbalanced JSON object");
    stack_.pop_back();
    out_ += '}';
    if (stack_.empty()) done_ = true;
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    if (stack_.empty() || stack_.back().object) throw std::logic_error("unbalanced JSON array");
    stack_.pop_back();
    out_ += ']';
    if (stack_.empty()) done_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    out_ += escape(s);
    if (stack_.empty()) done_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t n) {
    before_value();
    out_ += std::to_string(n);
    if (stack_.empty()) done_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(int64_t n) {
    before_value();
    out_ += std::to_string(n);
    if (stack_.empty()) done_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    if (stack_.empty()) done_ = true;
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    if (stack_.empty()) done_ = true;
    return *this;
}

const std::string& JsonWriter::str() const {
    if (!stack_.empty()) throw std::logic_error("JSON document not complete");
    return out_;
}

}  // namespace moat::cli
