// Executor: a fixed set of worker threads with a bounded queue, for handlers
// that should not block gRPC's callback threads on Redis (gRPC's guidance
// for the callback API). Pipeline uses it when PipelineOptions.executor is
// set; the default is inline, and this is the switch a benchmark flips to
// compare the two.
//
// Bounded: at most `queue_limit` tasks wait; Submit() refuses beyond that
// (the caller answers RESOURCE_EXHAUSTED), so a flood cannot grow memory.
//
// Thread-safe. The destructor runs every queued task, then joins.
#ifndef KS_COMMON_RPC_EXECUTOR_H_
#define KS_COMMON_RPC_EXECUTOR_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace ks::rpc {

class Executor {
 public:
  Executor(int threads, size_t queue_limit);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`; false (and `task` not run) when the queue is full or the
  // executor is shutting down.
  bool Submit(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Work() ABSL_LOCKS_EXCLUDED(mu_);

  const size_t queue_limit_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace ks::rpc

#endif  // KS_COMMON_RPC_EXECUTOR_H_
