#include "common/feed/consumer.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/feed/consumer_pool.h"
#include "common/feed/cursor.h"
#include "common/feed/retention.h"
#include "common/metrics/metrics.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "google/protobuf/util/time_util.h"

namespace ks::feed {
namespace {

using ::kerjasosial::common::v1::Event;
using ::kerjasosial::common::v1::SnapshotComplete;
using ::kerjasosial::common::v1::StreamEventsRequest;

// KEYS: 1 cursor, 2 seen, 3 dead letters, 4.. the key of each effect command.
// ARGV: 1 cursor, 2 event id, 3 seen window, 4 dead-letter max length,
//       5 dead-letter reason ("" = apply the effect), 6 the event's bytes,
//       then per command: number of args after the key, name, args...
// Returns {0, stored cursor} when the cursor is not newer (redelivery),
// {2, ""} for an event id already applied, {1, ""} when applied,
// {3, reason} when dead-lettered. A snapshot event has no cursor (ARGV[1]
// ""): its effect applies without the cursor and seen checks.
// Cursors compare as (ms, seq) decimal pairs by length, then digits: exact
// for 64-bit values, which Lua's doubles are not.
const redis::Script& CommitScript() {
  static const redis::Script* const kScript = new redis::Script(R"lua(
local function newer(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if not bm then return true end
  if #am ~= #bm then return #am > #bm end
  if am ~= bm then return am > bm end
  if #as ~= #bs then return #as > #bs end
  return as > bs
end
local snapshot = ARGV[1] == ''
if not snapshot then
  local stored = redis.call('GET', KEYS[1])
  if stored and not newer(ARGV[1], stored) then return {0, stored} end
  redis.call('SET', KEYS[1], ARGV[1])
end
if not snapshot and ARGV[2] ~= '' then
  if redis.call('ZSCORE', KEYS[2], ARGV[2]) then return {2, ''} end
  redis.call('ZADD', KEYS[2], string.match(ARGV[1], '^(%d+)-'), ARGV[2])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
end
local reason = ARGV[5]
if reason == '' then
  local i, k = 7, 4
  while i <= #ARGV do
    local n = tonumber(ARGV[i])
    local op = {ARGV[i + 1], KEYS[k]}
    for j = 1, n do op[#op + 1] = ARGV[i + 1 + j] end
    local r = redis.pcall(unpack(op))
    if type(r) == 'table' and r.err then
      reason = 'effect command ' .. (k - 3) .. ' (' .. ARGV[i + 1] ..
               ') failed: ' .. r.err
      break
    end
    i, k = i + 2 + n, k + 1
  end
  if reason == '' then return {1, ''} end
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'cursor', ARGV[1],
           'event_id', ARGV[2], 'reason', reason, 'event', ARGV[6])
return {3, reason}
)lua");
  return *kScript;
}

bool IsTransient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kAborted ||
         code == absl::StatusCode::kResourceExhausted;
}

absl::Status Annotate(const absl::Status& status, absl::string_view what) {
  absl::Status annotated(status.code(),
                         absl::StrCat(what, ": ", status.message()));
  // Keep the details (e.g. ErrorInfo FEED_CURSOR_TRIMMED).
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    annotated.SetPayload(url, payload);
  });
  return annotated;
}

bool IsCursorTrimmed(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kOutOfRange) return false;
  const google::rpc::Status rpc = ToRpcStatus(status);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info) && info.reason() == kReasonCursorTrimmed) {
      return true;
    }
  }
  return false;
}

}  // namespace

Consumer::Consumer(redis::Pool& store, ConsumerOptions options)
    : store_(store),
      options_(std::move(options)),
      cursor_key_(absl::StrCat(options_.key_prefix, ":cursor")),
      seen_key_(absl::StrCat(options_.key_prefix, ":seen")),
      dead_key_(absl::StrCat(options_.key_prefix, ":dead")),
      backoff_(options_.initial_backoff) {}

Consumer::~Consumer() { Stop(); }

bool Consumer::pooled() const {
  return options_.pool != nullptr && options_.async_stream != nullptr;
}

void Consumer::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (started_) return;
    started_ = true;
    stop_ = false;
    if (!pooled()) {
      thread_ = std::thread([this] { Run(); });
      return;
    }
  }
  options_.pool->Add(this);
}

void Consumer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (pooled()) {
    options_.pool->Remove(this);
  } else if (thread_.joinable()) {
    thread_.join();
  }
}

ConsumerStats Consumer::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

bool Consumer::stopping() const {
  absl::MutexLock lock(&mu_);
  return stop_;
}

void Consumer::RecordError(absl::Status status) {
  absl::MutexLock lock(&mu_);
  stats_.last_error = std::move(status);
}

void Consumer::Run() {
  while (!stopping()) {
    BeginAttempt();
    bool progressed = false;
    absl::Status status = ConsumeOnce(&progressed);
    if (stopping()) break;
    const absl::Duration delay = AfterAttempt(status, progressed);
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), delay);
  }
}

