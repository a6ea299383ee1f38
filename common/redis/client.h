// A thin C++ layer over hiredis: RAII connections, a thread-safe pool with
// reconnect and backoff, command timeouts, pipelining, Lua scripts called by
// SHA (reloaded on NOSCRIPT), and every failure mapped to absl::Status.
//
// Failure model (a service must keep serving, never crash, when Redis goes):
//   - connection refused, dropped, reset, any other I/O error -> UNAVAILABLE;
//   - no reply within the command timeout -> DEADLINE_EXCEEDED (the command
//     may or may not have run: the connection is discarded, because a late
//     reply would otherwise be read as the answer to the next command);
//   - error replies -> ReplyErrorToStatus() (below).
// A connection that saw an I/O error or a timeout is `broken()` and the pool
// drops it; an I/O error also drops every idle connection of the pool (they
// almost certainly point at the same dead server). The pool never retries a
// command on its own: a command may have run before its reply was lost, and
// only the caller knows whether repeating it is safe (outbox writes are, by
// their request id). The first Connect() sets SIGPIPE to SIG_IGN if it is
// at its default (hiredis writes with write(2); a reset socket must give
// UNAVAILABLE, not kill the process).
//
// Example:
//   ks::redis::Options options;
//   options.port = 6380;
//   ks::redis::Pool pool(options);
//   KS_ASSIGN_OR_RETURN(ks::redis::Reply r, pool.Command({"GET", key}));
//   if (r.is_nil()) return absl::NotFoundError(key);
//
//   static const ks::redis::Script kScript(
//       "return redis.call('INCR', KEYS[1])");
//   KS_ASSIGN_OR_RETURN(ks::redis::Reply n, pool.Eval(kScript, {key}, {}));
//
//   // A blocking read holds one connection exclusively:
//   KS_ASSIGN_OR_RETURN(ks::redis::Pool::Lease lease, pool.Acquire());
//   auto r = lease->Command({"XREAD", "BLOCK", "5000", "STREAMS", s, id},
//                           absl::Seconds(5) + absl::Seconds(2));
#ifndef KS_COMMON_REDIS_CLIENT_H_
#define KS_COMMON_REDIS_CLIENT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

namespace ks::redis {

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Optional. Sent with AUTH after connecting when not empty.
  std::string password;
  // Selected with SELECT after connecting when not 0.
  int db = 0;
  absl::Duration connect_timeout = absl::Seconds(2);
  // Longest wait for one reply (a pipeline: for each reply).
  absl::Duration command_timeout = absl::Seconds(2);
  // Most connections the pool opens (idle + leased).
  int pool_size = 8;
  // After a failed connect the pool fails fast (UNAVAILABLE) for a backoff
  // that starts at initial_backoff and doubles per failure up to max_backoff;
  // a successful connect resets it.
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
};

// An owned copy of a hiredis reply (RESP2).
struct Reply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  // The bytes of a string, status or error reply (binary-safe).
  std::string str;
  long long integer = 0;
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  bool is_array() const { return type == Type::kArray; }
  bool is_string() const { return type == Type::kString; }
  bool is_integer() const { return type == Type::kInteger; }
  // OK unless this is an error reply; then ReplyErrorToStatus(str).
  absl::Status ToStatus() const;
  // A readable rendering for logs and test failures (bytes escaped).
  std::string DebugString() const;
};

// Maps the text of a Redis error reply to a status:
//   "ABORTED: stale etag" (any canonical code name, upper case, then ':')
//       -> that code, message = the text after the colon, trimmed; this is
//          how scripts report domain outcomes;
//   LOADING, BUSY, MASTERDOWN, READONLY, TRYAGAIN, CLUSTERDOWN -> UNAVAILABLE;
//   OOM -> RESOURCE_EXHAUSTED;
//   NOSCRIPT -> FAILED_PRECONDITION (Pool::Eval handles it before callers
//       see it);
//   WRONGTYPE and everything else -> INTERNAL with the full text.
absl::Status ReplyErrorToStatus(absl::string_view redis_error);

