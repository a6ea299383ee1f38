#include "common/feed/feed_server.h"

#include <algorithm>
#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/authenticator.h"
#include "common/feed/cursor.h"
#include "common/feed/retention.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "google/protobuf/descriptor.h"

namespace ks::feed {
namespace {

using ::kerjasosial::common::v1::Event;
using ::kerjasosial::common::v1::SnapshotComplete;
using ::kerjasosial::common::v1::StreamEventsRequest;

// Bounds on the request's lists: enough for any real filter (514 regencies
// exist), small enough that a hostile request costs nothing.
constexpr int kMaxRegencyCodes = 514;
constexpr int kMaxEventTypes = 100;
constexpr size_t kMaxEventTypeLength = 256;

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

// The newest entry id of `key`, or "0-0" for an empty stream.
absl::StatusOr<std::string> StreamHead(redis::Connection& redis,
                                       const std::string& key) {
  absl::StatusOr<redis::Reply> newest =
      redis.Command({"XREVRANGE", key, "+", "-", "COUNT", "1"});
  if (!newest.ok()) return newest.status();
  if (newest->elements.empty() || newest->elements[0].elements.empty()) {
    return std::string("0-0");
  }
  return newest->elements[0].elements[0].str;
}

// Compares two Redis ids; false for anything unparsable (never from Redis).
bool IdLess(absl::string_view a, absl::string_view b) {
  absl::StatusOr<StreamId> x = ParseStreamId(a);
  absl::StatusOr<StreamId> y = ParseStreamId(b);
  return x.ok() && y.ok() && *x < *y;
}

// "PP.RR": what an event's regency_code and a filter entry look like.
bool IsRegencyCodeSyntax(absl::string_view code) {
  return code.size() == 5 && absl::ascii_isdigit(code[0]) &&
         absl::ascii_isdigit(code[1]) && code[2] == '.' &&
         absl::ascii_isdigit(code[3]) && absl::ascii_isdigit(code[4]);
}

// A fully-qualified protobuf message name this binary knows.
bool IsKnownMessageType(absl::string_view name) {
  if (name.empty() || name.size() > kMaxEventTypeLength) return false;
  for (absl::string_view part : absl::StrSplit(name, '.')) {
    if (part.empty() || absl::ascii_isdigit(part[0])) return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
        return false;
      }
    }
  }
  return google::protobuf::DescriptorPool::generated_pool()
             ->FindMessageTypeByName(std::string(name)) != nullptr;
}