void Consumer::BeginAttempt() {
  if (attempted_) {
    absl::MutexLock lock(&mu_);
    ++stats_.reconnects;
  }
  attempted_ = true;
}

absl::Duration Consumer::AfterAttempt(const absl::Status& status,
                                      bool progressed) {
  if (!status.ok()) RecordError(status);
  if (progressed) backoff_ = options_.initial_backoff;
  // Full jitter in [backoff/2, backoff]: many consumers of one upstream
  // that failed together do not come back together.
  const absl::Duration delay = absl::Microseconds(
      absl::Uniform<int64_t>(random_, absl::ToInt64Microseconds(backoff_) / 2,
                             absl::ToInt64Microseconds(backoff_) + 1));
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  return delay;
}

absl::StatusOr<StreamEventsRequest> Consumer::NextRequest() {
  absl::StatusOr<redis::Reply> stored = store_.Command({"GET", cursor_key_});
  if (!stored.ok()) return Annotate(stored.status(), "reading own cursor");
  StreamEventsRequest request;
  if (!stored->is_nil()) {
    absl::StatusOr<StreamId> parsed = ParseStreamId(stored->str);
    if (!parsed.ok()) return Annotate(parsed.status(), "stored cursor");
    absl::MutexLock lock(&mu_);
    stats_.cursor = stored->str;
  }
  if ((cursor_trimmed_ && options_.snapshot_when_trimmed) ||
      (stored->is_nil() && options_.snapshot_on_first_start)) {
    request.set_snapshot(true);
  } else if (!stored->is_nil()) {
    request.set_after_cursor(stored->str);
  }
  for (const std::string& regency : options_.regency_codes) {
    request.add_regency_codes(regency);
  }
  for (const std::string& type : options_.event_types) {
    request.add_event_types(type);
  }
  request.set_consumer_id(options_.consumer_id);
  return request;
}

absl::Status Consumer::CompleteSnapshot(const Event& event) {
  if (!ParseStreamId(event.cursor()).ok()) {
    return absl::InternalError(absl::StrCat(
        "upstream sent a SnapshotComplete without a valid cursor: ",
        event.cursor()));
  }
  // Unconditional: the state now stands at the snapshot's cursor, whatever
  // older cursor was stored.
  absl::StatusOr<redis::Reply> set =
      store_.Command({"SET", cursor_key_, event.cursor()});
  if (!set.ok()) return Annotate(set.status(), "storing snapshot cursor");
  cursor_trimmed_ = false;
  absl::MutexLock lock(&mu_);
  stats_.cursor = event.cursor();
  ++stats_.snapshots;
  return absl::OkStatus();
}

bool Consumer::PrepareContext(grpc::ClientContext* context) const {
  if (options_.configure_context) options_.configure_context(context);
  // Reopening refreshes the position the upstream keeps for us.
  if (options_.refresh_interval > absl::ZeroDuration()) {
    const auto refresh =
        absl::ToChronoTime(absl::Now() + options_.refresh_interval);
    if (refresh < context->deadline()) {
      context->set_deadline(refresh);
      return true;
    }
  }
  return false;
}

void Consumer::SetConnected(bool connected) {
  absl::MutexLock lock(&mu_);
  stats_.connected = connected;
}

absl::Status Consumer::OnEvent(const Event& event, StreamId* known,
                               bool* progressed) {
  if (event.snapshot()) {
    absl::Status handled =
        event.event_type() == SnapshotComplete::descriptor()->full_name()
            ? CompleteSnapshot(event)
            : Handle(event).status();
    if (!handled.ok()) return handled;
    if (!event.cursor().empty()) *known = *ParseStreamId(event.cursor());
    *progressed = true;
    return absl::OkStatus();
  }
  absl::StatusOr<StreamId> cursor = ParseStreamId(event.cursor());
  if (!cursor.ok()) {
    return Annotate(cursor.status(), "upstream sent a malformed cursor");
  }
  if (*cursor <= *known) {
    // Redelivered (a server replaying from an older cursor): no round trip.
    absl::MutexLock lock(&mu_);
    ++stats_.events_duplicate;
    return absl::OkStatus();
  }
  absl::StatusOr<Outcome> outcome = Handle(event);
  if (!outcome.ok()) return outcome.status();
  *known = *cursor;
  *progressed = true;
  return absl::OkStatus();
}

absl::Status Consumer::EndStream(const absl::Status& failure,
                                 const grpc::Status& finished,
                                 bool refreshing) {
  SetConnected(false);
  if (!failure.ok()) return failure;
  if (finished.ok()) return absl::OkStatus();
  if (refreshing &&
      finished.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::OkStatus();  // our own refresh, not a failure
  }
  absl::Status status =
      Annotate(ks::FromGrpcStatus(finished), "upstream stream");
  if (IsCursorTrimmed(status)) cursor_trimmed_ = true;
  return status;
}

