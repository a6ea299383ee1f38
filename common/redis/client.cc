#include "common/redis/client.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"

namespace ks::redis {
namespace {

timeval SocketTimeout(absl::Duration d) {
  if (d == absl::InfiniteDuration() || d <= absl::ZeroDuration()) {
    return timeval{0, 0};  // SO_RCVTIMEO 0: wait forever
  }
  return absl::ToTimeval(d);
}

Reply Copy(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) {
        out.elements.push_back(Copy(r->element[i]));
      }
      break;
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

struct Argv {
  explicit Argv(const std::vector<std::string>& args) {
    ptrs.reserve(args.size());
    lens.reserve(args.size());
    for (const std::string& a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
};

std::string CommandName(const std::vector<std::string>& args) {
  return args.empty() ? std::string() : absl::AsciiStrToUpper(args[0]);
}

// Canonical code names a script may put before a colon.
const std::array<std::pair<absl::string_view, absl::StatusCode>, 16>
    kTypedCodes = {{
        {"CANCELLED", absl::StatusCode::kCancelled},
        {"UNKNOWN", absl::StatusCode::kUnknown},
        {"INVALID_ARGUMENT", absl::StatusCode::kInvalidArgument},
        {"DEADLINE_EXCEEDED", absl::StatusCode::kDeadlineExceeded},
        {"NOT_FOUND", absl::StatusCode::kNotFound},
        {"ALREADY_EXISTS", absl::StatusCode::kAlreadyExists},
        {"PERMISSION_DENIED", absl::StatusCode::kPermissionDenied},
        {"RESOURCE_EXHAUSTED", absl::StatusCode::kResourceExhausted},
        {"FAILED_PRECONDITION", absl::StatusCode::kFailedPrecondition},
        {"ABORTED", absl::StatusCode::kAborted},
        {"OUT_OF_RANGE", absl::StatusCode::kOutOfRange},
        {"UNIMPLEMENTED", absl::StatusCode::kUnimplemented},
        {"INTERNAL", absl::StatusCode::kInternal},
        {"UNAVAILABLE", absl::StatusCode::kUnavailable},
        {"DATA_LOSS", absl::StatusCode::kDataLoss},
        {"UNAUTHENTICATED", absl::StatusCode::kUnauthenticated},
    }};

}  // namespace

absl::Status ReplyErrorToStatus(absl::string_view redis_error) {
  absl::string_view text = redis_error;
  // A script's typed error: "<CODE>: message".
  size_t colon = text.find(':');
  if (colon != absl::string_view::npos) {
    absl::string_view name = text.substr(0, colon);
    for (const auto& [code_name, code] : kTypedCodes) {
      if (name == code_name) {
        return absl::Status(code,
                            absl::StripAsciiWhitespace(text.substr(colon + 1)));
      }
    }
  }
  absl::string_view prefix = text.substr(0, text.find(' '));
  std::string message = absl::StrCat("redis: ", text);
  if (prefix == "LOADING" || prefix == "BUSY" || prefix == "MASTERDOWN" ||
      prefix == "READONLY" || prefix == "TRYAGAIN" || prefix == "CLUSTERDOWN") {
    return absl::UnavailableError(message);
  }
  if (prefix == "OOM") return absl::ResourceExhaustedError(message);
  if (prefix == "NOSCRIPT") return absl::FailedPreconditionError(message);
  return absl::InternalError(message);
}

absl::Status Reply::ToStatus() const {
  return is_error() ? ReplyErrorToStatus(str) : absl::OkStatus();
}

std::string Reply::DebugString() const {
  switch (type) {
    case Type::kNil:
      return "(nil)";
    case Type::kString:
      return absl::StrCat("\"", absl::CHexEscape(str), "\"");
    case Type::kStatus:
      return absl::StrCat("+", str);
    case Type::kError:
      return absl::StrCat("-", str);
    case Type::kInteger:
      return absl::StrCat("(integer) ", integer);
    case Type::kArray: {
      std::vector<std::string> parts;
      for (const Reply& e : elements) parts.push_back(e.DebugString());
      return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
    }
  }
  return "";
}

// ---------------------------------------------------------------- Connection

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(
    const Options& options) {
  // hiredis 0.14 writes with write(2), not send(MSG_NOSIGNAL): a write to a
  // socket the server reset would raise SIGPIPE and kill the process. A
  // service must see UNAVAILABLE instead, so SIGPIPE is ignored once (unless
  // the program installed its own handler).
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 &&
        current.sa_handler == SIG_DFL) {
      signal(SIGPIPE, SIG_IGN);
    }
  });
  redisContext* c =
      redisConnectWithTimeout(options.host.c_str(), options.port,
                              SocketTimeout(options.connect_timeout));
  if (c == nullptr) {
    return absl::UnavailableError("redis: cannot allocate a connection");
  }
  if (c->err != 0) {
    std::string why = c->errstr;
    redisFree(c);
    return absl::UnavailableError(absl::StrCat("redis: cannot connect to ",
                                               options.host, ":", options.port,
                                               ": ", why));
  }
  std::unique_ptr<Connection> conn(new Connection(c, options));
  if (absl::Status s = conn->SetTimeout(options.command_timeout); !s.ok()) {
    return s;
  }
  redisEnableKeepAlive(c);
  if (!options.password.empty()) {
    absl::StatusOr<Reply> r = conn->Command({"AUTH", options.password});
    if (!r.ok()) return r.status();
  }
  if (options.db != 0) {
    absl::StatusOr<Reply> r =
        conn->Command({"SELECT", std::to_string(options.db)});
    if (!r.ok()) return r.status();
  }
  return conn;
}

