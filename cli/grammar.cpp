// The command matcher (see grammar.hpp): tokenizing, pattern parsing, word by
// word matching with abbreviations, completion, and the typed value parsers.
#include "cli/grammar.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace moat::cli {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::variant<std::vector<Word>, TokenizeError> tokenize(std::string_view line) {
    std::vector<Word> words;
    size_t i = 0;
    while (i < line.size()) {
        if (is_blank(line[i])) {
            ++i;
            continue;
        }
        Word w;
        w.column = static_cast<unsigned>(i + 1);
        if (line[i] == '"') {
            w.quoted = true;
            ++i;
            bool closed = false;
            while (i < line.size()) {
                char c = line[i];
                if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
                    w.text += line[i + 1];
                    i += 2;
                } else if (c == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    w.text += c;
                    ++i;
                }
            }
            if (!closed) return TokenizeError{w.column, "Unterminated quoted string"};
            if (i < line.size() && !is_blank(line[i]))
                return TokenizeError{static_cast<unsigned>(i + 1), "Blank expected after closing quote"};
        } else {
            while (i < line.size() && !is_blank(line[i])) w.text += line[i++];
        }
        words.push_back(std::move(w));
    }
    return words;
}

std::string quote_if_needed(std::string_view s) {
    bool need = s.empty() || s.front() == '"' || s.front() == '!' || s.front() == '#';
    for (char c : s)
        if (is_blank(c) || c == '"' || c == '\\') need = true;
    if (!need) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

// ---- typed values -----------------------------------------------------------

std::optional<uint64_t> parse_uint(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
}

std::optional<uint32_t> parse_asn(std::string_view s) {
    auto dot = s.find('.');
    if (dot == std::string_view::npos) {
        auto v = parse_uint(s);
        if (!v || *v < 1 || *v > 4294967295u) return std::nullopt;
        return static_cast<uint32_t>(*v);
    }
    auto hi = parse_uint(s.substr(0, dot));
    auto lo = parse_uint(s.substr(dot + 1));
    if (!hi || !lo || *hi > 65535 || *lo > 65535) return std::nullopt;
    uint32_t v = static_cast<uint32_t>(*hi << 16 | *lo);
    if (v == 0) return std::nullopt;
    return v;
}

std::optional<wire::IpAddress> parse_address(std::string_view s) {
    if (s.empty() || s.size() > 45) return std::nullopt;
    std::string text(s);
    wire::IpAddress a;
    if (text.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) != 1) return std::nullopt;
        a.v6 = false;
    } else {
        if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) != 1) return std::nullopt;
        a.v6 = true;
    }
    return a;
}

std::optional<wire::Prefix> parse_prefix(std::string_view s, bool allow_host_bits) {
    auto slash = s.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto a = parse_address(s.substr(0, slash));
    auto len = parse_uint(s.substr(slash + 1));
    if (!a || !len) return std::nullopt;
    wire::Prefix p;
    p.v6 = a->v6;
    if (*len > p.max_len()) return std::nullopt;
    p.addr = a->bytes;
    p.len = static_cast<uint8_t>(*len);
    if (!allow_host_bits && prefix_has_host_bits(p)) return std::nullopt;
    return p;
}

wire::Prefix prefix_masked(const wire::Prefix& p) {
    wire::Prefix m = p;
    for (unsigned i = 0; i < 16; ++i) {
        unsigned bit = i * 8;
        if (bit >= p.len) {
            m.addr[i] = 0;
        } else if (bit + 8 > p.len) {
            m.addr[i] = static_cast<uint8_t>(m.addr[i] & (0xff << (8 - (p.len - bit))));
        }
    }
    return m;
}

bool prefix_has_host_bits(const wire::Prefix& p) { return prefix_masked(p).addr != p.addr; }

std::string format_address(const wire::IpAddress& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf);
    return buf;
}

std::string format_prefix(const wire::Prefix& p) {
    wire::IpAddress a;
    a.bytes = p.addr;
    a.v6 = p.v6;
    return format_address(a) + "/" + std::to_string(p.len);
}

// ---- patterns ---------------------------------------------------------------

