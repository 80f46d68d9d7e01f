// The configuration table, internal to moat_cli: one row per configuration
// command with its set handler and, when the command can be undone, its
// `no` form and unset handler. The config file (config_loader.cpp) and
// configuration mode (configure.cpp) both read their grammar from these rows
// and dispatch a line to its node through dispatch() below, so the two can
// never accept different commands. The rows live with their node:
//   config_top.cpp       top level: hostname, control socket, router bgp
//   config_bgp.cpp       router bgp: bgp ..., network, neighbor ... (sessions)
//   config_defenses.cpp  router bgp: route-leak defenses
//   config_rpki.cpp      top level rpki ...; neighbor ... rpki ... in router bgp
//   config_policy.cpp    lists, route-map and its node, neighbor ... route-map
//   config_fib.cpp       top level fib ...
// config_render.cpp prints a Config back as lines of these commands.
#pragma once

#include "bgpd/config.hpp"
#include "cli/commands.hpp"
#include "cli/config_loader.hpp"
#include "cli/grammar.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moat::cli::config {

// Where a form is a command: in the config file, in configuration mode, or both.
enum class Where : uint8_t { file = 1, terminal = 2, both = 3 };
constexpr bool in(Where w, Where mode) { return (static_cast<uint8_t>(w) & static_cast<uint8_t>(mode)) != 0; }

struct LineError {
    unsigned column = 0;  // 0: the line's first word
    std::string message;
};
using Outcome = std::optional<LineError>;

// A use of a policy name, checked once the whole text is read (a list or
// route-map may be defined after its use).
struct Ref {
    enum Kind { prefix_list_v4, prefix_list_v6, as_path, community, large_community, route_map };
    unsigned line = 0, column = 0;
    Kind kind = route_map;
    std::string name;
};

// What the handlers work on: the configuration built so far and where the
// lines are (node, line number).
struct Loader {
    bgp::Config cfg;
    Where mode = Where::file;  // file or terminal (configuration mode)
    Node node = Node::config;
    unsigned line = 0;
    std::map<wire::IpAddress, unsigned> neighbor_line;  // where each neighbor was declared
    std::string rm_name;  // the route_map node's entry: route-map NAME ... SEQ
    uint32_t rm_seq = 0;
    std::vector<Ref> refs;
};

using Handler = Outcome (*)(Loader&, const Args&, const std::vector<Word>&);

// One configuration command. `pattern` is the set form as in the file
// (grammar.hpp). `no` is the pattern of its `no` form without the leading
// "no"; "[a|b]" marks optional words with alternatives ("neighbor ADDR
// timers [<0-65535> <0-65535>]" accepts the bare form and the form with the
// values), and "no " + each expansion becomes a command of the node. Rows
// that cannot be undone have no `no` and no unset handler. Several rows may
// share one `no` form (the route-map's permit and deny entries): the first
// row's help and handler are used, and they must be the same.
// A set form without a handler ends configuration mode (`end`).
struct Command {
    const char* pattern;
    const char* help;
    Handler set;
    const char* no = nullptr;
    const char* no_help = nullptr;
    Handler unset = nullptr;
    Where set_in = Where::both;
    Where no_in = Where::terminal;  // most `no` forms are not file lines: the file leaves the setting out
};

// The rows one part of the language adds to each node.
struct Rows {
    std::span<const Command> top, bgp, route_map;
};
Rows top_rows();      // config_top.cpp
Rows bgp_rows();      // config_bgp.cpp
Rows defense_rows();  // config_defenses.cpp
Rows rpki_rows();     // config_rpki.cpp
Rows policy_rows();   // config_policy.cpp
Rows fib_rows();      // config_fib.cpp

// All rows of a node (config, router_bgp or route_map), in table order.
const std::vector<const Command*>& commands(Node node);

// The expansions of a pattern with "[a|b]" groups, shortest first.
std::vector<std::string> expand(std::string_view pattern);

// A node's grammar for the file or for configuration mode: the set forms,
// then the `no` forms, each Syntax with the row it came from.
struct Form {
    const Command* command = nullptr;
    bool unset = false;
};
struct Grammar {
    std::vector<Syntax> syntax;
    std::vector<Form> forms;  // parallel to syntax
};
const Grammar& grammar(Node node, Where mode);

// Where a line goes from `node`: a command of the node, or of its parent
// (which leaves the node). The error names the word; an unknown `no` form
// is told apart from an unknown command.
struct Dispatched {
    Node node;  // the node whose command matched
    Form form;
    Match match;
};
std::variant<Dispatched, ParseError> dispatch(Node node, Where mode, const std::vector<Word>& words);

// Runs `text` line by line from the top node: the config file, or in
// configuration mode the candidate printed with one command appended.
std::variant<Loader, ConfigError> run(std::string_view text, const std::string& name, Where mode);

// ---- shared by the handlers and the printer ---------------------------------

bgp::NeighborConfig* find(Loader& l, const wire::IpAddress& a);

// The neighbor named by args[0], which must have been declared with remote-as.
std::variant<bgp::NeighborConfig*, LineError> neighbor(Loader& l, const Args& args);

template <typename F>
Outcome with_neighbor(Loader& l, const Args& args, F f) {
    auto n = neighbor(l, args);
    if (n.index() == 1) return std::get<1>(n);
    return f(*std::get<0>(n));
}

// A `no neighbor ADDR ...` form: the neighbor must exist (a shorter message
// than the set forms': nothing has to come first).
template <typename F>
Outcome with_configured_neighbor(Loader& l, const Args& args, F f) {
    if (auto* n = find(l, args[0].address)) return f(*n);
    return LineError{args[0].column, "Neighbor " + args[0].text + " is not configured"};
}

// `neighbor ADDR WORDS...` that turns one of the neighbor's settings on or
// off; as an unset handler it is the `no` form's.
template <auto Field, bool Value>
Outcome cmd_neighbor_flag(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.*Field = Value;
        return {};
    });
}
template <auto Field, bool Value>
Outcome unset_neighbor_flag(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.*Field = Value;
        return {};
    });
}

// `bgp WORDS...` that turns a setting of the instance on or off.
template <auto Field, bool Value>
Outcome bgp_flag(Loader& l, const Args&, const std::vector<Word>&) {
    (*l.cfg.bgp).*Field = Value;
    return {};
}

uint32_t v4_host(const wire::IpAddress& a);
wire::IpAddress v4_address(uint32_t host);
bool is_unspecified(const wire::IpAddress& a);

// Communities as the policy commands write them (config_policy.cpp).
std::optional<uint32_t> parse_community(std::string_view s);
std::optional<wire::LargeCommunity> parse_large_community(std::string_view s);
std::string large_community_text(const wire::LargeCommunity& c);

// The first reference to a policy name that is not defined (config_policy.cpp).
std::optional<std::pair<Ref, std::string>> unresolved(const Loader& l);

}  // namespace moat::cli::config
