// A small streaming JSON writer for the show commands' `json` output. It
// writes one document into a string, escapes strings per RFC 8259 (control
// characters as \u00XX, invalid UTF-8 replaced by U+FFFD), and puts the commas
// itself. Misuse (a value where a key is due) is a programming error and
// throws std::logic_error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace moat::cli {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(uint64_t n);
    JsonWriter& value(int64_t n);
    JsonWriter& value(uint32_t n) { return value(static_cast<uint64_t>(n)); }
    JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
    JsonWriter& value(bool b);
    JsonWriter& null();

    // key(k).value(v) in one call.
    template <typename T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    // The document; throws std::logic_error when containers are still open.
    const std::string& str() const;

    static std::string escape(std::string_view s);  // with the surrounding quotes

private:
    void before_value();
    struct Level {
        bool object = false;
        bool empty = true;
        bool key_pending = false;
    };
    std::vector<Level> stack_;
    std::string out_;
    bool done_ = false;
};

}  // namespace moat::cli
