// The config language's engine: the nodes (top level, router bgp,
// route-map) and their rows gathered from the config_*.cpp files, the
// grammar of each node generated from its rows (set forms and `no` forms),
// the one dispatch of a line to its node, and the loader that runs a file
// line by line. A file with any error is refused as a whole, with file, line
// and column. The language is documented in docs/configuration.md, the `no`
// forms of configuration mode in docs/cli.md.
#include "cli/config_loader.hpp"

#include "cli/config_table.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace moat::cli {

std::string ConfigError::to_string() const {
    std::string s = file;
    if (line) s += ":" + std::to_string(line);
    if (column) s += ":" + std::to_string(column);
    return s + ": error: " + message;
}

namespace config {

// ---- shared helpers ---------------------------------------------------------

bgp::NeighborConfig* find(Loader& l, const wire::IpAddress& a) {
    if (!l.cfg.bgp) return nullptr;
    for (auto& n : l.cfg.bgp->neighbors)
        if (n.address == a) return &n;
    return nullptr;
}

std::variant<bgp::NeighborConfig*, LineError> neighbor(Loader& l, const Args& args) {
    if (auto* n = find(l, args[0].address)) return n;
    std::string a = format_address(args[0].address);
    return LineError{args[0].column,
                     "Neighbor " + a + " is not configured; 'neighbor " + a + " remote-as ASN' must come first"};
}

uint32_t v4_host(const wire::IpAddress& a) {
    return static_cast<uint32_t>(a.bytes[0]) << 24 | static_cast<uint32_t>(a.bytes[1]) << 16 |
           static_cast<uint32_t>(a.bytes[2]) << 8 | a.bytes[3];
}

wire::IpAddress v4_address(uint32_t host) {
    wire::IpAddress a;
    a.bytes[0] = static_cast<uint8_t>(host >> 24);
    a.bytes[1] = static_cast<uint8_t>(host >> 16);
    a.bytes[2] = static_cast<uint8_t>(host >> 8);
    a.bytes[3] = static_cast<uint8_t>(host);
    return a;
}

bool is_unspecified(const wire::IpAddress& a) {
    return std::all_of(a.bytes.begin(), a.bytes.end(), [](uint8_t b) { return b == 0; });
}

// ---- the nodes ----------------------------------------------------------------

namespace {

// Configuration mode's way out, in every node. No handler: the session
// applies the candidate and leaves.
const Command leave_top[] = {
    {"exit", "Leave configuration mode, applying the changes", nullptr, nullptr, nullptr, nullptr, Where::terminal},
    {"end", "Leave configuration mode, applying the changes", nullptr, nullptr, nullptr, nullptr, Where::terminal},
};
const Command leave_inner[] = {
    {"end", "Leave configuration mode, applying the changes", nullptr, nullptr, nullptr, nullptr, Where::terminal},
};

struct NodeInfo {
    Node node;
    std::optional<Node> parent;  // its commands are tried too, and leave this node
    const char* inside;          // for "'x' is only valid inside '...'"
    std::span<const Command> leave;
};

const NodeInfo nodes[] = {
    {Node::config, std::nullopt, "", leave_top},
    {Node::router_bgp, Node::config, "router bgp", leave_inner},
    {Node::route_map, Node::config, "route-map NAME permit|deny SEQ", leave_inner},
};

size_t index_of(Node n) {
    for (size_t i = 0; i < std::size(nodes); ++i)
        if (nodes[i].node == n) return i;
    throw std::logic_error("not a configuration node");
}

std::span<const Command> part_of(const Rows& r, Node n) {
    return n == Node::config ? r.top : n == Node::router_bgp ? r.bgp : r.route_map;
}

Grammar build(const std::vector<const Command*>& rows, Where mode) {
    Grammar g;
    for (const Command* c : rows) {
        std::string_view p = c->pattern;
        if (p == "no" || p.starts_with("no "))
            throw std::logic_error("a `no` form belongs in its row's `no` field: " + std::string(p));
        if (!c->no != !c->unset) throw std::logic_error("a `no` form needs an unset handler: " + std::string(p));
        if (!in(c->set_in, mode)) continue;
        g.syntax.push_back(Syntax::parse(c->pattern, c->help));
        g.forms.push_back({c, false});
    }
    std::vector<std::pair<std::string, const Command*>> seen;
    for (const Command* c : rows) {
        if (!c->no || !in(c->no_in, mode)) continue;
        for (const std::string& e : expand(c->no)) {
            std::string p = "no " + e;
            auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == p; });
            if (it != seen.end()) {
                if (it->second->unset != c->unset)
                    throw std::logic_error("one `no` form with two unset handlers: " + p);
                continue;
            }
            seen.emplace_back(p, c);
            g.syntax.push_back(Syntax::parse(p, c->no_help));
            g.forms.push_back({c, true});
        }
    }
    return g;
}