// Everything about the request that can be refused without Redis. OK or the
// status to finish with.
absl::Status CheckRequest(const StreamEventsRequest& request,
                          const auth::Principal& reader, bool has_snapshot,
                          std::string* after) {
  std::vector<FieldViolation> violations;
  *after = "0-0";
  if (!request.after_cursor().empty()) {
    if (request.snapshot()) {
      violations.push_back({"after_cursor",
                            "must be empty with snapshot: a snapshot starts "
                            "from the current state"});
    } else {
      absl::StatusOr<StreamId> cursor =
          ParseStreamId(request.after_cursor(), "after_cursor");
      if (!cursor.ok()) return cursor.status();
      *after = FormatStreamId(*cursor);
    }
  }
  if (request.regency_codes_size() > kMaxRegencyCodes) {
    violations.push_back(
        {"regency_codes",
         absl::StrCat("at most ", kMaxRegencyCodes, " codes")});
  } else {
    for (int i = 0; i < request.regency_codes_size(); ++i) {
      if (!IsRegencyCodeSyntax(request.regency_codes(i))) {
        violations.push_back({absl::StrCat("regency_codes[", i, "]"),
                              "must be a Kemendagri regency code PP.RR"});
      }
    }
  }
  if (request.event_types_size() > kMaxEventTypes) {
    violations.push_back(
        {"event_types", absl::StrCat("at most ", kMaxEventTypes, " types")});
  } else {
    for (int i = 0; i < request.event_types_size(); ++i) {
      if (!IsKnownMessageType(request.event_types(i))) {
        violations.push_back(
            {absl::StrCat("event_types[", i, "]"),
             "must be the fully-qualified name of an event type this "
             "service publishes, e.g. kerjasosial.cases.v1.CaseRegistered"});
      }
    }
  }
  if (!request.consumer_id().empty() &&
      !IsValidConsumerId(request.consumer_id())) {
    violations.push_back(
        {"consumer_id", "must be 1..64 characters of [A-Za-z0-9._-]"});
  }
  if (!violations.empty()) return InvalidArgumentError(violations);
  // Scope after syntax: a malformed code is not a permission question.
  for (const std::string& code : request.regency_codes()) {
    KS_RETURN_IF_ERROR(auth::Require(reader, {}, code));
  }
  if (request.snapshot() && !has_snapshot) {
    return absl::UnimplementedError(
        "snapshot: this service offers no snapshot of its aggregates");
  }
  return absl::OkStatus();
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
  StreamReactor(FeedServer* server, grpc::CallbackServerContext* context,
                const StreamEventsRequest& request, auth::Principal reader,
                SnapshotSource* source, std::string after)
      : server_(server),
        context_(context),
        source_(source),
        reader_(std::move(reader)),
        regencies_(request.regency_codes().begin(),
                   request.regency_codes().end()),
        types_(request.event_types().begin(), request.event_types().end()),
        stop_at_end_(request.stop_at_end()),
        snapshot_(request.snapshot()),
        consumer_(request.consumer_id().empty()
                      ? std::string()
                      : absl::StrCat(reader_.id, "/", request.consumer_id())),
        last_(std::move(after)) {}

  // Called once, with the reactor registered.
  void Start() {
    StartSendInitialMetadata();
    thread_ = std::thread([this] { Run(); });
  }

  // Asks the reader to end the stream with `status` (StopStreams).
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
    // The last write's reaction must run before Finish (a cancelled call's
    // pending write completes at once with ok=false). A client that stopped
    // reading never completes it; when the server is stopping, it gets
    // `drain` to take it and is then cancelled, so shutdown is bounded.
    const absl::Duration drain = server_->options_.drain;
    mu_.Lock();
    pending_.clear();
    mu_.Await(absl::Condition(
        +[](StreamReactor* r) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return !r->writing_ || r->stop_;
        },
        this));
    if (writing_ &&
        !mu_.AwaitWithTimeout(
            absl::Condition(
                +[](bool* writing) { return !*writing; }, &writing_),
            drain)) {
      mu_.Unlock();
      // Outside mu_: gRPC may run OnCancel on this thread.
      context_->TryCancel();
      mu_.Lock();
      mu_.Await(absl::Condition(
          +[](bool* writing) { return !*writing; }, &writing_));
    }
    mu_.Unlock();
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

  // Inside the reader's scope and the request's filters. Events without a
  // regency are deployment-level and go to every authorised reader.
  bool Wanted(const Event& event) const {
    const std::string& regency = event.regency_code();
    if (!regency.empty()) {
      if (regencies_.empty() ? !reader_.MayActIn(regency)
                             : !regencies_.contains(regency)) {
        return false;
      }
    }
    return types_.empty() || types_.contains(event.event_type());
  }

  // A replayed event the snapshot already covered (same or newer version).
  bool InSnapshot(const Event& event) const {
    auto it = snapshot_versions_.find(event.aggregate_name());
    return it != snapshot_versions_.end() &&
           event.aggregate_version() <= it->second;
  }

  // Sends the source's aggregates, then SnapshotComplete{cursor = `at`}.
  grpc::Status SendSnapshot(const std::string& at) {
    const FeedServerOptions& options = server_->options_;
    std::vector<Event> batch;
    int64_t sent = 0;
    grpc::Status ended;
    absl::Status enumerated =
        source_->Enumerate([&](Event event) -> absl::Status {
          if (Ended(&ended)) return absl::CancelledError("stream ended");
          event.set_snapshot(true);
          event.clear_cursor();
          if (event.source().empty()) event.set_source(options.source);
          if (!Wanted(event)) return absl::OkStatus();
          int64_t& version = snapshot_versions_[event.aggregate_name()];
          version = std::max(version, event.aggregate_version());
          batch.push_back(std::move(event));
          ++sent;
          if (static_cast<int>(batch.size()) >= options.batch_size) {
            if (!Deliver(std::move(batch), &ended)) {
              return absl::CancelledError("stream ended");
            }
            batch.clear();
          }
          return absl::OkStatus();
        });
    if (!ended.ok()) return ended;
    if (!enumerated.ok()) return StorageError(enumerated);
    Event complete;
    complete.set_snapshot(true);
    complete.set_cursor(at);
    complete.set_source(options.source);
    complete.set_event_type(SnapshotComplete::descriptor()->full_name());
    SnapshotComplete payload;
    payload.set_aggregates(sent);
    complete.mutable_payload()->PackFrom(payload);
    batch.push_back(std::move(complete));
    if (!Deliver(std::move(batch), &ended)) return ended;
    return grpc::Status::OK;
  }

  grpc::Status Follow() {
    const FeedServerOptions& options = server_->options_;
    const redis::Options& redis_options = server_->pool_.options();
    absl::StatusOr<std::unique_ptr<redis::Connection>> connection =
        redis::Connection::Connect(redis_options);
    if (!connection.ok()) return StorageError(connection.status());
    redis::Connection& redis = **connection;
    const std::string count = absl::StrCat(options.batch_size);

    if (snapshot_) {
      // The head first: every change after it is replayed after the
      // snapshot, so none committed during the enumeration is missed.
      absl::StatusOr<std::string> head = StreamHead(redis, options.stream_key);
      if (!head.ok()) return StorageError(head.status());
      last_ = *head;
      // A feed trimmed empty has no head, but its position is still where
      // the trim left it (the source's state includes everything before).
      absl::StatusOr<std::string> trimmed =
          TrimmedThrough(redis, options.stream_key);
      if (!trimmed.ok()) return StorageError(trimmed.status());
      if (IdLess(last_, *trimmed)) last_ = *trimmed;
    }
    if (!consumer_.empty()) {
      absl::Status registered =
          RegisterConsumer(redis, options.stream_key, consumer_, last_);
      if (!registered.ok()) return StorageError(registered);
    }
    if (grpc::Status trimmed = CheckNotTrimmed(redis); !trimmed.ok()) {
      return trimmed;
    }
    std::string replay_end;  // while last_ is below it, dedup vs snapshot
    if (snapshot_) {
      grpc::Status sent = SendSnapshot(last_);
      if (!sent.ok()) return sent;
      absl::StatusOr<std::string> head = StreamHead(redis, options.stream_key);
      if (!head.ok()) return StorageError(head.status());
      replay_end = *head;
      if (!IdLess(last_, replay_end)) snapshot_versions_.clear();
    }

    // stop_at_end: the replay ends at the newest entry that exists now (for
    // a snapshot, once it was sent).
    std::string head;
    if (stop_at_end_) {
      absl::StatusOr<std::string> newest =
          StreamHead(redis, options.stream_key);
      if (!newest.ok()) return StorageError(newest.status());
      head = *newest;
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
        if (!IdLess(last_, head)) return grpc::Status::OK;
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
      // A trim between the previous read and this one leaves a gap that
      // XRANGE/XREAD would skip silently.
      if (grpc::Status trimmed = CheckNotTrimmed(redis); !trimmed.ok()) {
        return trimmed;
      }
      std::vector<Event> batch;
      batch.reserve(entries->size());
      for (const redis::Reply& entry : *entries) {
        std::string id;
        absl::StatusOr<Event> event = EntryToEvent(entry, options.source, &id);
        if (!event.ok()) return ks::ToGrpcStatus(event.status());
        last_ = id;  // filtered events advance the position too
        if (!Wanted(*event) || InSnapshot(*event)) continue;
        batch.push_back(*std::move(event));
      }
      if (!snapshot_versions_.empty() && !IdLess(last_, replay_end)) {
        snapshot_versions_.clear();  // past the snapshot's window
      }
      if (!Deliver(std::move(batch), &status)) return status;
    }
    return status;
  }

  // OUT_OF_RANGE when entries after last_ were trimmed.
  grpc::Status CheckNotTrimmed(redis::Connection& redis) {
    absl::StatusOr<std::string> trimmed =
        TrimmedThrough(redis, server_->options_.stream_key);
    if (!trimmed.ok()) return StorageError(trimmed.status());
    if (!trimmed->empty() && IdLess(last_, *trimmed)) {
      return ks::ToGrpcStatus(CursorTrimmedError(last_, *trimmed));
    }
    return grpc::Status::OK;
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
  grpc::CallbackServerContext* const context_;  // valid until OnDone
  SnapshotSource* const source_;                // set when snapshot_
  const auth::Principal reader_;
  const absl::flat_hash_set<std::string> regencies_;
  const absl::flat_hash_set<std::string> types_;
  const bool stop_at_end_;
  const bool snapshot_;
  const std::string consumer_;  // "<principal>/<consumer_id>" or ""
  // Reader thread only.
  std::string last_;  // the last stream id read
  absl::flat_hash_map<std::string, int64_t> snapshot_versions_;
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
    : pool_(pool),
      options_(std::move(options)),
      snapshot_source_(options_.snapshot_source) {}

void FeedServer::SetSnapshotSource(SnapshotSource* source) {
  absl::MutexLock lock(&mu_);
  snapshot_source_ = source;
}

FeedServer::~FeedServer() { Shutdown(); }

grpc::ServerWriteReactor<Event>* FeedServer::Stream(
    grpc::CallbackServerContext* context, const StreamEventsRequest* request,
    const auth::Principal& reader) {
  SnapshotSource* source = nullptr;
  {
    absl::MutexLock lock(&mu_);
    source = snapshot_source_;
  }
  std::string after;
  if (absl::Status checked =
          CheckRequest(*request, reader, source != nullptr, &after);
      !checked.ok()) {
    return FinishedStream(ks::ToGrpcStatus(checked));
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
    reactor = new StreamReactor(this, context, *request, reader, source,
                                std::move(after));
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

void FeedServer::StopStreams() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  for (StreamReactor* reactor : streams_) {
    reactor->RequestStop(
        grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
  }
}

void FeedServer::Shutdown() {
  StopStreams();
  absl::MutexLock lock(&mu_);
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
