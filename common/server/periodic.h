// Periodic: runs a task now and then every `interval` on its own thread
// until destroyed — the loop of a service's sweeps (placements' agreement
// expiry, supervision's at-risk/overdue sweep), written once.
//
// The task runs to completion before the next wait starts, so two runs of
// one Periodic never overlap; the destructor wakes the wait and joins, and
// waits for a run in progress to finish. The task must be idempotent and
// report its own errors (e.g. log them): a failed run is simply retried at
// the next tick.
//
// Thread-safe: the task runs on the Periodic's thread only.
#ifndef KS_COMMON_SERVER_PERIODIC_H_
#define KS_COMMON_SERVER_PERIODIC_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/time/time.h"

namespace ks::server {

class Periodic {
 public:
  Periodic(std::function<void()> task, absl::Duration interval)
      : thread_([this, task = std::move(task), interval] {
          std::unique_lock<std::mutex> lock(mu_);
          while (!stop_) {
            lock.unlock();
            task();
            lock.lock();
            cv_.wait_for(lock, absl::ToChronoMilliseconds(interval),
                         [this] { return stop_; });
          }
        }) {}
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;
  ~Periodic() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  // Last: started once the members above exist.
  std::thread thread_;
};

}  // namespace ks::server

#endif  // KS_COMMON_SERVER_PERIODIC_H_
