#include "common/feed/retention.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/feed/cursor.h"
#include "common/log/log.h"
#include "common/status/rich_status.h"

namespace ks::feed {
namespace {

// Stream ids compared as Redis orders them. Lua numbers are doubles: exact
// for millisecond times and sequence numbers far beyond any real feed.
constexpr absl::string_view kLuaIdLess = R"lua(
local function parse_id(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function id_less(a, b)
  local am, as = parse_id(a)
  local bm, bs = parse_id(b)
  return am < bm or (am == bm and as < bs)
end
)lua";

// KEYS: stream, consumers. ARGV: field, cursor. The cursor is clamped to the
// head; with an empty stream to "0-0" (nothing to protect yet, and a later
// event is newer than any clamp).
constexpr absl::string_view kRegisterBody = R"lua(
local cursor = ARGV[2]
local head = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #head == 0 then
  cursor = '0-0'
elseif id_less(head[1][1], cursor) then
  cursor = head[1][1]
end
redis.call('HSET', KEYS[2], ARGV[1], cursor)
return cursor
)lua";

// KEYS: stream, consumers, trimmed. ARGV: age floor id or "".
// Returns {floor, removed}.
constexpr absl::string_view kTrimBody = R"lua(
local floor = nil
local all = redis.call('HGETALL', KEYS[2])
for i = 2, #all, 2 do
  if floor == nil or id_less(all[i], floor) then floor = all[i] end
end
if ARGV[1] ~= '' and (floor == nil or id_less(floor, ARGV[1])) then
  floor = ARGV[1]
end
if floor == nil then return {'', 0} end
if floor == '0-0' then return {floor, 0} end
local last = redis.call('XREVRANGE', KEYS[1], '(' .. floor, '-', 'COUNT', 1)
if #last == 0 then return {floor, 0} end
local removed = redis.call('XTRIM', KEYS[1], 'MINID', floor)
local old = redis.call('GET', KEYS[3])
if not old or id_less(old, last[1][1]) then
  redis.call('SET', KEYS[3], last[1][1])
end
return {floor, removed}
)lua";

const std::string& RegisterSource() {
  static const std::string* source =
      new std::string(absl::StrCat(kLuaIdLess, kRegisterBody));
  return *source;
}

const redis::Script& TrimScript() {
  static const redis::Script* script =
      new redis::Script(absl::StrCat(kLuaIdLess, kTrimBody));
  return *script;
}

}  // namespace

std::string ConsumersKey(absl::string_view stream_key) {
  return absl::StrCat(stream_key, ":consumers");
}

std::string TrimmedKey(absl::string_view stream_key) {
  return absl::StrCat(stream_key, ":trimmed");
}

bool IsValidConsumerId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::Status RegisterConsumer(redis::Connection& redis,
                              absl::string_view stream_key,
                              absl::string_view field,
                              absl::string_view cursor) {
  // Once per stream opened: plain EVAL keeps the connection free of the
  // script cache's NOSCRIPT dance.
  absl::StatusOr<redis::Reply> reply = redis.Command(
      {"EVAL", RegisterSource(), "2", std::string(stream_key),
       ConsumersKey(stream_key), std::string(field), std::string(cursor)});
  if (!reply.ok()) return reply.status();
  return reply->ToStatus();
}

absl::StatusOr<std::string> TrimmedThrough(redis::Connection& redis,
                                           absl::string_view stream_key) {
  absl::StatusOr<redis::Reply> reply =
      redis.Command({"GET", TrimmedKey(stream_key)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::string();
  if (!reply->is_string()) {
    return absl::InternalError(
        absl::StrCat("unexpected trim marker: ", reply->DebugString()));
  }
  return reply->str;
}

absl::Status CursorTrimmedError(absl::string_view cursor,
                                absl::string_view trimmed_through) {
  std::string where = cursor == "0-0" ? std::string("the start of the feed")
                                      : absl::StrCat("cursor ", cursor);
  // OUT_OF_RANGE, as every service's StreamEvents comment promises for a
  // cursor older than the retained feed.
  absl::Status status = absl::OutOfRangeError(absl::StrCat(
      "after_cursor: the feed was trimmed through ", trimmed_through,
      ", so events after ", where,
      " are gone; rebuild with snapshot=true and resume from the cursor of "
      "its SnapshotComplete"));
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("after_cursor");
  violation->set_description(
      "events after this cursor were trimmed; use snapshot=true");
  AddDetail(status, bad_request);
  return WithErrorInfo(std::move(status), kReasonCursorTrimmed,
                       {{"field", "after_cursor"},
                        {"trimmed_through", std::string(trimmed_through)}});
}

absl::StatusOr<TrimResult> TrimOnce(redis::Pool& pool,
                                    const RetentionOptions& options,
                                    absl::Time now) {
  std::string age_floor;
  if (options.max_age > absl::ZeroDuration()) {
    int64_t ms = absl::ToUnixMillis(now - options.max_age);
    age_floor = FormatStreamId({static_cast<uint64_t>(ms > 0 ? ms : 0), 0});
  }
  absl::StatusOr<redis::Reply> reply =
      pool.Eval(TrimScript(),
                {options.stream_key, ConsumersKey(options.stream_key),
                 TrimmedKey(options.stream_key)},
                {age_floor});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->elements.size() != 2) {
    return absl::InternalError(
        absl::StrCat("unexpected trim reply: ", reply->DebugString()));
  }
  return TrimResult{reply->elements[0].str,
                    static_cast<int64_t>(reply->elements[1].integer)};
}

Trimmer::Trimmer(redis::Pool& pool, RetentionOptions options)
    : pool_(pool), options_(std::move(options)) {}

Trimmer::~Trimmer() { Stop(); }

void Trimmer::Start() {
  if (!thread_.joinable() && !stop_.HasBeenNotified()) {
    thread_ = std::thread([this] { Run(); });
  }
}

void Trimmer::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void Trimmer::Run() {
  while (!stop_.WaitForNotificationWithTimeout(options_.interval)) {
    absl::StatusOr<TrimResult> result = TrimOnce(pool_, options_, absl::Now());
    if (!result.ok()) {
      log::Warning("feed_trim_failed",
                   {{"stream", options_.stream_key},
                    {"error", std::string(result.status().message())}});
    } else if (result->removed > 0) {
      log::Info("feed_trimmed", {{"stream", options_.stream_key},
                                 {"floor", result->floor},
                                 {"removed", result->removed}});
    }
  }
}

}  // namespace ks::feed
