// The command grammar: abbreviations, typed arguments, errors with columns,
// completion.
#include "cli/commands.hpp"
#include "cli/grammar.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

using namespace moat::cli;

namespace {

const std::vector<Syntax>& exec() { return node_syntax(Node::exec); }
const std::vector<Syntax>& bgp() { return node_syntax(Node::router_bgp); }

// The pattern of the command `line` resolves to, or the error text.
std::string resolve(const std::vector<Syntax>& cmds, std::string_view line) {
    auto r = match(cmds, line);
    if (r.index() == 1) return std::get<1>(r).to_string();
    std::string s;
    for (const auto& t : cmds[std::get<0>(r).index].tokens) s += (s.empty() ? "" : " ") + t.text;
    return s;
}

ParseError error_of(const std::vector<Syntax>& cmds, std::string_view line) {
    auto r = match(cmds, line);
    REQUIRE(r.index() == 1);
    return std::get<1>(r);
}

}  // namespace

TEST_CASE("unique abbreviations select a command", "[cli][grammar]") {
    CHECK(resolve(exec(), "show bgp summary") == "show bgp summary");
    CHECK(resolve(exec(), "sh bgp sum") == "show bgp summary");
    CHECK(resolve(exec(), "sh b s j") == "show bgp summary json");
    CHECK(resolve(exec(), "sh b nei") == "show bgp neighbors");
    CHECK(resolve(exec(), "sh b nei 192.0.2.1") == "show bgp neighbors ADDR");
    CHECK(resolve(exec(), "sh b nei 2001:db8::1 js") == "show bgp neighbors ADDR json");
    // As in FRR, "n" after "show bgp" is both neighbors and nexthop.
    CHECK(resolve(exec(), "sh b n") == "% Ambiguous command at 'n' (neighbors, nexthop)");
    CHECK(resolve(exec(), "sh b nex j") == "show bgp nexthop json");
    CHECK(resolve(exec(), "show run") == "show running-config");
    CHECK(resolve(exec(), "cl b n 192.0.2.1") == "clear bgp neighbor ADDR");
    CHECK(resolve(exec(), "   show    version  ") == "show version");
}

TEST_CASE("an exact keyword beats a longer one it abbreviates", "[cli][grammar]") {
    // "no" is both a command and a prefix of nothing else; "neighbor" vs "network" in the bgp node
    CHECK(resolve(bgp(), "no bgp listen") == "no bgp listen");
    CHECK(resolve(bgp(), "net 192.0.2.0/24") == "network PREFIX");
    CHECK(resolve(bgp(), "nei 192.0.2.1 remote-as 1") == "neighbor ADDR remote-as ASN");
    CHECK(resolve(bgp(), "neighbor 192.0.2.1 timers connect 5") == "neighbor ADDR timers connect <1-65535>");
    CHECK(resolve(bgp(), "neighbor 192.0.2.1 timers 5 15") == "neighbor ADDR timers <0-65535> <0-65535>");
}

TEST_CASE("errors name the word and its column", "[cli][grammar]") {
    auto e = error_of(exec(), "show foo");
    CHECK(e.message == "Unknown command at 'foo'");
    CHECK(e.column == 6);
    CHECK(e.to_string() == "% Unknown command at 'foo'");

    e = error_of(exec(), "n 192.0.2.1 shutdown");
    CHECK(e.message == "Ambiguous command at 'n' (neighbor, no)");
    CHECK(e.column == 1);

    e = error_of(exec(), "show bgp");
    CHECK(e.message == "Incomplete command");
    CHECK(e.column == 9);

    e = error_of(exec(), "show version extra");
    CHECK(e.message == "Unknown command at 'extra'");
    CHECK(e.column == 14);

    e = error_of(bgp(), "neighbor 192.0.2.1 port 70000");
    CHECK(e.message == "Value out of range (1-65535) at '70000'");
    CHECK(e.column == 25);

    e = error_of(bgp(), "neighbor 192.0.2.1 port 0");
    CHECK(e.message == "Value out of range (1-65535) at '0'");

    e = error_of(bgp(), "neighbor 192.0.2.1 port x1");
    CHECK(e.message == "Number expected (1-65535) at 'x1'");

    e = error_of(bgp(), "neighbor 192.0.2.300 remote-as 1");
    CHECK(e.message == "Invalid address at '192.0.2.300'");
    CHECK(e.column == 10);

    e = error_of(bgp(), "bgp router-id 2001:db8::1");
    CHECK(e.message == "Invalid IPv4 address at '2001:db8::1'");

    e = error_of(bgp(), "network 192.0.2.0/33");
    CHECK(e.message == "Invalid prefix at '192.0.2.0/33'");

    e = error_of(exec(), "neighbor 192.0.2.1 shutdown \"unterminated");
    CHECK(e.message == "Unterminated quoted string");
    CHECK(e.column == 29);
}

