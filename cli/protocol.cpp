// Control socket framing (see protocol.hpp).
#include "cli/protocol.hpp"

#include <fmt/format.h>

namespace moat::cli::protocol {

std::string encode_frame(uint16_t code, std::string_view payload) {
    std::string out = fmt::format("{:04} {}\n", code, payload.size());
    out.append(payload);
    return out;
}

std::optional<Frame> FrameReader::next() {
    if (failed_) return std::nullopt;
    size_t nl = buffer_.find('\n');
    if (nl == std::string::npos) {
        if (buffer_.size() > 32) failed_ = true;  // no header is this long
        return std::nullopt;
    }
    // "CCCC LEN"
    if (nl < 6 || buffer_[4] != ' ') {
        failed_ = true;
        return std::nullopt;
    }
    uint32_t code = 0;
    for (size_t i = 0; i < 4; ++i) {
        char c = buffer_[i];
        if (c < '0' || c > '9') {
            failed_ = true;
            return std::nullopt;
        }
        code = code * 10 + static_cast<uint32_t>(c - '0');
    }
    size_t len = 0;
    for (size_t i = 5; i < nl; ++i) {
        char c = buffer_[i];
        if (c < '0' || c > '9' || len > max_frame) {
            failed_ = true;
            return std::nullopt;
        }
        len = len * 10 + static_cast<size_t>(c - '0');
    }
    if (len > max_frame) {
        failed_ = true;
        return std::nullopt;
    }
    if (buffer_.size() < nl + 1 + len) return std::nullopt;
    Frame f;
    f.code = static_cast<uint16_t>(code);
    f.payload = buffer_.substr(nl + 1, len);
    buffer_.erase(0, nl + 1 + len);
    return f;
}

}  // namespace moat::cli::protocol
