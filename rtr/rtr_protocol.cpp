// RTR router side: PDU layout (RFC 8210 5) and the session's answers to them.
#include "rtr/rtr_protocol.hpp"

#include <fmt/format.h>

namespace moat::rtr {

namespace {

uint16_t get16(std::span<const uint8_t> b, size_t at) {
    return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}
uint32_t get32(std::span<const uint8_t> b, size_t at) {
    return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | uint32_t{b[at + 3]};
}
void put16(std::vector<uint8_t>& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}
void header(std::vector<uint8_t>& b, uint8_t version, RtrPduType type, uint16_t field, uint32_t length) {
    b.push_back(version);
    b.push_back(static_cast<uint8_t>(type));
    put16(b, field);
    put32(b, length);
}

std::string_view type_name(uint8_t type) {
    switch (static_cast<RtrPduType>(type)) {
        case RtrPduType::serial_notify: return "Serial Notify";
        case RtrPduType::serial_query: return "Serial Query";
        case RtrPduType::reset_query: return "Reset Query";
        case RtrPduType::cache_response: return "Cache Response";
        case RtrPduType::ipv4_prefix: return "IPv4 Prefix";
        case RtrPduType::ipv6_prefix: return "IPv6 Prefix";
        case RtrPduType::end_of_data: return "End of Data";
        case RtrPduType::cache_reset: return "Cache Reset";
        case RtrPduType::router_key: return "Router Key";
        case RtrPduType::error_report: return "Error Report";
    }
    return "unknown PDU";
}

}  // namespace

std::string_view to_string(RtrErrorCode code) {
    switch (code) {
        case RtrErrorCode::corrupt_data: return "Corrupt Data";
        case RtrErrorCode::internal_error: return "Internal Error";
        case RtrErrorCode::no_data_available: return "No Data Available";
        case RtrErrorCode::invalid_request: return "Invalid Request";
        case RtrErrorCode::unsupported_version: return "Unsupported Protocol Version";
        case RtrErrorCode::unsupported_pdu_type: return "Unsupported PDU Type";
        case RtrErrorCode::withdrawal_of_unknown_record: return "Withdrawal of Unknown Record";
        case RtrErrorCode::duplicate_announcement: return "Duplicate Announcement Received";
        case RtrErrorCode::unexpected_version: return "Unexpected Protocol Version";
    }
    return "unknown error code";
}

bool RtrIntervals::valid() const {
    return refresh >= refresh_min && refresh <= refresh_max && retry >= retry_min && retry <= retry_max &&
           expire >= expire_min && expire <= expire_max;
}

std::vector<uint8_t> rtr_reset_query(uint8_t version) {
    std::vector<uint8_t> b;
    header(b, version, RtrPduType::reset_query, 0, 8);
    return b;
}

std::vector<uint8_t> rtr_serial_query(uint8_t version, uint16_t session_id, uint32_t serial) {
    std::vector<uint8_t> b;
    header(b, version, RtrPduType::serial_query, session_id, 12);
    put32(b, serial);
    return b;
}

std::vector<uint8_t> rtr_error_report(uint8_t version, RtrErrorCode code, std::span<const uint8_t> pdu,
                                      std::string_view text) {
    // The offending PDU is copied back whole unless it is an Error Report itself (RFC 8210 5.10).
    if (pdu.size() > 1 && pdu[1] == static_cast<uint8_t>(RtrPduType::error_report)) pdu = {};
    if (pdu.size() > 1024) pdu = pdu.first(1024);
    std::vector<uint8_t> b;
    header(b, version, RtrPduType::error_report, static_cast<uint16_t>(code),
           static_cast<uint32_t>(16 + pdu.size() + text.size()));
    put32(b, static_cast<uint32_t>(pdu.size()));
    b.insert(b.end(), pdu.begin(), pdu.end());
    put32(b, static_cast<uint32_t>(text.size()));
    b.insert(b.end(), text.begin(), text.end());
    return b;
}

void RtrSession::connected(Output& out) {
    buffer_.clear();
    answered_ = false;
    notified_ = false;
    query(out);
}

void RtrSession::query(Output& out) {
    full_.clear();
    changes_.clear();
    reset_ = !session_ || !serial_;
    auto q = reset_ ? rtr_reset_query(version_) : rtr_serial_query(version_, *session_, *serial_);
    out.send.insert(out.send.end(), q.begin(), q.end());
    state_ = State::awaiting;
}

void RtrSession::refresh(Output& out) {
    if (state_ == State::idle) query(out);
}

void RtrSession::disconnected() {
    state_ = State::closed;
    buffer_.clear();
    full_ = {};
    changes_ = {};
}

void RtrSession::forget() {
    session_.reset();
    serial_.reset();
}

void RtrSession::fail(Output& out, RtrErrorCode code, std::span<const uint8_t> pdu, std::string text) {
    auto report = rtr_error_report(version_, code, pdu, text);
    out.send.insert(out.send.end(), report.begin(), report.end());
    out.close = true;
    out.error = fmt::format("{} ({})", text, to_string(code));
    disconnected();
}

void RtrSession::receive(std::span<const uint8_t> bytes, Output& out) {
    if (state_ == State::closed) return;
    // Complete PDUs straight from `bytes`; only a PDU cut by the read is copied.
    auto consume = [&](std::span<const uint8_t> data) -> size_t {
        size_t at = 0;
        while (!out.close && data.size() - at >= rtr_header_len) {
            uint32_t len = get32(data, at + 4);
            if (len < rtr_header_len || len > rtr_max_pdu_len) {
                fail(out, RtrErrorCode::corrupt_data, data.subspan(at, rtr_header_len),
                     fmt::format("{} PDU with a length of {} bytes", type_name(data[at + 1]), len));
                return data.size();
            }
            if (data.size() - at < len) break;
            handle(data.subspan(at, len), out);
            at += len;
        }
        return at;
    };
    if (buffer_.empty()) {
        size_t used = consume(bytes);
        if (state_ != State::closed && used < bytes.size())
            buffer_.assign(bytes.begin() + static_cast<ptrdiff_t>(used), bytes.end());
        return;
    }
    std::vector<uint8_t> data = std::move(buffer_);  // handling a PDU may close the session
    buffer_.clear();
    data.insert(data.end(), bytes.begin(), bytes.end());
    size_t used = consume(data);
    if (state_ != State::closed) buffer_.assign(data.begin() + static_cast<ptrdiff_t>(used), data.end());
}

void RtrSession::handle(std::span<const uint8_t> pdu, Output& out) {
    const uint8_t version = pdu[0];
    const uint8_t type = pdu[1];
    const uint16_t field = get16(pdu, 2);
    if (version != version_) {
        // RFC 8210 7: a cache that does not speak our version says so with an
        // Error Report in its own; an older one may simply answer in it.
        // Either way, before the first answer a lower version is a downgrade.
        if (!answered_ && version < version_) {
            version_ = version;
            forget();
            disconnected();
            out.close = true;
            out.reconnect_now = true;
            out.error = fmt::format("the cache speaks RTR version {}: connecting again with it", version);
            return;
        }
        fail(out, RtrErrorCode::unexpected_version, pdu,
             fmt::format("{} PDU of version {} in a version {} session", type_name(type), version, version_));
        return;
    }
    auto expect_len = [&](size_t want) {
        if (pdu.size() == want) return true;
        fail(out, RtrErrorCode::corrupt_data, pdu,
             fmt::format("{} PDU of {} bytes (expected {})", type_name(type), pdu.size(), want));
        return false;
    };
    switch (static_cast<RtrPduType>(type)) {
        case RtrPduType::serial_notify: {
            if (!expect_len(12)) return;
            if (state_ == State::idle) {
                if (session_ == field && serial_ != get32(pdu, 8)) query(out);
            } else {
                notified_ = true;
            }
            return;
        }
        case RtrPduType::cache_response: {
            if (!expect_len(8)) return;
            if (state_ != State::awaiting) {
                fail(out, RtrErrorCode::corrupt_data, pdu, "Cache Response with no query outstanding");
                return;
            }
            if (!reset_ && session_ != field) {
                // The cache restarted with a new session: its serials mean
                // nothing to us. Start over with a Reset Query.
                std::string text = fmt::format("the cache's session ID changed ({} -> {}): starting over", *session_, field);
                forget();
                disconnected();
                out.close = true;
                out.reconnect_now = true;
                out.error = std::move(text);
                return;
            }
            answered_ = true;
            session_ = field;
            state_ = State::receiving;
            return;
        }
        case RtrPduType::ipv4_prefix:
            if (expect_len(20)) prefix(pdu, out);
            return;
        case RtrPduType::ipv6_prefix:
            if (expect_len(32)) prefix(pdu, out);
            return;
        case RtrPduType::end_of_data:
            if (expect_len(version_ == 0 ? 12 : 24)) end_of_data(pdu, out);
            return;
        case RtrPduType::cache_reset: {
            if (!expect_len(8)) return;
            if (state_ != State::awaiting) {
                fail(out, RtrErrorCode::corrupt_data, pdu, "Cache Reset with no query outstanding");
                return;
            }
            // The cache cannot serve our serial: ask for everything.
            answered_ = true;
            forget();
            query(out);
            return;
        }
        case RtrPduType::router_key:
            if (version_ >= 1) return;  // BGPsec router keys: not used by Moat
            break;
        case RtrPduType::error_report:
            error_report(pdu, out);
            return;
        case RtrPduType::serial_query:
        case RtrPduType::reset_query:
            break;
    }
    fail(out, RtrErrorCode::unsupported_pdu_type, pdu,
         fmt::format("unexpected {} (type {}) from the cache", type_name(type), type));
}

void RtrSession::prefix(std::span<const uint8_t> pdu, Output& out) {
    if (state_ != State::receiving) {
        fail(out, RtrErrorCode::corrupt_data, pdu, "prefix record outside a Cache Response");
        return;
    }
    const bool v6 = pdu[1] == static_cast<uint8_t>(RtrPduType::ipv6_prefix);
    const bool announce = pdu[8] & 1;
    const uint8_t len = pdu[9], max_len = pdu[10];
    const unsigned width = v6 ? 128 : 32;
    if (len > max_len || max_len > width) {
        fail(out, RtrErrorCode::corrupt_data, pdu,
             fmt::format("{} record with prefix length {} and max length {}", v6 ? "IPv6" : "IPv4", len, max_len));
        return;
    }
    Vrp v;
    v.prefix.v6 = v6;
    v.prefix.len = len;
    const size_t bytes = v6 ? 16 : 4;
    for (size_t i = 0; i < bytes; ++i) {
        const unsigned bit = static_cast<unsigned>(i) * 8;
        uint8_t b = pdu[12 + i];
        if (bit >= len)
            b = 0;
        else if (len - bit < 8)
            b = static_cast<uint8_t>(b & (0xff << (8 - (len - bit))));
        v.prefix.addr[i] = b;
    }
    v.max_length = max_len;
    v.asn = get32(pdu, 12 + bytes);
    if (reset_) {
        if (announce) full_.push_back(v);  // a withdrawal in a full answer withdraws nothing
    } else {
        changes_.push_back(VrpChange{v, 0, announce});
    }
}

void RtrSession::end_of_data(std::span<const uint8_t> pdu, Output& out) {
    if (state_ != State::receiving) {
        fail(out, RtrErrorCode::corrupt_data, pdu, "End of Data outside a Cache Response");
        return;
    }
    if (get16(pdu, 2) != session_) {
        fail(out, RtrErrorCode::corrupt_data, pdu,
             fmt::format("End of Data for session {} in session {}", get16(pdu, 2), *session_));
        return;
    }
    const uint32_t serial = get32(pdu, 8);
    serial_ = serial;
    if (version_ >= 1) {
        RtrIntervals i{get32(pdu, 12), get32(pdu, 16), get32(pdu, 20)};
        if (i.valid()) intervals_ = i;
    }
    // A complete set supersedes whatever this read produced before it.
    if (reset_) {
        out.full = std::move(full_);
        out.changes.clear();
    } else if (out.changes.empty()) {
        out.changes = std::move(changes_);
    } else {
        out.changes.insert(out.changes.end(), changes_.begin(), changes_.end());
    }
    full_ = {};
    changes_ = {};
    out.synced = true;
    state_ = State::idle;
    if (notified_) {
        notified_ = false;
        query(out);  // changes may have come since the answer began
    }
}

void RtrSession::error_report(std::span<const uint8_t> pdu, Output& out) {
    const auto code = static_cast<RtrErrorCode>(get16(pdu, 2));
    std::string text;
    if (pdu.size() >= 12) {
        const uint32_t inner = get32(pdu, 8);
        if (inner <= pdu.size() - 12 && pdu.size() - 12 - inner >= 4) {
            const uint32_t tlen = get32(pdu, 12 + inner);
            if (tlen <= pdu.size() - 16 - inner)
                text.assign(reinterpret_cast<const char*>(pdu.data() + 16 + inner), tlen);
        }
    }
    const bool refused_serial = state_ == State::awaiting && !reset_;
    disconnected();
    out.close = true;  // never answer an Error Report with one
    out.error = fmt::format("the cache sent an Error Report: {}{}{}", to_string(code), text.empty() ? "" : ": ", text);
    if (code == RtrErrorCode::no_data_available) {
        out.no_data = true;
    } else if (refused_serial) {
        // A cache that restarted refuses our old session's serial (StayRTR:
        // "Session ID mismatch"): start over with a Reset Query at once.
        forget();
        out.reconnect_now = true;
    }
}

}  // namespace moat::rtr