absl::Status Consumer::ConsumeOnce(bool* progressed) {
  absl::StatusOr<StreamEventsRequest> next = NextRequest();
  if (!next.ok()) return next.status();
  const StreamEventsRequest& request = *next;
  StreamId known;
  if (!request.after_cursor().empty()) {
    known = *ParseStreamId(request.after_cursor());
  }

  grpc::ClientContext context;
  const bool refreshing = PrepareContext(&context);
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return absl::OkStatus();
    context_ = &context;
  }
  std::unique_ptr<grpc::ClientReaderInterface<Event>> reader =
      options_.stream(&context, request);
  reader->WaitForInitialMetadata();
  SetConnected(true);

  absl::Status failure;
  Event event;
  while (reader->Read(&event)) {
    failure = OnEvent(event, &known, progressed);
    if (!failure.ok()) break;
  }
  if (!failure.ok()) {
    context.TryCancel();
    while (reader->Read(&event)) {
    }
  }
  grpc::Status finished = reader->Finish();
  {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
  }
  return EndStream(failure, finished, refreshing);
}

absl::StatusOr<Consumer::Outcome> Consumer::Handle(const Event& event) {
  absl::StatusOr<RedisOps> ops = options_.handler(event);
  if (!ops.ok()) {
    if (IsTransient(ops.status().code())) {
      return Annotate(ops.status(), "handler");
    }
    return Commit(event, {},
                  absl::StrCat("handler: ", ops.status().ToString()));
  }
  for (const std::vector<std::string>& op : *ops) {
    if (op.size() < 2) {
      return Commit(event, {},
                    "handler: malformed effect (a command needs a name and "
                    "a key)");
    }
  }
  return Commit(event, *ops, "");
}

absl::StatusOr<Consumer::Outcome> Consumer::Commit(
    const Event& event, const RedisOps& ops, const std::string& dead_reason) {
  std::vector<std::string> keys = {cursor_key_, seen_key_, dead_key_};
  std::vector<std::string> args = {
      event.cursor(),
      event.event_id(),
      absl::StrCat(std::max(options_.seen_window, 1)),
      absl::StrCat(std::max(options_.dead_letter_max, 1)),
      dead_reason,
      event.SerializeAsString()};
  for (const std::vector<std::string>& op : ops) {
    keys.push_back(op[1]);
    args.push_back(absl::StrCat(op.size() - 2));
    args.push_back(op[0]);
    args.insert(args.end(), op.begin() + 2, op.end());
  }
  absl::StatusOr<redis::Reply> reply = store_.Eval(CommitScript(), keys, args);
  if (!reply.ok()) return Annotate(reply.status(), "applying event");
  if (!reply->is_array() || reply->elements.size() != 2) {
    return absl::InternalError(
        absl::StrCat("unexpected commit reply: ", reply->DebugString()));
  }
  const long long code = reply->elements[0].integer;
  const std::string& text = reply->elements[1].str;

  absl::Time now = absl::Now();
  ExportMetrics(code, event, now);
  absl::MutexLock lock(&mu_);
  if (code == 0) {
    ++stats_.events_duplicate;
    stats_.cursor = text;
    return Outcome::kDuplicate;
  }
  if (!event.cursor().empty()) stats_.cursor = event.cursor();  // snapshot
  if (event.has_event_time()) {
    stats_.last_event_time = absl::FromUnixNanos(
        google::protobuf::util::TimeUtil::TimestampToNanoseconds(
            event.event_time()));
    stats_.lag = now - stats_.last_event_time;
  }
  switch (code) {
    case 1:
      ++stats_.events_applied;
      return Outcome::kApplied;
    case 2:
      ++stats_.events_duplicate;
      return Outcome::kDuplicate;
    default:
      ++stats_.events_dead_lettered;
      stats_.last_error = absl::DataLossError(
          absl::StrCat("event ", event.event_id(), " at ", event.cursor(),
                       " dead-lettered to ", dead_key_, ": ", text));
      return Outcome::kDeadLettered;
  }
}

void Consumer::ExportMetrics(long long code,
                             const kerjasosial::common::v1::Event& event,
                             absl::Time now) {
  // Labelled by the consumer's key prefix, unique per followed upstream.
  auto& registry = metrics::Registry::Global();
  const char* outcome = code == 1   ? "applied"
                        : code <= 2 ? "duplicate"
                                    : "dead_lettered";
  registry
      .Counter("ks_feed_events_total",
               "Upstream feed events handled, by consumer and outcome",
               {{"feed", options_.key_prefix}, {"outcome", outcome}})
      .Increment();
  if (code != 0 && event.has_event_time()) {
    const absl::Time event_time = absl::FromUnixNanos(
        google::protobuf::util::TimeUtil::TimestampToNanoseconds(
            event.event_time()));
    registry
        .Gauge("ks_feed_lag_seconds",
               "Time from an upstream event's commit to its effect here",
               {{"feed", options_.key_prefix}})
        .Set(absl::ToDoubleSeconds(now - event_time));
    registry
        .Gauge("ks_feed_last_event_timestamp_seconds",
               "Commit time of the last upstream event applied",
               {{"feed", options_.key_prefix}})
        .Set(absl::ToDoubleSeconds(event_time - absl::UnixEpoch()));
  }
}

}  // namespace ks::feed
