#include "common/feed/feed_server.h"

#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/feed/cursor.h"
#include "common/status/rich_status.h"

namespace ks::feed {
namespace {

using ::kerjasosial::common::v1::Event;
using ::kerjasosial::common::v1::StreamEventsRequest;

class FinishedReactor final : public grpc::ServerWriteReactor<Event> {
 public:
  explicit FinishedReactor(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

// Redis failing mid-stream is UNAVAILABLE for the client, whatever the
// transport said: the client's answer is always "retry from your cursor".
grpc::Status StorageError(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnavailable ||
      status.code() == absl::StatusCode::kDeadlineExceeded) {
    return grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat("feed storage unavailable: ", status.message()));
  }
  return ks::ToGrpcStatus(status);
}

// One XRANGE/XREAD entry: [id, [field, value, ...]].
absl::StatusOr<Event> EntryToEvent(const redis::Reply& entry,
                                   absl::string_view source, std::string* id) {
  if (!entry.is_array() || entry.elements.size() != 2 ||
      !entry.elements[0].is_string()) {
    return absl::InternalError(
        absl::StrCat("unexpected stream entry: ", entry.DebugString()));
  }
  *id = entry.elements[0].str;
  Event event;
  const redis::Reply& fields = entry.elements[1];
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].str == kEventField) {
      if (!event.ParseFromString(fields.elements[i + 1].str)) event.Clear();
      break;
    }
  }
  event.set_cursor(*id);
  if (event.source().empty()) event.set_source(std::string(source));
  return event;
}

}  // namespace

grpc::ServerWriteReactor<Event>* FinishedStream(grpc::Status status) {
  return new FinishedReactor(std::move(status));
}

// One StreamEvents call. The reader thread (Run) reads Redis and hands one
// batch at a time to the reactor; gRPC's threads only run the short
// reactions (OnWriteDone starts the next write of the batch). The reader
// thread alone calls Finish, after the last write's reaction, so every
// reaction has run before OnDone; OnDone joins the thread and deletes.
class FeedServer::StreamReactor final : public grpc::ServerWriteReactor<Event> {
 public:
  StreamReactor(FeedServer* server, const StreamEventsRequest& request,
                std::string after)
      : server_(server),
        regencies_(request.regency_codes().begin(),
                   request.regency_codes().end()),
        stop_at_end_(request.stop_at_end()),
        last_(std::move(after)) {}

  // Called once, with the reactor registered.
  void Start() {
    StartSendInitialMetadata();
    thread_ = std::thread([this] { Run(); });
  }

  // Asks the reader to end the stream with `status` (Shutdown).
  void RequestStop(grpc::Status status) {
    absl::MutexLock lock(&mu_);
    if (!stop_) {
      stop_ = true;
      stop_status_ = std::move(status);
    }
  }

