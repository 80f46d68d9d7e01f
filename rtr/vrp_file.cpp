// VRP files: simdjson reads them; a strict, single-pass JSON reader
// specialised for VRP files explains the ones that fail (line, column,
// reason); the file source loads on the worker thread.
#include "rtr/vrp_file.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <sys/stat.h>

namespace moat::rtr {

std::string VrpFileError::to_string() const {
    if (line == 0) return message;
    return fmt::format("line {}, column {}: {}", line, column, message);
}

namespace {

struct Fail {
    size_t pos;
    std::string message;
};

class Reader {
public:
    explicit Reader(std::string_view text) : s_(text) {}

    VrpFile document() {
        VrpFile out;
        ws();
        size_t start = pos_;
        expect('{', "a JSON object");
        bool roas_seen = false;
        members([&](const std::string& key, size_t key_pos) {
            if (key == "roas") {
                if (roas_seen) fail(key_pos, "duplicate \"roas\" member");
                roas_seen = true;
                roas(out.vrps);
            } else if (key == "metadata") {
                metadata(out);
            } else {
                skip_value(1);
            }
        });
        if (!roas_seen) fail(start, "no \"roas\" member");
        ws();
        if (pos_ != s_.size()) fail(pos_, "trailing data after the JSON value");
        return out;
    }

    [[noreturn]] void fail(size_t pos, std::string message) const { throw Fail{pos, std::move(message)}; }

private:
    static constexpr int max_depth = 64;

    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    bool at_end() const { return pos_ >= s_.size(); }

    void ws() {
        while (pos_ < s_.size()) {
            char c = s_[pos_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos_;
        }
    }

    void expect(char c, const char* what) {
        ws();
        if (at_end()) fail(pos_, fmt::format("unexpected end of input, expected {}", what));
        if (s_[pos_] != c) fail(pos_, fmt::format("expected {}", what));
        ++pos_;
    }

    // Calls f(key, key_pos) for each member with pos_ at the value; '{' already read.
    template <typename F>
    void members(F&& f) {
        ws();
        if (peek() == '}') {
            ++pos_;
            return;
        }
        for (;;) {
            ws();
            size_t key_pos = pos_;
            if (peek() != '"') fail(pos_, at_end() ? "unexpected end of input, expected a member name"
                                                   : "expected a member name (a string)");
            std::string key = string();
            expect(':', "':'");
            ws();
            f(key, key_pos);
            ws();
            if (at_end()) fail(pos_, "unexpected end of input, expected ',' or '}'");
            if (s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (s_[pos_] == '}') {
                ++pos_;
                return;
            }
            fail(pos_, "expected ',' or '}'");
        }
    }

    template <typename F>
    void elements(F&& f) {
        ws();
        if (peek() == ']') {
            ++pos_;
            return;
        }
        for (;;) {
            ws();
            if (at_end()) fail(pos_, "unexpected end of input, expected a value");
            f();
            ws();
            if (at_end()) fail(pos_, "unexpected end of input, expected ',' or ']'");
            if (s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (s_[pos_] == ']') {
                ++pos_;
                return;
            }
            fail(pos_, "expected ',' or ']'");
        }
    }

    static void put_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    uint32_t hex4() {
        if (s_.size() - pos_ < 4) fail(pos_, "truncated \\u escape");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = s_[pos_];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
            else fail(pos_, "bad hex digit in \\u escape");
            ++pos_;
        }
        return v;
    }

    // pos_ at the opening quote.
    std::string string() {
        std::string out;
        ++pos_;
        for (;;) {
            if (at_end()) fail(pos_, "unterminated string");
            char c = s_[pos_];
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail(pos_, "control character in string");
            if (c != '\\') {
                out += c;
                ++pos_;
                continue;
            }
            size_t esc = pos_++;
            if (at_end()) fail(pos_, "unterminated string");
            char e = s_[pos_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    uint32_t cp = hex4();
                    if (cp >= 0xd800 && cp <= 0xdbff) {
                        if (s_.substr(pos_, 2) != "\\u") fail(esc, "unpaired surrogate in \\u escape");
                        pos_ += 2;
                        uint32_t lo = hex4();
                        if (lo < 0xdc00 || lo > 0xdfff) fail(esc, "unpaired surrogate in \\u escape");
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                        fail(esc, "unpaired surrogate in \\u escape");
                    }
                    put_utf8(out, cp);
                    break;
                }
                default: fail(esc, "invalid escape in string");
            }
        }
    }

    // RFC 8259 number grammar; returns its text.
    std::string_view number() {
        size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') ++pos_;
        } else {
            fail(pos_, "invalid number");
        }
        if (peek() == '.') {
            ++pos_;
            if (!(peek() >= '0' && peek() <= '9')) fail(pos_, "digit expected after '.'");
            while (peek() >= '0' && peek() <= '9') ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!(peek() >= '0' && peek() <= '9')) fail(pos_, "digit expected in exponent");
            while (peek() >= '0' && peek() <= '9') ++pos_;
        }
        return s_.substr(start, pos_ - start);
    }

