// ConsumerPool: a fixed number of worker threads that follow any number of
// feed::Consumers (ConsumerOptions::pool), so that following hundreds of
// upstream feeds costs `workers` threads, not one per upstream.
//
// How: each consumer is given, for its whole life, to the worker with the
// fewest consumers. A worker owns one gRPC CompletionQueue and drives its
// consumers' StreamEvents calls asynchronously (ClientAsyncReader): one
// operation per consumer in flight at a time (start, initial metadata, one
// read, finish, or the backoff alarm), each completion handled by the same
// steps a consumer's own thread runs (Consumer::OnEvent applies the event in
// its atomic Redis step). A worker thus never waits on an upstream: a
// consumer whose upstream is down, slow or silent just has no completion,
// while the others' reads keep completing on the same queue; a consumer
// with a large backlog re-queues after every event, so it shares its worker
// fairly with the rest. What a worker does wait on is the own Redis (one
// script per event), as each consumer's thread did.
//
// Adding or removing a consumer touches only that consumer: Remove cancels
// its call (or its backoff alarm) and waits until its worker let go of it.
//
// Thread-safe. Destroy the pool after every consumer on it was stopped
// (its destructor stops those that were not).
#ifndef KS_COMMON_FEED_CONSUMER_POOL_H_
#define KS_COMMON_FEED_CONSUMER_POOL_H_

#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/feed/consumer.h"
#include "grpcpp/alarm.h"
#include "grpcpp/grpcpp.h"

namespace ks::feed {

class ConsumerPool {
 public:
  // `workers` threads (at least 1), started now.
  explicit ConsumerPool(int workers);
  ~ConsumerPool();
  ConsumerPool(const ConsumerPool&) = delete;
  ConsumerPool& operator=(const ConsumerPool&) = delete;

  int workers() const { return static_cast<int>(workers_.size()); }
  // Consumers followed now.
  int size() const;

 private:
  friend class Consumer;
  struct Worker;
  struct Follow;

  // From Consumer::Start / Stop.
  void Add(Consumer* consumer);
  void Remove(Consumer* consumer);

  void Loop(Worker* worker);
  // The completion of `follow`'s one operation in flight.
  void Step(Follow* follow, bool ok);
  // Opens a stream from the consumer's stored cursor.
  void Begin(Follow* follow);
  void ReadNext(Follow* follow);
  void FinishCall(Follow* follow);
  // The stream finished: back off, then Begin again.
  void Retry(Follow* follow, const absl::Status& status, bool progressed);
  // Whether `follow` is being removed; if so it is let go (the caller must
  // not touch it again).
  bool LetGoIfStopping(Follow* follow) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::vector<std::unique_ptr<Worker>> workers_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<Consumer*, std::unique_ptr<Follow>> follows_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace ks::feed

#endif  // KS_COMMON_FEED_CONSUMER_POOL_H_
