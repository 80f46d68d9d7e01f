// moatctl's interactive shell (see shell.hpp): libedit for line editing and
// history; completion, `?` help, the prompt and every command's meaning come
// from the daemon over the control socket (requests `complete LINE` and
// `mode`, docs/cli-protocol.md), so the shell has no copy of the grammar.
#include "cli/shell.hpp"

#include <histedit.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace moat::cli {

namespace {

struct Shell {
    Client* client = nullptr;
    std::string prompt = "moat> ";
    bool closed = false;
};

Shell* g_shell = nullptr;  // libedit callbacks get only the EditLine

struct Candidate {
    std::string word, help;
};

std::vector<Candidate> ask_completions(const std::string& line) {
    std::string body;
    auto r = g_shell->client->run("complete " + line, [&body](std::string_view d) { body.append(d); });
    std::vector<Candidate> out;
    if (r.status != Client::Result::ok) return out;
    size_t pos = 0;
    while (pos < body.size()) {
        size_t eol = body.find('\n', pos);
        if (eol == std::string::npos) eol = body.size();
        std::string l = body.substr(pos, eol - pos);
        pos = eol + 1;
        auto tab = l.find('\t');
        out.push_back(tab == std::string::npos ? Candidate{l, {}} : Candidate{l.substr(0, tab), l.substr(tab + 1)});
    }
    return out;
}

// The text before the cursor.
std::string line_before_cursor(EditLine* el) {
    const LineInfo* li = el_line(el);
    return std::string(li->buffer, static_cast<size_t>(li->cursor - li->buffer));
}

void print_list(const std::vector<Candidate>& list, bool with_help) {
    size_t width = 0;
    for (const auto& c : list) width = std::max(width, c.word.size());
    std::fputc('\n', stdout);
    for (const auto& c : list) {
        if (with_help)
            std::printf("  %-*s  %s\n", static_cast<int>(width), c.word.c_str(), c.help.c_str());
        else
            std::printf("  %s\n", c.word.c_str());
    }
    std::fflush(stdout);
}

bool is_keyword(const std::string& w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

unsigned char on_tab(EditLine* el, int) {
    std::string line = line_before_cursor(el);
    auto list = ask_completions(line);
    std::string partial;
    if (!line.empty() && line.back() != ' ') {
        auto sp = line.find_last_of(' ');
        partial = sp == std::string::npos ? line : line.substr(sp + 1);
    }
    std::vector<std::string> words;
    for (const auto& c : list)
        if (is_keyword(c.word)) words.push_back(c.word);
    if (words.size() == 1 && !partial.empty() && words[0].size() >= partial.size()) {
        std::string rest = words[0].substr(partial.size()) + " ";
        el_insertstr(el, rest.c_str());
        return CC_REDISPLAY;
    }
    if (!words.empty() && !partial.empty()) {
        // The longest common prefix of the keywords.
        std::string common = words[0];
        for (const auto& w : words) {
            size_t n = 0;
            while (n < common.size() && n < w.size() && common[n] == w[n]) ++n;
            common.resize(n);
        }
        if (common.size() > partial.size()) {
            el_insertstr(el, common.substr(partial.size()).c_str());
            return CC_REDISPLAY;
        }
    }
    if (list.empty()) return CC_REFRESH_BEEP;
    print_list(list, false);
    return CC_REDISPLAY;
}

unsigned char on_help(EditLine* el, int) {
    auto list = ask_completions(line_before_cursor(el));
    if (list.empty()) {
        std::printf("\n%% There is no matched command.\n");
        std::fflush(stdout);
        return CC_REDISPLAY;
    }
    print_list(list, true);
    return CC_REDISPLAY;
}

char* prompt_of(EditLine*) { return g_shell->prompt.data(); }

// Asks the daemon for the node, privilege and hostname.
void update_prompt() {
    std::string body;
    auto r = g_shell->client->run("mode", [&body](std::string_view d) { body.append(d); });
    if (r.status != Client::Result::ok) return;
    while (!body.empty() && body.back() == '\n') body.pop_back();
    if (body == "closed") {
        g_shell->closed = true;
        return;
    }
    auto sp1 = body.find(' ');
    auto sp2 = body.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return;
    std::string node = body.substr(0, sp1);
    std::string level = body.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string host = body.substr(sp2 + 1);
    std::string p = host;
    if (node != "exec") p += "(" + node + ")";
    p += level == "enable" ? "# " : "> ";
    g_shell->prompt = p;
}

std::string history_path() {
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.moatctl_history";
}

}  // namespace

int run_shell(Client& client) {
    Shell shell;
    shell.client = &client;
    g_shell = &shell;
    // A shell starts unprivileged; `enable` asks for more.
    auto r = client.run("disable", [](std::string_view) {});
    if (r.status == Client::Result::broken) {
        std::fprintf(stderr, "moatctl: %s\n", r.message.c_str());
        return 2;
    }
    update_prompt();

    EditLine* el = el_init("moatctl", stdin, stdout, stderr);
    History* hist = history_init();
    HistEvent ev;
    history(hist, &ev, H_SETSIZE, 1000);
    history(hist, &ev, H_SETUNIQUE, 1);
    std::string hpath = history_path();
    history(hist, &ev, H_LOAD, hpath.c_str());
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_HIST, history, hist);
    el_set(el, EL_PROMPT, prompt_of);
    // The wide form: libedit keeps these strings as given, where the narrow
    // el_set(EL_ADDFN) copies them and never frees the copies.
    el_wset(el, EL_ADDFN, L"moat-complete", L"Complete the word", on_tab);
    el_wset(el, EL_ADDFN, L"moat-help", L"List what may come next", on_help);
    el_set(el, EL_BIND, "^I", "moat-complete", nullptr);
    el_set(el, EL_BIND, "?", "moat-help", nullptr);
    el_set(el, EL_SIGNAL, 1);

    int status = 0;
    while (!shell.closed) {
        int count = 0;
        const char* got = el_gets(el, &count);
        if (!got || count <= 0) {  // end of input
            std::fputc('\n', stdout);
            break;
        }
        std::string line(got);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        history(hist, &ev, H_ENTER, line.c_str());
        history(hist, &ev, H_SAVE, hpath.c_str());
        auto res = client.run(line, [](std::string_view d) { std::fwrite(d.data(), 1, d.size(), stdout); });
        std::fflush(stdout);
        if (res.status == Client::Result::broken) {
            std::fprintf(stderr, "moatctl: %s\n", res.message.c_str());
            status = 2;
            break;
        }
        if (res.status == Client::Result::error) {
            if (res.column > 0) {
                // A caret under the offending word, as typed after the prompt.
                std::string caret(shell.prompt.size() + res.column - 1, ' ');
                std::printf("%s^\n%% Invalid input detected at '^' marker.\n", caret.c_str());
            }
            std::printf("%s\n", res.message.c_str());
            std::fflush(stdout);
        }
        update_prompt();
    }
    history(hist, &ev, H_SAVE, hpath.c_str());
    history_end(hist);
    el_end(el);
    g_shell = nullptr;
    return status;
}

}  // namespace moat::cli