    // A non-negative integer member value no larger than max.
    uint64_t unsigned_number(uint64_t max, const char* what) {
        size_t start = pos_;
        if (peek() != '-' && !(peek() >= '0' && peek() <= '9')) fail(pos_, fmt::format("{} must be a number", what));
        std::string_view t = number();
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || p != t.data() + t.size() || v > max)
            fail(start, fmt::format("{} must be an integer from 0 to {}", what, max));
        return v;
    }

    void literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) fail(pos_, "invalid literal");
        pos_ += word.size();
    }

    void skip_value(int depth) {
        if (depth > max_depth) fail(pos_, "nesting too deep");
        ws();
        if (at_end()) fail(pos_, "unexpected end of input, expected a value");
        char c = s_[pos_];
        switch (c) {
            case '{':
                ++pos_;
                members([&](const std::string&, size_t) { skip_value(depth + 1); });
                return;
            case '[':
                ++pos_;
                elements([&] { skip_value(depth + 1); });
                return;
            case '"': string(); return;
            case 't': literal("true"); return;
            case 'f': literal("false"); return;
            case 'n': literal("null"); return;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                    return;
                }
                fail(pos_, "expected a value");
        }
    }

    void metadata(VrpFile& out) {
        if (peek() != '{') {
            skip_value(1);
            return;
        }
        ++pos_;
        members([&](const std::string& key, size_t) {
            if (key == "generated" && (peek() == '-' || (peek() >= '0' && peek() <= '9'))) {
                size_t start = pos_;
                std::string_view t = number();
                int64_t v = 0;
                auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
                if (ec != std::errc() || p != t.data() + t.size())
                    fail(start, "metadata.generated must be an integer");
                out.generated = v;
            } else if (key == "buildtime" && peek() == '"') {
                out.buildtime = string();
            } else {
                skip_value(2);
            }
        });
    }

    void roas(std::vector<Vrp>& out) {
        if (peek() != '[') fail(pos_, "\"roas\" must be an array");
        ++pos_;
        elements([&] { out.push_back(roa()); });
    }

    Vrp roa() {
        size_t start = pos_;
        if (peek() != '{') fail(pos_, "a ROA must be an object");
        ++pos_;
        std::optional<wire::Prefix> prefix;
        std::optional<uint64_t> max_length;
        std::optional<uint32_t> asn;
        size_t max_pos = 0;
        members([&](const std::string& key, size_t key_pos) {
            if (key == "prefix") {
                if (prefix) fail(key_pos, "duplicate \"prefix\"");
                size_t vpos = pos_;
                if (peek() != '"') fail(pos_, "\"prefix\" must be a string");
                prefix = parse_prefix(string(), vpos);
            } else if (key == "maxLength") {
                if (max_length) fail(key_pos, "duplicate \"maxLength\"");
                max_pos = pos_;
                max_length = unsigned_number(128, "\"maxLength\"");
            } else if (key == "asn") {
                if (asn) fail(key_pos, "duplicate \"asn\"");
                asn = parse_asn();
            } else {
                skip_value(3);
            }
        });
        if (!prefix) fail(start, "ROA without \"prefix\"");
        if (!asn) fail(start, "ROA without \"asn\"");
        Vrp v{*prefix, static_cast<uint8_t>(max_length.value_or(prefix->len)), *asn};
        if (!v.well_formed())
            fail(max_pos, fmt::format("maxLength {} outside {}..{} for {}", *max_length, prefix->len,
                                      prefix->max_len(), prefix->to_string()));
        return v;
    }

    wire::Prefix parse_prefix(const std::string& text, size_t vpos) {
        auto p = wire::Prefix::parse(text);
        if (!p) fail(vpos, fmt::format("invalid prefix \"{}\"", text));
        auto addr = wire::IpAddress::parse(std::string_view(text).substr(0, text.find('/')));
        if (!addr || addr->bytes != p->addr) fail(vpos, fmt::format("prefix \"{}\" has host bits set", text));
        return *p;
    }

    uint32_t parse_asn() {
        size_t vpos = pos_;
        if (peek() == '"') {
            std::string t = string();
            std::string_view d = t;
            if (d.size() > 2 && (d[0] == 'A' || d[0] == 'a') && (d[1] == 'S' || d[1] == 's')) d.remove_prefix(2);
            uint64_t v = 0;
            auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
            if (d.empty() || ec != std::errc() || p != d.data() + d.size() || v > UINT32_MAX)
                fail(vpos, fmt::format("invalid AS number \"{}\"", t));
            return static_cast<uint32_t>(v);
        }
        return static_cast<uint32_t>(unsigned_number(UINT32_MAX, "\"asn\""));
    }

    std::string_view s_;
    size_t pos_ = 0;
};