Connection::Connection(redisContext* context, const Options& options)
    : context_(context), options_(options) {}

Connection::~Connection() { redisFree(context_); }

absl::Status Connection::SetTimeout(absl::Duration timeout) {
  if (redisSetTimeout(context_, SocketTimeout(timeout)) != REDIS_OK) {
    return Fail();
  }
  return absl::OkStatus();
}

absl::Status Connection::Fail() {
  const int saved_errno = errno;
  broken_ = true;
  std::string why = context_->errstr;
  if (context_->err == REDIS_ERR_IO &&
      (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK ||
       saved_errno == ETIMEDOUT)) {
    return absl::DeadlineExceededError(
        absl::StrCat("redis: no reply within the timeout (", why, ")"));
  }
  io_failed_ = true;
  return absl::UnavailableError(
      absl::StrCat("redis: connection to ", options_.host, ":", options_.port,
                   " failed: ", why.empty() ? "unknown error" : why));
}

absl::StatusOr<Reply> Connection::ReadReply() {
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
    return Fail();
  }
  std::unique_ptr<redisReply, void (*)(void*)> reply(
      static_cast<redisReply*>(raw), freeReplyObject);
  return Copy(reply.get());
}

absl::StatusOr<Reply> Connection::RawCommand(
    const std::vector<std::string>& args) {
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  if (args.empty()) return absl::InvalidArgumentError("redis: empty command");
  Argv argv(args);
  if (redisAppendCommandArgv(context_, static_cast<int>(args.size()),
                             argv.ptrs.data(), argv.lens.data()) != REDIS_OK) {
    return Fail();
  }
  return ReadReply();
}

absl::StatusOr<Reply> Connection::Command(
    const std::vector<std::string>& args) {
  absl::StatusOr<Reply> reply = RawCommand(args);
  if (reply.ok() && reply->is_error()) return reply->ToStatus();
  return reply;
}

absl::StatusOr<Reply> Connection::Command(const std::vector<std::string>& args,
                                          absl::Duration timeout) {
  if (absl::Status s = SetTimeout(timeout); !s.ok()) return s;
  absl::StatusOr<Reply> reply = Command(args);
  if (!broken_) {
    if (absl::Status s = SetTimeout(options_.command_timeout); !s.ok()) {
      return s;
    }
  }
  return reply;
}

absl::StatusOr<std::vector<Reply>> Connection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  for (const auto& args : commands) {
    if (args.empty()) return absl::InvalidArgumentError("redis: empty command");
  }
  for (const auto& args : commands) {
    Argv argv(args);
    // Appends to hiredis' output buffer only; the first read flushes all.
    if (redisAppendCommandArgv(context_, static_cast<int>(args.size()),
                               argv.ptrs.data(),
                               argv.lens.data()) != REDIS_OK) {
      return Fail();
    }
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StatusOr<Reply> r = ReadReply();
    if (!r.ok()) return r.status();
    replies.push_back(*std::move(r));
  }
  return replies;
}

// -------------------------------------------------------------------- Script

Script::Script(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(),
       digest);
  sha_ = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// ---------------------------------------------------------------------- Pool

Pool::Lease::Lease(Pool* pool, std::unique_ptr<Connection> connection,
                   uint64_t generation)
    : pool_(pool),
      connection_(std::move(connection)),
      generation_(generation) {}

Pool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      connection_(std::move(other.connection_)),
      generation_(other.generation_) {
  other.pool_ = nullptr;
}

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    connection_ = std::move(other.connection_);
    generation_ = other.generation_;
    other.pool_ = nullptr;
  }
  return *this;
}

