// One background thread that runs jobs in order, off the event loop: VRP
// file parsing and VRP index snapshots are built here and handed back
// finished (the owner's notifier wakes the loop, which takes the result).
// Jobs own what they touch (shared results, captured by value): they never
// reach into the owner's state.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace moat::rtr {

class Worker {
public:
    Worker();
    ~Worker();  // lets the running job finish, drops the queued ones, joins
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void post(std::function<void()> job);

private:
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts when the rest is ready
};

}  // namespace moat::rtr
