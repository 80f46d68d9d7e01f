// Exec commands: what the control socket runs (show, clear, neighbor
// shutdown). Handlers read the daemon only through bgp::Control.
//
// A reply body is an Output that is pulled in bounded slices, so the server
// can write one slice, wait for the socket, and only then produce the next:
// a long table never has to be rendered in one go.
#pragma once

#include "bgpd/control.hpp"
#include "cli/grammar.hpp"

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

// Runs an exec command with full privileges (one-shot use). Commands of the
// interactive session (enable, configure terminal, ...) are refused here;
// the server handles them (server.cpp).
ExecResult execute(bgp::Control& control, std::string_view line,
                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// What kind of exec command a matched entry is.
enum class ExecKind : uint8_t {
    view,        // show ...: always allowed
    privileged,  // clear, neighbor shutdown, write, reload: needs `enable` in the shell
    session,     // enable, disable, exit, quit, configure terminal: the connection's state
};
struct ExecCommand {
    ExecKind kind = ExecKind::view;
    std::string_view pattern;  // "configure terminal"
};
const ExecCommand& exec_command(size_t index);  // by Match::index over the exec node
// Runs a matched view or privileged command.
ExecResult run_exec(bgp::Control& control, const Match& m,
                    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// `reload`: loads control.config_path() and applies it; the error text
// ("moatd.conf:3:5: error: ...") or empty.
std::string reload_config(bgp::Control& control);
// `write`: the running config to control.config_path(), atomically (a temp
// file in the same directory, fsync, rename), keeping the file's mode and
// owner. The error text or empty.
std::string write_config(bgp::Control& control);
// Writes text to path atomically as above.
std::string write_file_atomic(const std::string& path, const std::string& text);

}  // namespace moat::cli