Pool::Lease::~Lease() { Release(); }

void Pool::Lease::Release() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Return(std::move(connection_), generation_);
  }
  pool_ = nullptr;
}

Pool::Pool(Options options) : options_(std::move(options)) {}

Pool::~Pool() = default;

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + options_.connect_timeout;
    auto can_proceed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.pool_size;
    };
    while (!can_proceed()) {
      if (mu_.AwaitWithDeadline(absl::Condition(&can_proceed), deadline)) {
        break;
      }
      return absl::UnavailableError(absl::StrCat(
          "redis: all ", options_.pool_size, " connections stayed busy for ",
          absl::FormatDuration(options_.connect_timeout)));
    }
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.front());
      idle_.pop_front();
      return Lease(this, std::move(c), generation_);
    }
    if (absl::Now() < retry_after_) {
      return absl::UnavailableError(absl::StrCat(
          "redis: ", options_.host, ":", options_.port,
          " was unreachable; next attempt in ",
          absl::FormatDuration(
              absl::Trunc(retry_after_ - absl::Now(), absl::Milliseconds(1)))));
    }
    ++open_;  // reserve the slot while connecting outside the lock
    generation = generation_;
  }
  absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Connect(options_);
  absl::MutexLock lock(&mu_);
  if (!c.ok()) {
    --open_;
    backoff_ = backoff_ == absl::ZeroDuration()
                   ? options_.initial_backoff
                   : std::min(backoff_ * 2, options_.max_backoff);
    retry_after_ = absl::Now() + backoff_;
    return c.status();
  }
  backoff_ = absl::ZeroDuration();
  retry_after_ = absl::InfinitePast();
  return Lease(this, *std::move(c), generation);
}

void Pool::Return(std::unique_ptr<Connection> connection, uint64_t generation) {
  absl::MutexLock lock(&mu_);
  if (connection->io_failed()) {
    // The server is likely gone: its idle siblings are dead too.
    ++generation_;
    open_ -= static_cast<int>(idle_.size());
    idle_.clear();
  }
  if (connection->broken() || generation != generation_) {
    --open_;
    return;  // destroyed after the lock is released
  }
  idle_.push_back(std::move(connection));
}

void Pool::SetObserver(
    std::function<void(absl::string_view, double, bool)> observer) {
  auto shared =
      observer
          ? std::make_shared<
                const std::function<void(absl::string_view, double, bool)>>(
                std::move(observer))
          : nullptr;
  absl::MutexLock lock(&mu_);
  observer_ = std::move(shared);
}

void Pool::Observe(absl::string_view name, absl::Time start, bool ok) {
  std::shared_ptr<const std::function<void(absl::string_view, double, bool)>>
      observer;
  {
    absl::MutexLock lock(&mu_);
    observer = observer_;
  }
  if (observer) {
    (*observer)(name, absl::ToDoubleSeconds(absl::Now() - start), ok);
  }
}

namespace {
// A round trip failed at the transport level (not an error reply).
bool TransportFailed(const Connection& c) { return c.broken(); }
}  // namespace

absl::StatusOr<Reply> Pool::Command(const std::vector<std::string>& args) {
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  const absl::Time start = absl::Now();
  absl::StatusOr<Reply> r = (*lease)->Command(args);
  Observe(CommandName(args), start, !TransportFailed(**lease));
  return r;
}

absl::StatusOr<std::vector<Reply>> Pool::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<Reply>> r = (*lease)->Pipeline(commands);
  Observe("PIPELINE", start, !TransportFailed(**lease));
  return r;
}

absl::StatusOr<Reply> Pool::Eval(const Script& script,
                                 const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args) {
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha());
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  absl::Time start = absl::Now();
  absl::StatusOr<Reply> r = (*lease)->RawCommand(argv);
  Observe("EVALSHA", start, !TransportFailed(**lease));
  if (r.ok() && r->is_error() && absl::StartsWith(r->str, "NOSCRIPT")) {
    start = absl::Now();
    absl::StatusOr<Reply> loaded =
        (*lease)->Command({"SCRIPT", "LOAD", script.source()});
    Observe("SCRIPT", start, !TransportFailed(**lease));
    if (!loaded.ok()) return loaded.status();
    start = absl::Now();
    r = (*lease)->RawCommand(argv);
    Observe("EVALSHA", start, !TransportFailed(**lease));
  }
  if (r.ok() && r->is_error()) return r->ToStatus();
  return r;
}

absl::Status Pool::Ping() {
  absl::StatusOr<Reply> r = Command({"PING"});
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace ks::redis