  void OnWriteDone(bool ok) override {
    bool start = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) write_failed_ = true;
      if (ok && !pending_.empty() && !cancelled_ && !stop_) {
        current_ = std::move(pending_.front());
        pending_.pop_front();
        writing_ = true;
        start = true;
      }
    }
    if (start) StartWrite(&current_);
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }

  void OnDone() override {
    if (thread_.joinable()) {
      // gRPC runs OnDone on its own threads; detach only covers an inline
      // OnDone on the reader itself, which touches nothing after Finish.
      if (thread_.get_id() == std::this_thread::get_id()) {
        thread_.detach();
      } else {
        thread_.join();
      }
    }
    server_->Unregister(this);
    delete this;
  }

 private:
  void Run() {
    grpc::Status status = Follow();
    {
      // The last write's reaction must run before Finish (a cancelled
      // call's pending write completes at once with ok=false).
      absl::MutexLock lock(&mu_);
      pending_.clear();
      mu_.Await(absl::Condition(
          +[](bool* writing) { return !*writing; }, &writing_));
    }
    Finish(std::move(status));
    // `this` may be deleted from here on.
  }

  // Non-OK when the stream must end early: cancelled, stopped, write failed.
  bool Ended(grpc::Status* status) {
    absl::MutexLock lock(&mu_);
    return EndedLocked(status);
  }
  bool EndedLocked(grpc::Status* status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (cancelled_ || write_failed_) {
      *status = grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled");
      return true;
    }
    if (stop_) {
      *status = stop_status_;
      return true;
    }
    return false;
  }

  grpc::Status Follow() {
    const FeedServerOptions& options = server_->options_;
    const redis::Options& redis_options = server_->pool_.options();
    absl::StatusOr<std::unique_ptr<redis::Connection>> connection =
        redis::Connection::Connect(redis_options);
    if (!connection.ok()) return StorageError(connection.status());
    redis::Connection& redis = **connection;
    const std::string count = absl::StrCat(options.batch_size);

    // stop_at_end: the replay ends at the newest entry that exists now.
    std::string head;
    if (stop_at_end_) {
      absl::StatusOr<redis::Reply> newest = redis.Command(
          {"XREVRANGE", options.stream_key, "+", "-", "COUNT", "1"});
      if (!newest.ok()) return StorageError(newest.status());
      if (newest->elements.empty()) return grpc::Status::OK;
      head = newest->elements[0].elements.empty()
                 ? std::string()
                 : newest->elements[0].elements[0].str;
    }
    const absl::Duration read_timeout =
        options.block + redis_options.command_timeout;
    const std::string block_ms =
        absl::StrCat(absl::ToInt64Milliseconds(options.block));

    grpc::Status status;
    while (!Ended(&status)) {
      const std::vector<redis::Reply>* entries = nullptr;
      absl::StatusOr<redis::Reply> reply;
      if (stop_at_end_) {
        absl::StatusOr<StreamId> last = ParseStreamId(last_);
        absl::StatusOr<StreamId> end = ParseStreamId(head);
        if (!last.ok() || !end.ok()) {
          return grpc::Status(grpc::StatusCode::INTERNAL,
                              "unexpected stream id from Redis");
        }
        if (*end <= *last) return grpc::Status::OK;
        reply = redis.Command({"XRANGE", options.stream_key,
                               absl::StrCat("(", last_), head, "COUNT", count});
        if (!reply.ok()) return StorageError(reply.status());
        if (reply->elements.empty()) return grpc::Status::OK;
        entries = &reply->elements;
      } else {
        reply = redis.Command({"XREAD", "COUNT", count, "BLOCK", block_ms,
                               "STREAMS", options.stream_key, last_},
                              read_timeout);
        if (!reply.ok()) return StorageError(reply.status());
        if (reply->is_nil() || reply->elements.empty()) continue;  // timeout
        // [[key, [entry, ...]]]
        const redis::Reply& stream = reply->elements[0];
        if (stream.elements.size() != 2) {
          return grpc::Status(grpc::StatusCode::INTERNAL,
                              "unexpected XREAD reply");
        }
        entries = &stream.elements[1].elements;
      }
      std::vector<Event> batch;
      batch.reserve(entries->size());
      for (const redis::Reply& entry : *entries) {
        std::string id;
        absl::StatusOr<Event> event = EntryToEvent(entry, options.source, &id);
        if (!event.ok()) return ks::ToGrpcStatus(event.status());
        last_ = id;  // filtered events advance the position too
        if (!regencies_.empty() &&
            !regencies_.contains(event->regency_code())) {
          continue;
        }
        batch.push_back(*std::move(event));
      }
      if (!Deliver(std::move(batch), &status)) return status;
    }
    return status;
  }

  // Hands a batch to the writer and waits until the client took all of it
  // (the back-pressure point). False when the stream ended meanwhile.
  bool Deliver(std::vector<Event> batch, grpc::Status* status) {
    if (batch.empty()) return true;
    bool start = false;
    {
      absl::MutexLock lock(&mu_);
      if (EndedLocked(status)) return false;
      for (Event& event : batch) pending_.push_back(std::move(event));
      if (!writing_) {
        current_ = std::move(pending_.front());
        pending_.pop_front();
        writing_ = true;
        start = true;
      }
    }
    if (start) StartWrite(&current_);
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](StreamReactor* r) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return (r->pending_.empty() && !r->writing_) || r->cancelled_ ||
                 r->stop_ || r->write_failed_;
        },
        this));
    return !EndedLocked(status);
  }

  FeedServer* const server_;
  const absl::flat_hash_set<std::string> regencies_;
  const bool stop_at_end_;
  std::string last_;  // reader thread only: the last stream id read
  std::thread thread_;

  absl::Mutex mu_;
  std::deque<Event> pending_ ABSL_GUARDED_BY(mu_);
  // The message of the write in flight; touched only while writing_ is
  // false (by whoever sets it true) or by gRPC during the write.
  Event current_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status stop_status_ ABSL_GUARDED_BY(mu_);
};

FeedServer::FeedServer(redis::Pool& pool, FeedServerOptions options)
    : pool_(pool), options_(std::move(options)) {}

FeedServer::~FeedServer() { Shutdown(); }

grpc::ServerWriteReactor<Event>* FeedServer::Stream(
    grpc::CallbackServerContext* /*context*/,
    const StreamEventsRequest* request) {
  std::string after = "0-0";
  if (!request->after_cursor().empty()) {
    absl::StatusOr<StreamId> cursor =
        ParseStreamId(request->after_cursor(), "after_cursor");
    if (!cursor.ok()) return FinishedStream(ks::ToGrpcStatus(cursor.status()));
    after = FormatStreamId(*cursor);
  }
  StreamReactor* reactor = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      return FinishedStream(
          grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
    }
    if (static_cast<int>(streams_.size()) >= options_.max_streams) {
      return FinishedStream(
          grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       absl::StrCat("too many concurrent event streams (limit ",
                                    options_.max_streams, "); retry later")));
    }
    reactor = new StreamReactor(this, *request, std::move(after));
    streams_.insert(reactor);
  }
  reactor->Start();
  return reactor;
}

absl::StatusOr<std::string> FeedServer::Head() {
  absl::StatusOr<redis::Reply> newest =
      pool_.Command({"XREVRANGE", options_.stream_key, "+", "-", "COUNT", "1"});
  if (!newest.ok()) return newest.status();
  if (newest->elements.empty() || newest->elements[0].elements.empty()) {
    return std::string();
  }
  return newest->elements[0].elements[0].str;
}

void FeedServer::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  for (StreamReactor* reactor : streams_) {
    reactor->RequestStop(
        grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
  }
  mu_.Await(absl::Condition(
      +[](std::set<StreamReactor*>* streams) { return streams->empty(); },
      &streams_));
}

int FeedServer::active_streams() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(streams_.size());
}

void FeedServer::Unregister(StreamReactor* reactor) {
  absl::MutexLock lock(&mu_);
  streams_.erase(reactor);
}

}  // namespace ks::feed
