// Configuration mode (see configure.hpp). A line is dispatched to its node
// by the config table (cli/config_table.hpp), then run by the config loader
// itself: the candidate is printed, the line appended in its node, and the
// text loaded again, so configuration mode and the file can never disagree.
// The `no` forms run the same way, through their unset handlers.
#include "cli/configure.hpp"

#include "cli/config_loader.hpp"
#include "cli/config_table.hpp"

#include <algorithm>

namespace moat::cli {

namespace {

using Result = ConfigSession::Result;

Result error(unsigned column, std::string message) { return Result{false, column, "% " + std::move(message), false}; }

}  // namespace

ConfigSession::ConfigSession(bgp::Config running) : candidate_(std::move(running)) {}

std::vector<Completion> ConfigSession::complete(std::string_view line) const {
    return cli::complete(config::grammar(node_, config::Where::terminal).syntax, line);
}

Result ConfigSession::enter(std::string_view line) {
    auto tok = tokenize(line);
    if (auto* e = std::get_if<TokenizeError>(&tok)) return error(e->column, e->message);
    const auto& words = std::get<0>(tok);
    if (words.empty()) return {};
    if (node_ == Node::router_bgp && !candidate_.bgp) node_ = Node::config;

    auto d = config::dispatch(node_, config::Where::terminal, words);
    if (auto* e = std::get_if<ParseError>(&d)) return error(e->column, e->message);
    const config::Form& form = std::get<config::Dispatched>(d).form;
    if (!form.unset && !form.command->set) return Result{true, 0, {}, true};  // exit at the top, end

    // The candidate printed, the line appended in the node, all of it
    // loaded again.
    std::string text = render_config(candidate_);
    if (node_ == Node::router_bgp && text.ends_with("!\n")) text.resize(text.size() - 2);
    if (node_ == Node::route_map) text += rm_header_ + "\n";
    const auto lines = static_cast<unsigned>(std::count(text.begin(), text.end(), '\n'));
    text.append(line);
    text += '\n';
    auto r = config::run(text, "<terminal>", config::Where::terminal);
    if (auto* e = std::get_if<ConfigError>(&r)) {
        if (e->line == lines + 1) return error(e->column, e->message);
        // A line above: what a `no` form removed is still referred to.
        if (form.unset) return error(0, "refused: " + e->message);
        return error(0, e->to_string());
    }
    config::Loader& l = std::get<config::Loader>(r);
    // The candidate must load as it is printed: a neighbor's AS changed in
    // place meets the checks of the neighbor's other settings here.
    auto again = load_config_text(render_config(l.cfg), "<candidate>");
    if (auto* e = std::get_if<ConfigError>(&again)) return error(0, "refused: " + e->message);

    candidate_ = std::move(l.cfg);
    node_ = l.node;
    if (node_ == Node::route_map) {
        const bgp::RouteMap* map = candidate_.policy.route_map(l.rm_name);
        auto e = std::find_if(map->entries.begin(), map->entries.end(),
                              [&](const bgp::RouteMapEntry& x) { return x.seq == l.rm_seq; });
        rm_header_ = "route-map " + quote_if_needed(l.rm_name) + (e->permit ? " permit " : " deny ") +
                     std::to_string(l.rm_seq);
    }
    return {};
}

}  // namespace moat::cli