VrpFileError located(std::string_view text, size_t pos, std::string message) {
    VrpFileError e;
    e.message = std::move(message);
    pos = std::min(pos, text.size());
    e.line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < pos; ++i)
        if (text[i] == '\n') {
            ++e.line;
            line_start = i + 1;
        }
    e.column = pos - line_start + 1;
    return e;
}

}  // namespace

namespace {

// The strict reader: slow, but says exactly where and why a file is wrong.
VrpFileResult read_strictly(std::string_view text) {
    VrpFileResult r;
    Reader reader(text);
    try {
        r.file = reader.document();
    } catch (const Fail& f) {
        r.error = located(text, f.pos, f.message);
    }
    return r;
}

// A dotted quad, as inet_pton reads it (four decimal octets, no leading
// zeros), without its copy and locale work: most VRPs are IPv4.
std::optional<wire::IpAddress> parse_address(std::string_view t) {
    if (t.find(':') != std::string_view::npos) return wire::IpAddress::parse(t);
    wire::IpAddress a;
    size_t i = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (i >= t.size() || t[i] != '.') return std::nullopt;
            ++i;
        }
        const size_t start = i;
        unsigned v = 0;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9' && i - start < 3) v = v * 10 + static_cast<unsigned>(t[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && t[start] == '0')) return std::nullopt;
        a.bytes[static_cast<size_t>(octet)] = static_cast<uint8_t>(v);
    }
    if (i != t.size()) return std::nullopt;
    return a;
}

// One ROA of the simdjson document; false if anything is wrong with it (the
// strict reader then tells what).
bool simd_roa(simdjson::dom::element e, std::vector<Vrp>& out) {
    simdjson::dom::object o;
    if (e.get_object().get(o)) return false;
    std::string_view prefix_text;
    bool have_prefix = false, have_max = false, have_asn = false;
    uint64_t max_length = 0, asn = 0;
    for (auto field : o) {
        if (field.key == "prefix") {
            if (have_prefix || field.value.get_string().get(prefix_text)) return false;
            have_prefix = true;
        } else if (field.key == "maxLength") {
            if (have_max || field.value.get_uint64().get(max_length) || max_length > 128) return false;
            have_max = true;
        } else if (field.key == "asn") {
            if (have_asn) return false;
            have_asn = true;
            std::string_view t;
            if (!field.value.get_string().get(t)) {
                if (t.size() > 2 && (t[0] == 'A' || t[0] == 'a') && (t[1] == 'S' || t[1] == 's')) t.remove_prefix(2);
                auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), asn);
                if (t.empty() || ec != std::errc() || p != t.data() + t.size()) return false;
            } else if (field.value.get_uint64().get(asn)) {
                return false;
            }
            if (asn > UINT32_MAX) return false;
        }
    }
    if (!have_prefix || !have_asn) return false;
    const size_t slash = prefix_text.find('/');
    if (slash == std::string_view::npos) return false;
    auto addr = parse_address(prefix_text.substr(0, slash));
    if (!addr) return false;
    unsigned len = 0;
    const auto lp = prefix_text.substr(slash + 1);
    auto [p, ec] = std::from_chars(lp.data(), lp.data() + lp.size(), len);
    if (lp.empty() || ec != std::errc() || p != lp.data() + lp.size() || len > (addr->v6 ? 128u : 32u)) return false;
    const wire::Prefix prefix = wire::Prefix::make(*addr, static_cast<uint8_t>(len));
    if (prefix.addr != addr->bytes) return false;  // host bits set
    Vrp v{prefix, static_cast<uint8_t>(have_max ? max_length : len), static_cast<uint32_t>(asn)};
    if (!v.well_formed()) return false;
    out.push_back(v);
    return true;
}

