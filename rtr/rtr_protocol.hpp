// The RPKI-to-Router protocol, router side (RFC 6810 version 0, RFC 8210
// version 1), without I/O: bytes from the cache go in, bytes for the cache
// and finished syncs come out.
//
// One RtrSession lives as long as its cache's configuration: the session ID,
// serial and negotiated version survive reconnects, so a new connection asks
// for the changes since the last serial (Serial Query) and only falls back to
// a Reset Query when there is no session, the cache reset it or it expired.
//
// A sync's records are collected whole and handed on at its End of Data:
// the answer to a Reset Query as the cache's complete set (it replaces what
// the cache held), the answer to a Serial Query as a list of changes. A
// protocol error ends the connection with an Error Report (RFC 8210 5.10),
// and the text says what was wrong.
#pragma once

#include "rtr/vrp.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace moat::rtr {

// RFC 8210 5.
enum class RtrPduType : uint8_t {
    serial_notify = 0,
    serial_query = 1,
    reset_query = 2,
    cache_response = 3,
    ipv4_prefix = 4,
    ipv6_prefix = 6,
    end_of_data = 7,
    cache_reset = 8,
    router_key = 9,
    error_report = 10,
};

// RFC 8210 12 (error codes).
enum class RtrErrorCode : uint16_t {
    corrupt_data = 0,
    internal_error = 1,
    no_data_available = 2,
    invalid_request = 3,
    unsupported_version = 4,
    unsupported_pdu_type = 5,
    withdrawal_of_unknown_record = 6,
    duplicate_announcement = 7,
    unexpected_version = 8,
};
std::string_view to_string(RtrErrorCode code);

// RFC 8210 6: the ranges, and the defaults when nothing else says.
struct RtrIntervals {
    uint32_t refresh = 3600, retry = 600, expire = 7200;
    static constexpr uint32_t refresh_min = 1, refresh_max = 86400;
    static constexpr uint32_t retry_min = 1, retry_max = 7200;
    static constexpr uint32_t expire_min = 600, expire_max = 172800;
    bool valid() const;
};

constexpr size_t rtr_header_len = 8;
constexpr size_t rtr_max_pdu_len = 65536;  // no PDU we accept comes near it; Router Keys are skipped

// PDUs the router sends.
std::vector<uint8_t> rtr_reset_query(uint8_t version);
std::vector<uint8_t> rtr_serial_query(uint8_t version, uint16_t session_id, uint32_t serial);
std::vector<uint8_t> rtr_error_report(uint8_t version, RtrErrorCode code, std::span<const uint8_t> pdu,
                                      std::string_view text);

class RtrSession {
public:
    static constexpr uint8_t max_version = 1;

    struct Output {
        std::vector<uint8_t> send;             // to the cache, in order
        std::optional<std::vector<Vrp>> full;  // a finished Reset Query answer: the cache's whole set
        std::vector<VrpChange> changes;        // a finished Serial Query answer (VrpChange::source is 0)
        bool synced = false;                   // an End of Data ended a sync
        // The connection must end (after `send` is written): why, and
        // whether to connect again at once (version downgrade, a session the
        // cache no longer knows) instead of after the retry interval.
        bool close = false;
        bool reconnect_now = false;
        std::string error;
        // An Error Report "No Data Available" (the cache is still loading):
        // not a fault of either side, retry later.
        bool no_data = false;
    };

    explicit RtrSession(uint8_t version = max_version) : version_(version) {}

    // A new connection: sends the first query.
    void connected(Output& out);
    // Bytes read from the cache; complete PDUs are handled in order.
    void receive(std::span<const uint8_t> bytes, Output& out);
    // The refresh interval has passed: a Serial Query, unless one is out.
    void refresh(Output& out);
    // The connection is gone: what was received of an unfinished sync is dropped.
    void disconnected();
    // The data expired or was purged: the next connection starts afresh.
    void forget();

    // A query is out and its answer has not ended yet.
    bool busy() const { return state_ == State::awaiting || state_ == State::receiving; }
    uint8_t version() const { return version_; }
    std::optional<uint16_t> session_id() const { return session_; }
    std::optional<uint32_t> serial() const { return serial_; }
    // From the last End of Data of version 1, if its values were in range.
    std::optional<RtrIntervals> cache_intervals() const { return intervals_; }
    size_t pending_records() const { return full_.size() + changes_.size(); }

private:
    enum class State : uint8_t { closed, awaiting, receiving, idle };
    void query(Output& out);
    void handle(std::span<const uint8_t> pdu, Output& out);
    void fail(Output& out, RtrErrorCode code, std::span<const uint8_t> pdu, std::string text);
    void prefix(std::span<const uint8_t> pdu, Output& out);
    void end_of_data(std::span<const uint8_t> pdu, Output& out);
    void error_report(std::span<const uint8_t> pdu, Output& out);

    State state_ = State::closed;
    uint8_t version_;
    bool answered_ = false;  // the cache answered this connection's first query in our version
    bool reset_ = false;     // the answer under way is to a Reset Query
    bool notified_ = false;  // a Serial Notify came while a query was out
    std::optional<uint16_t> session_;
    std::optional<uint32_t> serial_;
    std::optional<RtrIntervals> intervals_;
    std::vector<uint8_t> buffer_;  // an incomplete PDU
    std::vector<Vrp> full_;
    std::vector<VrpChange> changes_;
};

}  // namespace moat::rtr
