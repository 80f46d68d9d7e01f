// VRP JSON files: good and bad input, reload on change, the union of sources.
#include "rtr/roa_source.hpp"
#include "rtr/vrp_file.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <thread>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace moat;
using namespace moat::rtr;

namespace {

wire::Prefix P(const char* text) { return *wire::Prefix::parse(text); }

VrpFileError parse_error(const std::string& text) {
    auto r = parse_vrp_json(text);
    REQUIRE_FALSE(r.ok());
    return r.error;
}

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/moat-rtr-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf " + path).c_str()); }
};

void write_file(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
    }
    REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);
}

}  // namespace

TEST_CASE("A VRP file as rpki-client and StayRTR write it") {
    const char* text = R"({
  "metadata": {"buildmachine": "x", "buildtime": "2026-11-26T10:00:00Z", "generated": 1795860000,
               "roas": 3, "counters": [1, 2.5e3, -1, true, false, null, {"a": "\u00e9\ud83d\ude00"}]},
  "roas": [
    {"asn": "AS13335", "prefix": "104.20.0.0/20", "maxLength": 20, "ta": "arin", "expires": 1795900000},
    {"prefix": "2001:db8::/32", "maxLength": 48, "asn": 64500},
    {"prefix": "192.0.2.0/24", "asn": "64501"}
  ],
  "provider_authorizations": {"ipv4": [{"customer_asid": 64500, "providers": [64501]}]}
})";
    auto r = parse_vrp_json(text);
    INFO(r.error.to_string());
    REQUIRE(r.ok());
    const auto& f = *r.file;
    REQUIRE(f.vrps.size() == 3);
    CHECK(f.vrps[0] == Vrp{P("104.20.0.0/20"), 20, 13335});
    CHECK(f.vrps[1] == Vrp{P("2001:db8::/32"), 48, 64500});
    CHECK(f.vrps[2] == Vrp{P("192.0.2.0/24"), 24, 64501});  // maxLength defaults to the length
    CHECK(f.generated == 1795860000);
    CHECK(f.buildtime == "2026-11-26T10:00:00Z");
    CHECK(parse_vrp_json(R"({"roas":[]})").ok());
}

TEST_CASE("Bad VRP files are refused with line and column") {
    auto e = parse_error("{\"roas\": [\n  {\"prefix\": \"10.0.0.0/8\", \"maxLength\": 8, \"asn\": 1},\n  {\"prefix\": \"10.0.0.0/8\" \"asn\": 1}\n]}");
    CHECK(e.line == 3);
    CHECK(e.column == 27);
    CHECK(e.to_string() == "line 3, column 27: expected ',' or '}'");

    e = parse_error("{\"roas\": [{\"prefix\": \"10.1.0.0/8\", \"maxLength\": 8, \"asn\": 1}]}");
    CHECK(e.message.find("host bits") != std::string::npos);
    CHECK(e.column == 22);
    e = parse_error("{\"roas\": [{\"prefix\": \"10.0.0.0/16\", \"maxLength\": 8, \"asn\": 1}]}");
    CHECK(e.message.find("maxLength 8 outside 16..32") != std::string::npos);
    e = parse_error("{\"roas\": [{\"prefix\": \"10.0.0.0/16\", \"maxLength\": 33, \"asn\": 1}]}");
    CHECK(e.message.find("outside") != std::string::npos);
    e = parse_error("{\"roas\": [{\"prefix\": \"10.0.0.0/16\", \"maxLength\": 16.5, \"asn\": 1}]}");
    CHECK(e.message.find("integer") != std::string::npos);
    e = parse_error("{\"roas\": [{\"prefix\": \"10.0.0.0/16\", \"asn\": \"AS4294967296\"}]}");
    CHECK(e.message.find("invalid AS number") != std::string::npos);
    e = parse_error("{\"roas\": [{\"prefix\": \"10.0.0.0/16\", \"asn\": 4294967296}]}");
    CHECK(e.message.find("\"asn\" must be an integer") != std::string::npos);
    e = parse_error("{\"roas\": [{\"prefix\": \"10.0.0.0/16\"}]}");
    CHECK(e.message == "ROA without \"asn\"");
    CHECK(e.column == 11);
    e = parse_error("{\"roas\": [{\"prefix\": \"not-a-prefix\", \"asn\": 1}]}");
    CHECK(e.message.find("invalid prefix") != std::string::npos);
    e = parse_error("{\"metadata\": {}}");
    CHECK(e.message == "no \"roas\" member");
    e = parse_error("{\"roas\": [],}");
    CHECK(e.message == "expected a member name (a string)");
    e = parse_error("{\"roas\": []} x");
    CHECK(e.message == "trailing data after the JSON value");
    e = parse_error("{\"roas\": [], \"x\": \"a\\qb\"}");
    CHECK(e.message == "invalid escape in string");
    e = parse_error("{\"roas\": [], \"x\": \"\\ud800\"}");
    CHECK(e.message == "unpaired surrogate in \\u escape");
    e = parse_error("{\"roas\": [], \"x\": 01}");
    CHECK(e.message == "expected ',' or '}'");
    e = parse_error("{\"roas\": [], \"x\": tru}");
    CHECK(e.message == "invalid literal");
    e = parse_error("{\"roas\": [], \"x\": \"a\nb\"}");
    CHECK(e.message == "control character in string");
    e = parse_error("{\"roas\": [");
    CHECK(e.message.find("unexpected end of input") != std::string::npos);
    e = parse_error("[]");
    CHECK(e.message == "expected a JSON object");
    e = parse_error("{\"roas\": [], \"roas\": []}");
    CHECK(e.message == "duplicate \"roas\" member");
    e = parse_error("{\"roas\": [], \"deep\": " + std::string(100, '[') + std::string(100, ']') + "}");
    CHECK(e.message == "nesting too deep");

    auto missing = load_vrp_file("/nonexistent/vrps.json");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error.line == 0);
    CHECK(missing.error.message.find("No such file") != std::string::npos);
}

