// Exec commands: what the control socket runs (show, clear, neighbor
// shutdown). Handlers read the daemon only through bgp::Control.
//
// A reply body is an Output that is pulled in bounded slices, so the server
// can write one slice, wait for the socket, and only then produce the next:
// a long table never has to be rendered in one go.
#pragma once

#include "bgpd/control.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace moat::cli {

class Output {
public:
    virtual ~Output() = default;
    // Appends up to about `budget` bytes to out. Returns false when the body
    // is complete (out may still have received a last slice).
    virtual bool next(std::string& out, size_t budget) = 0;
};

// An Output over text that is already rendered.
class TextOutput final : public Output {
public:
    explicit TextOutput(std::string text) : text_(std::move(text)) {}
    bool next(std::string& out, size_t budget) override;

private:
    std::string text_;
    size_t pos_ = 0;
};

struct ExecResult {
    bool ok = true;
    std::string error;               // "% Unknown command at 'foo'" when !ok
    std::unique_ptr<Output> output;  // when ok
};

ExecResult execute(bgp::Control& control, std::string_view line,
                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace moat::cli
