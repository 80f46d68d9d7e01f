// The import chain mechanism and the steps every RIB runs. See import_chain.hpp.
#include "rib/import_chain.hpp"

#include "rib/otc.hpp"

#include <algorithm>
#include <string>

namespace moat::rib {

ImportChain ImportChain::standard() {
    ImportChain c;
    c.append(std::make_unique<IgnoreEbgpLocalPref>());
    c.append(std::make_unique<FirstAsStep>());
    c.append(std::make_unique<AsLoopStep>());
    c.append(std::make_unique<ClusterLoopStep>());
    c.append(std::make_unique<OtcStep>());
    c.append(std::make_unique<GracefulShutdownStep>());
    return c;
}

void ImportChain::append(std::unique_ptr<ImportStep> step) {
    if (step->wants_prefixes()) ++prefix_steps_;
    steps_.push_back(std::move(step));
}

void ImportChain::refresh() {
    prefix_steps_ = static_cast<size_t>(
        std::count_if(steps_.begin(), steps_.end(), [](const auto& s) { return s->wants_prefixes(); }));
}

Reason ImportChain::run_attrs(const ImportContext& ctx, AttrEdit& edit) const {
    for (const auto& s : steps_) {
        Reason r = s->check_attrs(ctx, edit);
        if (r != Reason::none) return r;
    }
    return Reason::none;
}

Reason ImportChain::run_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) const {
    for (const auto& s : steps_) {
        if (!s->wants_prefixes()) continue;
        Reason r = s->check_prefix(ctx, route, edit);
        if (r != Reason::none) return r;
    }
    return Reason::none;
}

Reason IgnoreEbgpLocalPref::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    if (!ctx.ibgp && edit.get().path.local_pref) edit.modify().path.local_pref.reset();
    return Reason::none;
}

Reason FirstAsStep::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    if (ctx.ibgp) return Reason::none;
    const auto& path = edit.get().path.as_path;
    if (!path) return Reason::none;  // the codec withdrew it already (missing AS_PATH)
    if (path->segments.empty()) {
        if (ctx.detail) *ctx.detail = "empty AS_PATH from AS" + std::to_string(ctx.peer.asn);
        return Reason::empty_as_path;
    }
    if (!ctx.peer.enforce_first_as) return Reason::none;
    const auto& first = path->segments.front();
    if (first.type == wire::SegmentType::as_sequence && !first.asns.empty() && first.asns.front() == ctx.peer.asn)
        return Reason::none;
    if (ctx.detail) {
        *ctx.detail = "path starts with ";
        *ctx.detail += first.type == wire::SegmentType::as_sequence && !first.asns.empty()
                           ? "AS" + std::to_string(first.asns.front())
                           : std::string("a set");
        *ctx.detail += ", neighbor is AS" + std::to_string(ctx.peer.asn);
    }
    return Reason::first_as;
}

Reason AsLoopStep::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    const auto& path = edit.get().path.as_path;
    if (path && path->contains(ctx.config.local_as)) return Reason::as_loop;
    return Reason::none;
}

Reason ClusterLoopStep::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    if (!ctx.ibgp) return Reason::none;
    const auto& p = edit.get().path;
    if (p.originator_id && *p.originator_id == ctx.config.router_id) return Reason::cluster_loop;
    uint32_t cluster = ctx.config.effective_cluster_id();
    if (std::find(p.cluster_list.begin(), p.cluster_list.end(), cluster) != p.cluster_list.end())
        return Reason::cluster_loop;
    return Reason::none;
}

Reason GracefulShutdownStep::check_attrs(const ImportContext&, AttrEdit& edit) {
    if (edit.get().path.has_community(wire::community_graceful_shutdown) &&
        edit.get().path.local_pref != 0u)
        edit.modify().path.local_pref = 0;
    return Reason::none;
}

}  // namespace moat::rib