// The fast path: nullopt when simdjson refuses the text or a ROA is wrong.
std::optional<VrpFile> read_fast(const char* data, size_t size, bool padded) {
    simdjson::dom::parser parser;
    // Not deeper than the strict reader allows: what it refuses, this refuses.
    if (parser.allocate(size, 64)) return std::nullopt;
    simdjson::dom::element doc;
    if (parser.parse(data, size, !padded).get(doc)) return std::nullopt;
    simdjson::dom::object root;
    if (doc.get_object().get(root)) return std::nullopt;
    VrpFile out;
    bool roas_seen = false;
    for (auto field : root) {
        if (field.key == "roas") {
            simdjson::dom::array roas;
            if (roas_seen || field.value.get_array().get(roas)) return std::nullopt;
            roas_seen = true;
            out.vrps.reserve(roas.size());
            for (simdjson::dom::element e : roas)
                if (!simd_roa(e, out.vrps)) return std::nullopt;
        } else if (field.key == "metadata") {
            simdjson::dom::object meta;
            if (field.value.get_object().get(meta)) continue;
            for (auto m : meta) {
                if (m.key == "generated" && m.value.is_number()) {
                    int64_t g = 0;
                    if (m.value.get_int64().get(g)) return std::nullopt;
                    out.generated = g;
                } else if (m.key == "buildtime" && m.value.is_string()) {
                    out.buildtime = std::string(m.value.get_string().value_unsafe());
                }
            }
        }
    }
    if (!roas_seen) return std::nullopt;
    return out;
}

VrpFileResult parse(const char* data, size_t size, bool padded) {
    if (auto f = read_fast(data, size, padded)) {
        VrpFileResult r;
        r.file = std::move(f);
        return r;
    }
    return read_strictly(std::string_view(data, size));
}

}  // namespace

VrpFileResult parse_vrp_json(std::string_view text) { return parse(text.data(), text.size(), false); }

VrpFileResult load_vrp_file(const std::string& path) {
    simdjson::padded_string text;
    errno = 0;
    if (auto err = simdjson::padded_string::load(path).get(text)) {
        VrpFileResult r;
        r.error.message = fmt::format("{}: {}", path, errno ? std::strerror(errno) : simdjson::error_message(err));
        return r;
    }
    VrpFileResult r = parse(text.data(), text.size(), true);
    if (!r.ok()) r.error.message = fmt::format("{}: {}", path, r.error.message);
    return r;
}

VrpFileSource::VrpFileSource(std::string path, std::chrono::milliseconds check_interval)
    : path_(std::move(path)), interval_(check_interval) {}

std::optional<VrpFileSource::Stamp> VrpFileSource::stat_file(std::string& error) const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
        error = fmt::format("{}: {}", path_, std::strerror(errno));
        return std::nullopt;
    }
    Stamp s;
    s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    s.size = static_cast<int64_t>(st.st_size);
    s.inode = static_cast<uint64_t>(st.st_ino);
    return s;
}

// Takes a finished load: its set goes to the RoaSet as the file's complete set.
bool VrpFileSource::take(Update& out) {
    if (!load_) return false;
    {
        std::lock_guard lock(load_->mutex);
        if (!load_->done) return false;
    }
    VrpFileResult r = std::move(load_->result);
    load_.reset();
    if (!r.ok()) {
        error_ = r.error.to_string();  // the last good set stays in force
        return true;
    }
    out.replace.emplace_back(0, std::move(r.file->vrps));
    error_.clear();
    loaded_ = true;
    ++loads_;
    last_update_ = std::chrono::system_clock::now();
    return true;
}

VrpSource::Poll VrpFileSource::poll(Clock::time_point now, Update& out) {
    Poll p;
    take(out);
    if (!load_ && (force_ || now >= next_check_)) {
        next_check_ = now + interval_;
        std::string err;
        auto stamp = stat_file(err);
        if (!stamp) {
            error_ = err;  // keep the last good set
        } else if (force_ || !stamp_ || !(*stamp_ == *stamp)) {
            stamp_ = stamp;
            load_ = std::make_shared<Load>();
            auto job = [load = load_, path = path_, notify = notify_] {
                VrpFileResult r = load_vrp_file(path);
                {
                    std::lock_guard lock(load->mutex);
                    load->result = std::move(r);
                    load->done = true;
                }
                if (notify) notify();
            };
            if (worker_)
                worker_->post(std::move(job));
            else
                job();
            take(out);
        }
        force_ = false;
    }
    // While a load runs the notifier wakes the owner; otherwise the next check.
    p.next = load_ ? Clock::time_point::max() : next_check_;
    return p;
}

std::vector<SourceStatus> VrpFileSource::status() const {
    SourceStatus s;
    s.type = "file";
    s.where = path_;
    if (!loaded_)
        s.state = error_.empty() ? "loading" : "error";
    else
        s.state = error_.empty() ? "loaded" : "stale";
    s.active = loaded_;
    s.serial = loads_;
    s.last_update = last_update_;
    s.last_error = error_;
    return {s};
}

}  // namespace moat::rtr