struct Tables {
    std::array<std::vector<const Command*>, std::size(nodes)> rows;
    std::array<Grammar, std::size(nodes)> file, terminal;
};

const Tables& tables() {
    static const Tables built = [] {
        Tables t;
        const Rows parts[] = {top_rows(), rpki_rows(), fib_rows(), policy_rows(), bgp_rows(), defense_rows()};
        for (size_t i = 0; i < std::size(nodes); ++i) {
            for (const Rows& r : parts)
                for (const Command& c : part_of(r, nodes[i].node)) t.rows[i].push_back(&c);
            for (const Command& c : nodes[i].leave) t.rows[i].push_back(&c);
            t.file[i] = build(t.rows[i], Where::file);
            t.terminal[i] = build(t.rows[i], Where::terminal);
        }
        return t;
    }();
    return built;
}

// A `no` line no form matched: say whether the command has a `no` form at
// all, and which, rather than only "Unknown command".
ParseError explain_no(Node node, Where mode, const std::vector<Word>& words, ParseError err) {
    if (words.empty() || words[0].text != "no") return err;
    std::vector<Node> where{node};
    if (auto p = nodes[index_of(node)].parent) where.push_back(*p);
    if (mode == Where::file) {
        for (Node n : where) {
            const Grammar& g = grammar(n, Where::terminal);
            auto m = match(g.syntax, words);
            if (m.index() == 0)
                return ParseError{words[0].column, "'no " + std::string(g.forms[std::get<0>(m).index].command->no) +
                                                       "' is only valid in configuration mode (the file leaves "
                                                       "the setting out)"};
        }
    }
    const std::vector<Word> rest(words.begin() + 1, words.end());
    for (Node n : where) {
        const Grammar& g = grammar(n, mode);
        auto m = match(g.syntax, rest);
        if (m.index() != 0) continue;
        const Form& f = g.forms[std::get<0>(m).index];
        if (f.unset) continue;  // "no no ..."
        const Command& c = *f.command;
        if (!c.no) return ParseError{words[0].column, "'" + std::string(c.pattern) + "' has no 'no' form"};
        if (!in(c.no_in, mode))
            return ParseError{words[0].column, "'no " + std::string(c.no) +
                                                   "' is only valid in configuration mode (the file leaves the "
                                                   "setting out)"};
        err.message += " (the 'no' form is 'no " + std::string(c.no) + "')";
        return err;
    }
    return err;
}

}  // namespace

const std::vector<const Command*>& commands(Node node) { return tables().rows[index_of(node)]; }

const Grammar& grammar(Node node, Where mode) {
    const Tables& t = tables();
    return mode == Where::file ? t.file[index_of(node)] : t.terminal[index_of(node)];
}

namespace {

using Alternatives = std::vector<std::vector<std::string>>;

// A sequence of words and [a|b] groups, up to a "]" or "|" or the end.
Alternatives expand_sequence(const std::vector<std::string>& t, size_t& pos, std::string_view pattern) {
    Alternatives out{{}};
    while (pos < t.size() && t[pos] != "]" && t[pos] != "|") {
        Alternatives item;
        if (t[pos] == "[") {
            ++pos;
            item.push_back({});  // the group left out
            for (;;) {
                Alternatives alt = expand_sequence(t, pos, pattern);
                item.insert(item.end(), alt.begin(), alt.end());
                if (pos >= t.size()) throw std::logic_error("unclosed '[' in pattern: " + std::string(pattern));
                if (t[pos++] == "]") break;
            }
        } else {
            item.push_back({t[pos++]});
        }
        Alternatives next;
        for (const auto& a : out)
            for (const auto& b : item) {
                auto v = a;
                v.insert(v.end(), b.begin(), b.end());
                next.push_back(std::move(v));
            }
        out = std::move(next);
    }
    return out;
}

}  // namespace