TEST_CASE("A file source reloads on change, keeps the last set on error, and reports a diff") {
    TempDir dir;
    std::string path = dir.path + "/vrps.json";
    write_file(path, R"({"roas":[{"prefix":"192.0.2.0/24","maxLength":24,"asn":"AS64500"},
                                 {"prefix":"2001:db8::/32","maxLength":32,"asn":"AS64500"}]})");
    RoaSet set;  // no notifier: loads and batches run inline
    std::vector<VrpDelta> deltas;
    set.set_delta_handler([&](const VrpDelta& d) { deltas.push_back(d); });
    auto id = set.add(std::make_unique<VrpFileSource>(path, std::chrono::milliseconds(0)));
    REQUIRE(id != 0);
    set.poll();
    REQUIRE(deltas.size() == 1);
    CHECK(deltas[0].diff.added.size() == 2);
    CHECK(set.in_sync());
    set.poll();
    CHECK(deltas.size() == 1);  // unchanged
    auto st = set.status();
    REQUIRE(st.size() == 1);
    CHECK(st[0].state == "loaded");
    CHECK(st[0].v4_vrps == 1);
    CHECK(st[0].v6_vrps == 1);

    write_file(path, R"({"roas":[{"prefix":"192.0.2.0/24","maxLength":25,"asn":"AS64500"},
                                 {"prefix":"2001:db8::/32","maxLength":32,"asn":"AS64500"}]})");
    set.poll();
    REQUIRE(deltas.size() == 2);
    const auto& d = deltas[1].diff;
    REQUIRE(d.added.size() == 1);
    REQUIRE(d.removed.size() == 1);
    CHECK(d.added[0].max_length == 25);
    CHECK(d.removed[0].max_length == 24);

    write_file(path, "{\"roas\": [oops]}");
    set.poll();
    CHECK(deltas.size() == 2);
    st = set.status();
    CHECK(st[0].state == "stale");
    CHECK(st[0].last_error.find("line 1, column 11") != std::string::npos);
    CHECK(set.index().size() == 2);  // the last good set stays
}

TEST_CASE("A file source loads on the worker and the set hands the batch back through the notifier") {
    TempDir dir;
    std::string path = dir.path + "/vrps.json";
    std::string text = "{\"roas\":[";
    for (int i = 0; i < 20000; ++i)
        text += fmt::format("{}{{\"prefix\":\"10.{}.{}.0/24\",\"asn\":\"AS{}\"}}", i ? "," : "", i / 256, i % 256,
                            64500 + i % 7);
    text += "]}";
    write_file(path, text);
    std::atomic<int> wakes{0};
    RoaSet set([&] { wakes.fetch_add(1); });
    std::vector<VrpDelta> deltas;
    set.set_delta_handler([&](const VrpDelta& d) { deltas.push_back(d); });
    set.add(std::make_unique<VrpFileSource>(path, std::chrono::hours(1)));
    set.poll();  // starts the load on the worker
    // Each wake means a job finished: poll then, as the daemon's loop does.
    for (int i = 0; i < 500 && deltas.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (wakes.exchange(0) > 0) set.poll();
    }
    REQUIRE(deltas.size() == 1);
    CHECK(deltas[0].diff.added.size() == 20000);
    CHECK(deltas[0].in_sync);
    CHECK(set.in_sync());
    CHECK_FALSE(set.busy());
    CHECK(set.validate(P("10.3.4.0/24"), 64500 + (3 * 256 + 4) % 7) == Validity::valid);
}

TEST_CASE("RoaSet is the union of its sources and delivers deltas") {
    TempDir dir;
    std::string a = dir.path + "/a.json", b = dir.path + "/b.json";
    write_file(a, R"({"roas":[{"prefix":"192.0.2.0/24","maxLength":24,"asn":"AS64500"}]})");
    write_file(b, R"({"roas":[{"prefix":"192.0.2.0/24","maxLength":24,"asn":"AS64500"},
                             {"prefix":"198.51.100.0/24","maxLength":24,"asn":"AS64501"}]})");
    RoaSet set;
    std::vector<VrpDelta> deltas;
    set.set_delta_handler([&](const VrpDelta& d) { deltas.push_back(d); });
    CHECK_FALSE(set.in_sync());
    set.add(std::make_unique<VrpFileSource>(a, std::chrono::milliseconds(0)));
    auto idb = set.add(std::make_unique<VrpFileSource>(b, std::chrono::milliseconds(0)));
    auto next = set.poll();
    CHECK(next != Clock::time_point::max());  // files want periodic checks
    CHECK(set.in_sync());
    REQUIRE(deltas.size() == 1);
    CHECK(deltas[0].sync_changed);
    CHECK(deltas[0].diff.added.size() == 2);  // the shared VRP counts once
    CHECK(set.validate(P("198.51.100.0/24"), 64501) == Validity::valid);
    CHECK(set.summary().v4_vrps == 2);
    CHECK(set.status().size() == 2);

    set.remove(idb);
    set.poll();
    REQUIRE(deltas.size() == 2);
    REQUIRE(deltas[1].diff.removed.size() == 1);  // 192.0.2.0/24 still comes from a
    CHECK(deltas[1].diff.removed[0].prefix == P("198.51.100.0/24"));
    CHECK(set.validate(P("198.51.100.0/24"), 64501) == Validity::not_found);
    CHECK(set.validate(P("192.0.2.0/24"), 64500) == Validity::valid);
    set.poll();
    CHECK(deltas.size() == 2);  // nothing changed: no delta
}