TEST_CASE("AS numbers: asplain, asdot, range", "[cli][grammar]") {
    CHECK(parse_asn("1") == 1u);
    CHECK(parse_asn("4294967295") == 4294967295u);
    CHECK(parse_asn("1.10") == 65546u);
    CHECK(parse_asn("0.1") == 1u);
    CHECK(parse_asn("65535.65535") == 4294967295u);
    CHECK_FALSE(parse_asn("0"));
    CHECK_FALSE(parse_asn("0.0"));
    CHECK_FALSE(parse_asn("4294967296"));
    CHECK_FALSE(parse_asn("65536.1"));
    CHECK_FALSE(parse_asn("1."));
    CHECK_FALSE(parse_asn("-1"));
    CHECK_FALSE(parse_asn("as1"));

    auto e = error_of(bgp(), "neighbor 192.0.2.1 remote-as 4294967296");
    CHECK(e.message.starts_with("Invalid AS number"));
    CHECK(e.column == 30);
}

TEST_CASE("typed arguments are handed to the handler", "[cli][grammar]") {
    auto r = match(bgp(), "neighbor 2001:db8::2 timers 10 30");
    REQUIRE(r.index() == 0);
    const Args& a = std::get<0>(r).args;
    REQUIRE(a.size() == 3);
    CHECK(a[0].address.v6);
    CHECK(format_address(a[0].address) == "2001:db8::2");
    CHECK(a[1].number == 10);
    CHECK(a[1].column == 29);
    CHECK(a[2].number == 30);

    r = match(bgp(), "neighbor 192.0.2.1 description  \"a  b\" c");
    REQUIRE(r.index() == 0);
    CHECK(std::get<0>(r).args[1].text == "a  b c");
}

TEST_CASE("tokenizer and quoting round trip", "[cli][grammar]") {
    for (std::string s : {"plain", "two words", "", "quote\"inside", "back\\slash", "!bang", "#hash", "\"lead"}) {
        auto t = tokenize("x " + quote_if_needed(s));
        REQUIRE(t.index() == 0);
        const auto& w = std::get<0>(t);
        REQUIRE(w.size() == 2);
        CHECK(w[1].text == s);
    }
    CHECK(quote_if_needed("plain") == "plain");
    CHECK(quote_if_needed("two words") == "\"two words\"");
    auto t = tokenize("a \"b\"c");
    REQUIRE(t.index() == 1);
    CHECK(std::get<1>(t).column == 6);
}

TEST_CASE("completion lists the next words with help", "[cli][grammar]") {
    auto c = complete(Node::exec, "show bgp ");
    REQUIRE(c.size() == 7);
    CHECK(c[0].word == "ipv4");
    CHECK(c[1].word == "ipv6");
    CHECK(c[2].word == "neighbors");
    CHECK(c[3].word == "nexthop");
    CHECK(c[4].word == "peer-lock");
    CHECK(c[5].word == "rejected");
    CHECK(c[6].word == "summary");
    CHECK_FALSE(c[6].help.empty());

    c = complete(Node::exec, "sh b summary ");
    REQUIRE(c.size() == 2);
    CHECK(c[0].word == "json");
    CHECK(c[1].word == "<cr>");

    c = complete(Node::exec, "sh");
    REQUIRE(c.size() == 1);
    CHECK(c[0].word == "show");

    c = complete(Node::exec, "show bgp neighbors ");
    std::vector<std::string> words;
    for (const auto& x : c) words.push_back(x.word);
    CHECK(words == std::vector<std::string>{"ADDR", "json", "<cr>"});

    c = complete(Node::router_bgp, "neighbor 192.0.2.1 timers ");
    words.clear();
    for (const auto& x : c) words.push_back(x.word);
    CHECK(words == std::vector<std::string>{"<0-65535>", "connect", "delay-open"});

    CHECK(complete(Node::exec, "show nonsense ").empty());
}

TEST_CASE("docs/cli.md has a valid example of every exec command", "[cli][grammar]") {
    std::ifstream in(MOAT_DOCS_DIR "/cli.md");
    REQUIRE(in);
    std::vector<bool> shown(exec().size(), false);
    std::string line;
    int examples = 0;
    while (std::getline(in, line)) {
        std::string cmd;
        bool must_parse = false;
        if (line.starts_with("$ moatctl ")) {
            cmd = line.substr(10);
            if (auto pipe = cmd.find(" | "); pipe != std::string::npos) cmd.resize(pipe);
            must_parse = true;  // one-shot examples are all meant to run
        } else if (line.starts_with("moat> ") || line.starts_with("moat# ")) {
            cmd = line.substr(6);  // the shell's examples include wrong input on purpose
        } else if (auto d = line.find(")# do "); line.starts_with("moat(") && d != std::string::npos) {
            cmd = line.substr(d + 6);
            must_parse = true;
        } else {
            continue;
        }
        INFO(line);
        auto m = match(exec(), cmd);
        if (must_parse) {
            ++examples;
            CHECK(m.index() == 0);
        }
        if (m.index() == 0) shown[std::get<0>(m).index] = true;
    }
    CHECK(examples > 30);
    for (size_t i = 0; i < exec().size(); ++i) {
        std::string pattern;
        for (const auto& t : exec()[i].tokens) pattern += (pattern.empty() ? "" : " ") + t.text;
        INFO("no example of: " << pattern);
        CHECK(shown[i]);
    }
}
