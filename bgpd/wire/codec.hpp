// The BGP-4 codec: pure functions from bytes to message values and back.
//
// No I/O, no logging, no globals, no exceptions on the decode path. Decoding
// returns either a value or a DecodeError that carries the action RFC 7606 /
// RFC 4271 6 requires; to_notification() is the one place an error becomes a
// NOTIFICATION. Non-fatal outcomes (attribute discard, treat-as-withdraw) are
// reported inside the decoded Update instead of as errors.
#pragma once

#include "bgpd/wire/message.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace moat::wire {

using Bytes = std::span<const uint8_t>;
using Buffer = std::vector<uint8_t>;

// What the decoder must do about an error (RFC 7606 2, 3).
enum class ErrorAction : uint8_t {
    session_reset,       // send the NOTIFICATION and close the session
    treat_as_withdraw,   // only used inside Update (see Update::treat_as_withdraw_attr)
    attribute_discard,   // only used inside Update (see Update::discarded)
};

struct DecodeError {
    ErrorAction action = ErrorAction::session_reset;
    uint8_t code = 0;     // NOTIFICATION code
    uint8_t subcode = 0;  // NOTIFICATION subcode
    std::vector<uint8_t> data;  // NOTIFICATION data (e.g. the offending attribute)
    uint8_t attr_type = 0;      // 0 when not about an attribute
    const char* reason = "";    // static text for logs: "AS_PATH segment overruns attribute"
};

Notification to_notification(const DecodeError& e);

template <typename T>
using Result = std::variant<T, DecodeError>;

template <typename T>
bool ok(const Result<T>& r) { return r.index() == 0; }

// What the decoder and encoder need to know about the session (negotiated
// capabilities). The default is a session before OPEN: 2-octet AS, no ADD-PATH.
struct SessionContext {
    bool four_octet_as = false;
    bool extended_message = false;  // both sides announced RFC 8654
    bool add_path_rx_v4 = false;    // we receive path identifiers for IPv4 unicast
    bool add_path_rx_v6 = false;
    bool add_path_tx_v4 = false;    // we send path identifiers
    bool add_path_tx_v6 = false;
    bool ibgp = false;              // LOCAL_PREF is expected; RFC 7606 7.5
    bool extended_next_hop_v4 = false;  // RFC 8950 negotiated: IPv4 NLRI may carry an IPv6 next hop
    // Decoding Moat's own encoding (a stored attribute set), not a neighbor's:
    // the rules for what may be received (RFC 7607, 9774, 5065 5) are skipped.
    bool trusted = false;

    size_t max_size() const { return extended_message ? max_extended_message_size : max_message_size; }
};

// Framing (RFC 4271 4.1): looks at the front of a byte stream.
struct Frame {
    enum Status : uint8_t { need_more, complete, error } status = need_more;
    size_t length = 0;  // total message length including the header, when complete
    MessageType type = MessageType::keepalive;
};
// On Frame::error, `err` (if given) receives the Message Header Error to send.
Frame frame(Bytes stream, const SessionContext& ctx, DecodeError* err = nullptr);

// Decodes one whole message (header included), as delimited by frame().
Result<Message> decode(Bytes message, const SessionContext& ctx);

// Body decoders (the bytes after the 19-octet header); decode() calls these.
Result<Open> decode_open(Bytes body);
Result<Update> decode_update(Bytes body, const SessionContext& ctx);
Result<Notification> decode_notification(Bytes body);
Result<RouteRefresh> decode_route_refresh(Bytes body);

namespace detail {

// Buffers of an earlier UPDATE kept for the next one (see UpdateDecoder):
// the parts of an Update that sit inside a std::optional lose their memory
// when the optional is emptied, so it waits here. Only capacity matters;
// the contents are stale and always overwritten.
struct UpdateSpares {
    std::vector<Nlri> mp_reach_nlri;
    std::vector<Nlri> mp_unreach_withdrawn;
    std::vector<AsSegment> as_path_segments;
};

}  // namespace detail

// Decodes a stream of UPDATE bodies into one Update that it keeps, reusing
// the memory of the previous UPDATE, so that a session's steady stream of
// UPDATEs decodes without allocating. After a successful decode(), update()
// holds exactly what decode_update() would have returned for the same body;
// after an error its contents are unspecified until the next decode(). The
// caller may change update() (the RIB borrows the attributes) or move parts
// out of it: anything left is cleared by the next decode().
class UpdateDecoder {
public:
    std::optional<DecodeError> decode(Bytes body, const SessionContext& ctx);
    Update& update() { return u_; }
    const Update& update() const { return u_; }

private:
    void recycle();

    Update u_;
    detail::UpdateSpares spares_;
};

// Encoders append one whole message (header included) to out.
void encode(const Open& m, Buffer& out);
void encode(const Update& m, const SessionContext& ctx, Buffer& out);
void encode(const Notification& m, Buffer& out);
void encode(const Keepalive& m, Buffer& out);
void encode(const RouteRefresh& m, Buffer& out);
void encode(const Message& m, const SessionContext& ctx, Buffer& out);

// Encodes a path attribute set once, for UPDATE packing: the bytes of every
// attribute except MP_REACH/MP_UNREACH, in type-code order. With a 2-octet
// peer, AS4_PATH / AS4_AGGREGATOR are generated as RFC 6793 4.2.2 says.
// False, and nothing appended, when an attribute's value does not fit its
// 16-bit length (the set cannot be sent).
[[nodiscard]] bool encode_attributes(const PathAttributes& a, const SessionContext& ctx, Buffer& out);

// Decodes what encode_attributes() wrote, of any length (an attribute store
// keeps sets this way). False when the bytes are not such an encoding.
bool decode_attribute_list(Bytes attrs, const SessionContext& ctx, PathAttributes& out);

// The longest AS_PATH value Moat accepts, in its 4-octet form: room is left
// under the 16-bit attribute length for what export adds (prepends).
inline constexpr size_t max_as_path_bytes = 65535 - 4096;

// Appends one prefix in NLRI encoding (with a path id when add_path).
void encode_nlri(const Nlri& n, bool add_path, Buffer& out);

}  // namespace moat::wire