std::vector<std::string> expand(std::string_view pattern) {
    std::vector<std::string> tokens;
    std::string word;
    for (char c : pattern) {
        if (c == '[' || c == ']' || c == '|' || c == ' ') {
            if (!word.empty()) tokens.push_back(std::move(word));
            word.clear();
            if (c != ' ') tokens.emplace_back(1, c);
        } else {
            word += c;
        }
    }
    if (!word.empty()) tokens.push_back(std::move(word));
    size_t pos = 0;
    Alternatives alts = expand_sequence(tokens, pos, pattern);
    if (pos != tokens.size()) throw std::logic_error("unbalanced ']' or '|' in pattern: " + std::string(pattern));
    std::stable_sort(alts.begin(), alts.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    std::vector<std::string> out;
    for (const auto& a : alts) {
        std::string s;
        for (const auto& w : a) s += (s.empty() ? "" : " ") + w;
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    return out;
}

std::variant<Dispatched, ParseError> dispatch(Node node, Where mode, const std::vector<Word>& words) {
    const NodeInfo& info = nodes[index_of(node)];
    const Grammar& g = grammar(node, mode);
    auto r = match(g.syntax, words);
    if (auto* m = std::get_if<Match>(&r)) return Dispatched{node, g.forms[m->index], std::move(*m)};
    ParseError err = std::get<ParseError>(r);
    if (info.parent) {
        const Grammar& pg = grammar(*info.parent, mode);
        auto r2 = match(pg.syntax, words);
        if (auto* m = std::get_if<Match>(&r2)) return Dispatched{*info.parent, pg.forms[m->index], std::move(*m)};
        const ParseError& e2 = std::get<ParseError>(r2);
        if (e2.column > err.column) err = e2;
    } else {
        for (const NodeInfo& child : nodes)
            if (child.parent == node && match(grammar(child.node, mode).syntax, words).index() == 0)
                return ParseError{words[0].column,
                                  "'" + words[0].text + "' is only valid inside '" + child.inside + "'"};
    }
    return explain_no(node, mode, words, std::move(err));
}

std::variant<Loader, ConfigError> run(std::string_view text, const std::string& name, Where mode) {
    Loader l;
    l.mode = mode;
    auto error_at = [&](unsigned column, std::string message) {
        return ConfigError{name, l.line, column, std::move(message)};
    };
    size_t pos = 0;
    if (text.starts_with("\xef\xbb\xbf")) pos = 3;  // a UTF-8 byte order mark some editors write
    while (pos <= text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++l.line;
        size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos) continue;
        if (line[first] == '#') continue;
        if (line[first] == '!') {
            // "!" in the first column closes a block; an indented one is a
            // comment inside it.
            if (first == 0) {
                l.node = Node::config;
                l.rm_name.clear();
            }
            continue;
        }
        auto tok = tokenize(line);
        if (auto* e = std::get_if<TokenizeError>(&tok)) return error_at(e->column, e->message);
        const auto& words = std::get<0>(tok);
        auto d = dispatch(l.node, mode, words);
        if (auto* e = std::get_if<ParseError>(&d)) return error_at(e->column, e->message);
        const Dispatched& cmd = std::get<Dispatched>(d);
        if (cmd.node != l.node) {  // a command of the parent node leaves this one
            l.node = cmd.node;
            l.rm_name.clear();
        }
        Handler h = cmd.form.unset ? cmd.form.command->unset : cmd.form.command->set;
        if (!h) continue;  // `end`: configuration mode leaves, nothing to change
        if (Outcome out = h(l, cmd.match.args, words))
            return error_at(out->column ? out->column : words[0].column, out->message);
        if (l.node != Node::route_map) l.rm_name.clear();
    }
    if (auto u = unresolved(l)) return ConfigError{name, u->first.line, u->first.column, u->second};
    return l;
}

}  // namespace config

LoadResult load_config_text(std::string_view text, const std::string& name) {
    auto r = config::run(text, name, config::Where::file);
    if (auto* e = std::get_if<ConfigError>(&r)) return std::move(*e);
    return std::move(std::get<config::Loader>(r).cfg);
}

LoadResult load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return ConfigError{path, 0, 0, std::string("cannot open: ") + std::strerror(errno)};
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return ConfigError{path, 0, 0, "read error"};
    return load_config_text(ss.str(), path);
}

}  // namespace moat::cli
