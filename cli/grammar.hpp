// The command grammar: one matcher for the config file, the control socket and
// (later) moatctl's completion and `?` help.
//
// A command is declared by a pattern of tokens separated by spaces:
//   keyword        a literal word, matched by any unique abbreviation ("sh" for "show")
//   ASN            AS number 1-4294967295, asplain or asdot ("65000", "1.10")
//   A.B.C.D        IPv4 address
//   ADDR           IPv4 or IPv6 address
//   PREFIX         IPv4 or IPv6 prefix ("192.0.2.0/24", "2001:db8::/32")
//   <MIN-MAX>      integer in a range, e.g. <1-65535>
//   WORD           any one word (a double-quoted word may contain spaces)
//   LINE...        the rest of the line (must be the last token)
// A keyword may be followed by "=help" only through the keyword help table in
// grammar.cpp; typed tokens carry a default help text.
//
// Matching is word by word over all commands of a node: an exact keyword beats
// an abbreviation, an abbreviation beats a typed value. Errors name the word
// and its 1-based column.
#pragma once

#include "bgpd/wire/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moat::cli {

// One word of an input line; a double-quoted word is unquoted in `text`.
struct Word {
    std::string text;
    unsigned column = 0;  // 1-based, of the first character (the quote, if quoted)
    bool quoted = false;
};

struct TokenizeError {
    unsigned column = 0;
    std::string message;
};

// Splits at blanks; "..." groups (with \" and \\ escapes) form one word.
std::variant<std::vector<Word>, TokenizeError> tokenize(std::string_view line);

// Quotes a word when tokenize() would not give it back unchanged as one word.
std::string quote_if_needed(std::string_view s);

enum class TokenType : uint8_t { keyword, asn, ipv4, address, prefix, integer, word, line };

struct Token {
    TokenType type = TokenType::keyword;
    std::string text;  // the keyword, or the placeholder as written in the pattern
    uint64_t min = 0, max = 0;  // for integer
};

// The parsed form of a pattern string. Throws std::logic_error on a bad pattern.
struct Syntax {
    std::vector<Token> tokens;
    std::string help;
    static Syntax parse(std::string_view pattern, std::string_view help);
};

// A typed argument as matched; keywords are not included in Args.
struct Value {
    TokenType type = TokenType::word;
    std::string text;  // the word as given (unquoted), or the joined rest of line
    unsigned column = 0;
    uint64_t number = 0;  // asn, integer
    wire::IpAddress address;
    wire::Prefix prefix;
};
using Args = std::vector<Value>;

struct Match {
    size_t index = 0;  // into the Syntax vector
    Args args;
};

struct ParseError {
    unsigned column = 0;  // 1-based; for an incomplete command, one past the end
    std::string message;  // "Unknown command at 'foo'"
    std::string to_string() const { return "% " + message; }
};

using MatchResult = std::variant<Match, ParseError>;

MatchResult match(const std::vector<Syntax>& commands, std::string_view line);
MatchResult match(const std::vector<Syntax>& commands, const std::vector<Word>& words);

// What may come next after the words of `line` (the last, unfinished word is
// taken as a prefix to complete; a line ending in a blank completes a new
// word). Keywords are listed as themselves, typed tokens by their
// placeholder; "<cr>" when the line is already a complete command.
struct Completion {
    std::string word;
    std::string help;
    bool operator==(const Completion&) const = default;
};
std::vector<Completion> complete(const std::vector<Syntax>& commands, std::string_view line);

// Help for a keyword (shared by all commands), or for a typed token.
std::string token_help(const Token& t);

// Typed value parsers, also used outside the matcher.
std::optional<uint32_t> parse_asn(std::string_view s);
std::optional<wire::IpAddress> parse_address(std::string_view s);
std::optional<wire::Prefix> parse_prefix(std::string_view s, bool allow_host_bits = true);
std::optional<uint64_t> parse_uint(std::string_view s);
std::string format_address(const wire::IpAddress& a);
std::string format_prefix(const wire::Prefix& p);
bool prefix_has_host_bits(const wire::Prefix& p);
wire::Prefix prefix_masked(const wire::Prefix& p);

}  // namespace moat::cli