// One hiredis context (blocking I/O with socket timeouts). Not thread-safe:
// one thread at a time. Closes the socket when destroyed.
class Connection {
 public:
  // Connects, authenticates and selects the database. UNAVAILABLE when the
  // server cannot be reached within options.connect_timeout; the error reply
  // of AUTH/SELECT as mapped by ReplyErrorToStatus.
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(
      const Options& options);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one command (binary-safe: each argument is sent with its length)
  // and waits for its reply at most the connection's command timeout.
  // An error reply is returned as its status (ReplyErrorToStatus).
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);
  // The same with a timeout for this call only (e.g. XREAD BLOCK ms needs
  // more than ms). absl::InfiniteDuration() waits forever.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args,
                                absl::Duration timeout);
  // As Command, but an error reply is returned as a Reply of type kError
  // instead of a status (I/O errors and timeouts are still statuses).
  absl::StatusOr<Reply> RawCommand(const std::vector<std::string>& args);

  // Sends all commands in one write, then reads every reply. Error replies
  // stay in the vector as kError replies (one failing command does not hide
  // the others' replies); an I/O error or timeout fails the whole call.
  absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // True after an I/O error or a timeout: the connection must not be reused.
  bool broken() const { return broken_; }
  // True if the connection broke with an I/O error (not a timeout).
  bool io_failed() const { return io_failed_; }

 private:
  Connection(redisContext* context, const Options& options);
  absl::Status SetTimeout(absl::Duration timeout);
  absl::Status Fail();  // status of the context's error; marks broken
  absl::StatusOr<Reply> ReadReply();

  redisContext* context_;
  Options options_;
  bool broken_ = false;
  bool io_failed_ = false;
};

// A Lua script: its source and the lowercase hex SHA1 Redis knows it by
// (computed locally, so EVALSHA needs no round trip first). Immutable;
// thread-safe.
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha() const { return sha_; }

 private:
  std::string source_;
  std::string sha_;
};

// A thread-safe pool of connections to one Redis. Connects lazily, up to
// options.pool_size connections; when all are leased, a caller waits up to
// connect_timeout for one to come back, then gets UNAVAILABLE. Reconnects
// with exponential backoff (see Options). Must outlive every Lease.
class Pool {
 public:
  // An exclusive connection, returned to the pool when destroyed (dropped
  // instead if it is broken). Movable, not copyable.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection* operator->() const { return connection_.get(); }
    Connection& operator*() const { return *connection_; }
    Connection* get() const { return connection_.get(); }

   private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<Connection> connection,
          uint64_t generation);
    void Release();

    Pool* pool_;
    std::unique_ptr<Connection> connection_;
    uint64_t generation_;
  };

  explicit Pool(Options options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const Options& options() const { return options_; }

  // One command on a pooled connection; error replies become statuses.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);
  // See Connection::Pipeline.
  absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);
  // EVALSHA script.sha() keys args; on NOSCRIPT (a restarted server or
  // SCRIPT FLUSH) loads the script with SCRIPT LOAD and retries once, on the
  // same connection. Error replies of the script become statuses (typed ones
  // such as "ABORTED: ..." keep their code).
  absl::StatusOr<Reply> Eval(const Script& script,
                             const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);
  // PING: OK when Redis answers. For health checks.
  absl::Status Ping();

  // An exclusive connection (blocking reads, MULTI/EXEC, WATCH).
  // UNAVAILABLE when Redis cannot be reached, while in backoff, or when no
  // connection came back within connect_timeout.
  absl::StatusOr<Lease> Acquire();

  // Called with (command name, seconds, ok) after each round trip made by
  // Command/Pipeline ("PIPELINE")/Eval ("EVALSHA")/Ping. `ok` is false for
  // I/O errors and timeouts only (an error reply is a completed round trip).
  // May be called at any time; the observer must be thread-safe.
  void SetObserver(
      std::function<void(absl::string_view, double, bool)> observer);

 private:
  void Return(std::unique_ptr<Connection> connection, uint64_t generation);
  void Observe(absl::string_view name, absl::Time start, bool ok);

  const Options options_;
  absl::Mutex mu_;
  std::deque<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased + connecting
  // Bumped when a connection fails with an I/O error: leases of older
  // generations are dropped when returned.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration backoff_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  absl::Time retry_after_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::shared_ptr<const std::function<void(absl::string_view, double, bool)>>
      observer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ks::redis

#endif  // KS_COMMON_REDIS_CLIENT_H_