Syntax Syntax::parse(std::string_view pattern, std::string_view help) {
    Syntax s;
    s.help = std::string(help);
    auto words = tokenize(pattern);
    if (words.index() != 0) throw std::logic_error("bad command pattern: " + std::string(pattern));
    for (const Word& w : std::get<0>(words)) {
        Token t;
        t.text = w.text;
        if (w.text == "ASN") {
            t.type = TokenType::asn;
        } else if (w.text == "A.B.C.D") {
            t.type = TokenType::ipv4;
        } else if (w.text == "ADDR") {
            t.type = TokenType::address;
        } else if (w.text == "PREFIX") {
            t.type = TokenType::prefix;
        } else if (w.text == "WORD") {
            t.type = TokenType::word;
        } else if (w.text == "LINE...") {
            t.type = TokenType::line;
        } else if (w.text.size() > 2 && w.text.front() == '<' && w.text.back() == '>') {
            t.type = TokenType::integer;
            auto dash = w.text.find('-');
            auto lo = parse_uint(std::string_view(w.text).substr(1, dash - 1));
            auto hi = parse_uint(std::string_view(w.text).substr(dash + 1, w.text.size() - dash - 2));
            if (dash == std::string::npos || !lo || !hi || *lo > *hi)
                throw std::logic_error("bad range in pattern: " + std::string(pattern));
            t.min = *lo;
            t.max = *hi;
        } else {
            bool lower = std::all_of(w.text.begin(), w.text.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
            if (!lower) throw std::logic_error("bad keyword in pattern: " + std::string(pattern));
            t.type = TokenType::keyword;
        }
        s.tokens.push_back(std::move(t));
    }
    for (size_t i = 0; i + 1 < s.tokens.size(); ++i)
        if (s.tokens[i].type == TokenType::line)
            throw std::logic_error("LINE... must be last: " + std::string(pattern));
    return s;
}

std::string token_help(const Token& t) {
    static const std::array<std::pair<std::string_view, std::string_view>, 85> keywords{{
        {"activate", "Enable an address family for the neighbor"},
        {"address", "Local address to listen on"},
        {"address-family", "Address family to negotiate"},
        {"bgp", "BGP information and settings"},
        {"clear", "Reset functions"},
        {"connect", "Connect retry timer"},
        {"control", "The control socket"},
        {"delay-open", "DelayOpen timer (RFC 4271)"},
        {"description", "Free text describing the neighbor"},
        {"ebgp-multihop", "Allow eBGP neighbors not on directly connected networks"},
        {"exit", "Leave the current node"},
        {"hops", "Maximum number of hops to the neighbor"},
        {"hostname", "Name of this router"},
        {"fib", "The kernel's routing table (FIB)"},
        {"disable-connected-check", "eBGP next hops may resolve through kernel routes"},
        {"nexthop", "BGP next hops and how they resolve"},
        {"maximum-paths", "Equal best paths installed together (multipath)"},
        {"bestpath", "Best-path selection"},
        {"multipath-relax", "Multipath across neighbor ASes"},
        {"table", "Kernel routing table"},
        {"protocol", "Routing protocol number of the kernel routes"},
        {"metric", "Metric of the kernel routes"},
        {"stale-time", "Time before left-over kernel routes are removed"},
        {"ipv4", "IPv4"},
        {"ipv6", "IPv6"},
        {"json", "Output as JSON"},
        {"listen", "Listening socket"},
        {"neighbor", "A BGP neighbor"},
        {"neighbors", "Detailed information on BGP neighbors"},
        {"network", "Originate a prefix"},
        {"no", "Negate a command or set its default"},
        {"passive", "Do not connect, only accept the neighbor's connection"},
        {"password", "TCP-MD5 authentication (RFC 2385)"},
        {"port", "TCP port"},
        {"next-hop-address", "NEXT_HOP announced to the neighbor"},
        {"remote-as", "The neighbor's AS number"},
        {"router", "Routing protocol"},
        {"route-map", "Route-map entry (match and set clauses)"},
        {"prefix-list", "Prefix-list: prefixes with length ranges"},
        {"as-path", "AS path"},
        {"access-list", "List of regular expressions on the AS path"},
        {"community-list", "List of BGP communities (RFC 1997)"},
        {"large-community-list", "List of BGP large communities (RFC 8092)"},
        {"permit", "Accept what matches"},
        {"deny", "Reject what matches"},
        {"seq", "Position in the list"},
        {"match", "Match clause"},
        {"set", "Set clause"},
        {"router-id", "BGP identifier of this router"},
        {"running-config", "The running configuration"},
        {"show", "Show running system information"},
        {"shutdown", "Administratively shut down"},
        {"socket", "Path of the control socket"},
        {"summary", "Summary of BGP neighbor status"},
        {"timers", "BGP timers"},
        {"ttl-security", "Generalized TTL Security Mechanism (RFC 5082)"},
        {"unicast", "Unicast"},
        {"update-source", "Local address of the neighbor's session"},
        {"version", "Software version"},
        {"ipv4-unicast", "IPv4 unicast"},
        {"ipv6-unicast", "IPv6 unicast"},
        {"help", "Describe the commands"},
        {"local-role", "Our BGP role towards the neighbor (RFC 9234)"},
        {"provider", "We are the neighbor's transit provider"},
        {"customer", "We are the neighbor's customer"},
        {"peer", "Lateral peering (RFC 9234)"},
        {"rs", "We are a route server"},
        {"rs-client", "We are a route server's client"},
        {"strict", "Roles: refuse a neighbor that announces none; peer-lock: no protected ASN at all"},
        {"rejected", "Routes the import chain rejected, with reason and detail"},
        {"rejected-routes", "Rejected routes (records and their limit)"},
        {"peer-lock", "Peer-lock: protected ASNs heard only from themselves"},
        {"maximum-prefix", "Maximum number of routes from the neighbor (RFC 4486)"},
        {"reject", "eBGP import filter"},
        {"martians", "Special-purpose prefixes and the default route"},
        {"too-specific", "IPv4 longer than /24, IPv6 longer than /48"},
        {"bogon-asns", "Private, reserved and documentation ASNs in AS_PATH"},
        {"maxas-limit", "Maximum number of ASNs in an eBGP AS_PATH"},
        {"protected-as", "ASNs to protect"},
        {"preset", "A built-in list"},
        {"tier1", "The transit-free networks (docs/configuration.md)"},
        {"allow", "Exceptions for this neighbor"},
        {"default-route", "0.0.0.0/0 and ::/0"},
        {"limit", "Upper bound"},
        {"reason", "Rejection reason (peer-lock, rpki-invalid, martian, max-prefix...)"},
    }};
    switch (t.type) {
    case TokenType::keyword:
        for (const auto& [k, h] : keywords)
            if (k == t.text) return std::string(h);
        return {};
    case TokenType::asn: return "AS number (1-4294967295, asplain or asdot)";
    case TokenType::ipv4: return "IPv4 address";
    case TokenType::address: return "IPv4 or IPv6 address";
    case TokenType::prefix: return "IPv4 or IPv6 prefix";
    case TokenType::integer: return "Number (" + std::to_string(t.min) + "-" + std::to_string(t.max) + ")";
    case TokenType::word: return "A word (quote it to include blanks)";
    case TokenType::line: return "Text up to the end of the line";
    }
    return {};
}

// ---- matching ---------------------------------------------------------------

namespace {

enum class Fit : uint8_t { none, bad_value, value, partial, exact };

struct TokenFit {
    Fit fit = Fit::none;
    std::string error;  // for bad_value
};

TokenFit fit(const Token& t, const Word& w, Value* out) {
    auto bad = [](std::string msg) { return TokenFit{Fit::bad_value, std::move(msg)}; };
    if (out) {
        out->type = t.type;
        out->text = w.text;
        out->column = w.column;
    }
    switch (t.type) {
    case TokenType::keyword:
        if (w.text == t.text) return {Fit::exact, {}};
        if (!w.text.empty() && t.text.starts_with(w.text)) return {Fit::partial, {}};
        return {};
    case TokenType::asn: {
        auto v = parse_asn(w.text);
        if (!v) return bad("Invalid AS number (1-4294967295 or asdot 0.1-65535.65535)");
        if (out) out->number = *v;
        return {Fit::value, {}};
    }
    case TokenType::ipv4: {
        auto a = parse_address(w.text);
        if (!a || a->v6) return bad("Invalid IPv4 address");
        if (out) out->address = *a;
        return {Fit::value, {}};
    }
    case TokenType::address: {
        auto a = parse_address(w.text);
        if (!a) return bad("Invalid address");
        if (out) out->address = *a;
        return {Fit::value, {}};
    }
    case TokenType::prefix: {
        auto p = parse_prefix(w.text);
        if (!p) return bad("Invalid prefix");
        if (out) out->prefix = *p;
        return {Fit::value, {}};
    }
    case TokenType::integer: {
        auto v = parse_uint(w.text);
        std::string range = "(" + std::to_string(t.min) + "-" + std::to_string(t.max) + ")";
        if (!v) {
            bool digits = !w.text.empty() && std::all_of(w.text.begin(), w.text.end(),
                                                         [](char c) { return c >= '0' && c <= '9'; });
            return bad(digits ? "Value out of range " + range : "Number expected " + range);
        }
        if (*v < t.min || *v > t.max) return bad("Value out of range " + range);
        if (out) out->number = *v;
        return {Fit::value, {}};
    }
    case TokenType::word:
    case TokenType::line:
        return {Fit::value, {}};
    }
    return {};
}

struct Candidate {
    size_t index = 0;
    bool rest = false;  // a LINE... token took the remaining words
};

std::string at(const Word& w) { return " at '" + w.text + "'"; }

// Narrows the commands down to those matching all of `words`.
std::variant<std::vector<Candidate>, ParseError> narrow(const std::vector<Syntax>& commands,
                                                        const std::vector<Word>& words) {
    std::vector<Candidate> cands;
    for (size_t i = 0; i < commands.size(); ++i) cands.push_back({i, false});
    for (size_t pos = 0; pos < words.size(); ++pos) {
        const Word& w = words[pos];
        Fit best = Fit::none;
        std::string value_error;
        std::vector<std::pair<Candidate, Fit>> fits;
        for (const Candidate& c : cands) {
            const auto& toks = commands[c.index].tokens;
            if (c.rest) {
                fits.push_back({c, Fit::value});
                best = std::max(best, Fit::value);
                continue;
            }
            if (pos >= toks.size()) continue;
            TokenFit f = fit(toks[pos], w, nullptr);
            if (f.fit == Fit::bad_value) {
                if (value_error.empty()) value_error = f.error;
                continue;
            }
            if (f.fit == Fit::none) continue;
            Candidate next = c;
            if (toks[pos].type == TokenType::line) next.rest = true;
            fits.push_back({next, f.fit});
            best = std::max(best, f.fit);
        }
        if (fits.empty()) {
            if (!value_error.empty()) return ParseError{w.column, value_error + at(w)};
            return ParseError{w.column, "Unknown command" + at(w)};
        }
        std::vector<Candidate> next;
        std::vector<std::string> keywords;
        for (const auto& [c, f] : fits) {
            if (f != best) continue;
            next.push_back(c);
            if (f == Fit::partial) {
                const std::string& k = commands[c.index].tokens[pos].text;
                if (std::find(keywords.begin(), keywords.end(), k) == keywords.end()) keywords.push_back(k);
            }
        }
        if (keywords.size() > 1) {
            std::sort(keywords.begin(), keywords.end());
            std::string list;
            for (const auto& k : keywords) list += (list.empty() ? "" : ", ") + k;
            return ParseError{w.column, "Ambiguous command" + at(w) + " (" + list + ")"};
        }
        cands = std::move(next);
    }
    return cands;
}

unsigned end_column(const std::vector<Word>& words) {
    if (words.empty()) return 1;
    const Word& w = words.back();
    // A quoted word took two quotes plus its escapes; good enough for a caret.
    return w.column + static_cast<unsigned>(w.text.size()) + (w.quoted ? 2 : 0);
}

}  // namespace

MatchResult match(const std::vector<Syntax>& commands, const std::vector<Word>& words) {
    auto n = narrow(commands, words);
    if (n.index() == 1) return std::get<1>(n);
    const auto& cands = std::get<0>(n);
    for (const Candidate& c : cands) {
        const auto& toks = commands[c.index].tokens;
        if (!c.rest && toks.size() != words.size()) continue;
        Match m;
        m.index = c.index;
        for (size_t pos = 0; pos < toks.size(); ++pos) {
            if (toks[pos].type == TokenType::keyword) continue;
            Value v;
            fit(toks[pos], words[pos], &v);
            if (toks[pos].type == TokenType::line) {
                v.text.clear();
                for (size_t j = pos; j < words.size(); ++j) v.text += (j > pos ? " " : "") + words[j].text;
            }
            m.args.push_back(std::move(v));
        }
        return m;
    }
    return ParseError{end_column(words), "Incomplete command"};
}

MatchResult match(const std::vector<Syntax>& commands, std::string_view line) {
    auto t = tokenize(line);
    if (t.index() == 1) {
        const auto& e = std::get<1>(t);
        return ParseError{e.column, e.message};
    }
    return match(commands, std::get<0>(t));
}

std::vector<Completion> complete(const std::vector<Syntax>& commands, std::string_view line) {
    std::vector<Completion> out;
    auto t = tokenize(line);
    if (t.index() == 1) return out;
    std::vector<Word> words = std::move(std::get<0>(t));
    std::string partial;
    bool new_word = line.empty() || is_blank(line.back());
    if (!new_word && !words.empty()) {
        partial = words.back().text;
        words.pop_back();
    }
    auto n = narrow(commands, words);
    if (n.index() == 1) return out;
    auto add = [&out](std::string w, std::string h) {
        Completion c{std::move(w), std::move(h)};
        if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
    };
    bool complete_now = false;
    for (const Candidate& c : std::get<0>(n)) {
        const Syntax& s = commands[c.index];
        size_t pos = words.size();
        if (c.rest) {
            complete_now = true;
            add("LINE...", token_help(Token{TokenType::line, "LINE...", 0, 0}));
            continue;
        }
        if (pos == s.tokens.size()) {
            complete_now = true;
            continue;
        }
        if (pos > s.tokens.size()) continue;
        const Token& tok = s.tokens[pos];
        if (tok.type == TokenType::keyword) {
            if (tok.text.starts_with(partial)) add(tok.text, token_help(tok));
        } else {
            Word w{partial, 1, false};
            if (partial.empty() || fit(tok, w, nullptr).fit == Fit::value) add(tok.text, token_help(tok));
        }
    }
    std::sort(out.begin(), out.end(), [](const Completion& a, const Completion& b) { return a.word < b.word; });
    if (complete_now && partial.empty()) out.push_back({"<cr>", "Run the command"});
    return out;
}

}  // namespace moat::cli
