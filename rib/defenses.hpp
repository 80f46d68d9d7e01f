// Route-leak defenses that run in the import chain for routes from external
// (eBGP) neighbors; iBGP routes and our own are never checked here.
//
//   martians        prefixes of the special-purpose and reserved blocks
//                   (RFC 6890 and its registries, multicast, class E; the
//                   list is in defenses.cpp and docs/rib.md), and the default
//                   route unless the neighbor has `allow default-route`.
//   too-specific    IPv4 longer than /24, IPv6 longer than /48.
//   as-path-too-long  more ASNs in AS_PATH than `bgp maxas-limit` (100).
//   bogon-asn       an AS_PATH holding AS 0, AS_TRANS, documentation,
//                   private or reserved ASNs (RFC 7607, 6793, 5398, 6996, 7300).
//   peer-lock       an AS_PATH holding a protected ASN (a transit-free
//                   network that must only be heard from directly) from a
//                   neighbor that is not that AS and not allowed to carry it;
//                   `strict` neighbors (customers) may carry none.
//
// Each step writes its explanation (the block, the length, the ASN) into the
// import context's detail for the rejected-route store. The settings are
// shared with the speaker, which changes them on reload and re-runs the
// chain over Adj-RIB-In.
#pragma once

#include "rib/import_chain.hpp"

#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace moat::rib {

struct FilterSettings {
    bool martians = true;
    bool too_specific = true;
    uint8_t max_length_v4 = 24;
    uint8_t max_length_v6 = 48;
    uint32_t max_as_path = 100;  // 0: no limit
    bool bogon_asns = true;
    std::vector<uint32_t> protected_asns;  // peer-lock, sorted, unique
};

// The built-in `bgp peer-lock preset tier1` list: the transit-free networks.
const std::vector<uint32_t>& tier1_asns();

// The special-purpose blocks a martian is inside of (one IPv4 or IPv6 list).
const std::vector<wire::Prefix>& martian_blocks();
// The block p is inside of, or null; the default route is not in the list.
const wire::Prefix* martian_block(const wire::Prefix& p);
// Why an ASN may not appear in a path from the Internet ("private"...), or null.
const char* bogon_asn_kind(uint32_t asn);

using Settings = std::shared_ptr<const FilterSettings>;

class MartianStep final : public ImportStep {
public:
    explicit MartianStep(Settings s) : s_(std::move(s)) {}
    std::string_view name() const override { return "martians"; }
    bool wants_prefixes() const override { return true; }
    Reason check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) override;

private:
    Settings s_;
};

class TooSpecificStep final : public ImportStep {
public:
    explicit TooSpecificStep(Settings s) : s_(std::move(s)) {}
    std::string_view name() const override { return "too-specific"; }
    bool wants_prefixes() const override { return true; }
    Reason check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) override;

private:
    Settings s_;
};

class AsPathLengthStep final : public ImportStep {
public:
    explicit AsPathLengthStep(Settings s) : s_(std::move(s)) {}
    std::string_view name() const override { return "as-path-length"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;

private:
    Settings s_;
};

class BogonAsnStep final : public ImportStep {
public:
    explicit BogonAsnStep(Settings s) : s_(std::move(s)) {}
    std::string_view name() const override { return "bogon-asn"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;

private:
    Settings s_;
};

// Routes rejected by peer-lock on receipt, per neighbor and protected ASN
// (re-runs over Adj-RIB-In are not counted again).
using PeerLockCounters = std::map<std::pair<wire::IpAddress, uint32_t>, uint64_t>;

class PeerLockStep final : public ImportStep {
public:
    PeerLockStep(Settings s, std::shared_ptr<PeerLockCounters> counters)
        : s_(std::move(s)), counters_(std::move(counters)) {}
    std::string_view name() const override { return "peer-lock"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;

private:
    Settings s_;
    std::shared_ptr<PeerLockCounters> counters_;
};

// The five steps above, in the order they run, appended to `chain`.
void add_defenses(ImportChain& chain, const Settings& s, const std::shared_ptr<PeerLockCounters>& counters);

}  // namespace moat::rib
