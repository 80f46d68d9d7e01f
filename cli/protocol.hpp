// Control socket framing (docs/cli-protocol.md); pure, no I/O.
//
// Request: one command per line, UTF-8, terminated by "\n" (at most
// max_request bytes). Reply: frames "CCCC LEN\n" + LEN bytes of payload, where
// CCCC is a 4-digit status code:
//   1000  data: a slice of the reply body; more frames follow
//   0000  end, success (payload empty)
//   8xxx  end, error; the payload is the error text (8003: "COLUMN TEXT",
//         the column of the offending word first)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace moat::cli::protocol {

inline constexpr size_t max_request = 4096;
inline constexpr size_t max_frame = 1 << 20;   // largest payload a client accepts
inline constexpr size_t slice_size = 16384;    // what the server puts in one data frame

enum Code : uint16_t {
    ok = 0,
    data = 1000,
    error = 8001,            // the command failed (syntax or execution)
    request_too_long = 8002,  // the connection is closed after this
    syntax_error = 8003,     // payload "COLUMN TEXT": the command is wrong at that 1-based column
};

inline bool is_end(uint16_t code) { return code != data; }
inline bool is_error(uint16_t code) { return code >= 8000; }

std::string encode_frame(uint16_t code, std::string_view payload);

struct Frame {
    uint16_t code = 0;
    std::string payload;
};

// Incremental frame parser for the client side.
class FrameReader {
public:
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    // A complete frame, or nullopt when more bytes are needed. Sets error()
    // on malformed input; the stream cannot be used after that.
    std::optional<Frame> next();
    bool failed() const { return failed_; }

private:
    std::string buffer_;
    bool failed_ = false;
};

}  // namespace moat::cli::protocol
