// write_path_bench: how much of Redis' single thread one write costs, next
// to a floor script of the same shape, in ONE run (issue #8).
//
// Redis runs scripts one at a time, so a deployment's write throughput is
// capped by the script's time on Redis' main thread, not by client latency.
// This measures that time from Redis itself: INFO commandstats
// (cmdstat_evalsha usec_per_call), reset before each phase. Redis runs with
// AOF on and `appendfsync always` (production); 16 client threads, each on
// its own connection, call EVALSHA with pre-encoded arguments.
//
// Phases, in order, each on its own keys:
//   floor   SET + 2 ZADD + HSET + 2 XADD, ~900-byte payload, no audit
//   commit  the outbox commit script (common/outbox) of a write of the
//           floor's shape: a record (~900 B), the idempotency entry with
//           the response, 2 index entries, 1 event, the audit entry
//           (sequence + fields; no hashing)
//   commit-no-audit  the same without the audit entry: what audit costs
//   commit-full      what CreateCase really writes: also the decision
//           claim record and 3 more index entries (history included)
//   seal    the sealer hashing the commit phase's entries (audit::Seal, in
//           batches of 512): Redis time of every command it sends, per entry
//   legacy  the `commit` write with the previous design's audit step (the
//           chain link hashed by SHA-256 in Lua; bench/legacy_audit_lua.h)
//
// Usage: write_path_bench [writes per client, default 1000]
// Not part of ctest (see bench/README.md).
#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/registration.h"
#include "common/audit/audit.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "common/testing/redis_server.h"
#include "legacy_audit_lua.h"

namespace ks::bench {
namespace {

constexpr int kClients = 16;
constexpr size_t kPayload = 900;

struct Stats {
  int64_t calls = 0;
  double usec = 0;
  double per_call() const { return calls > 0 ? usec / calls : 0; }
};

// INFO commandstats -> {command: {calls, usec}}.
std::map<std::string, Stats> CommandStats(redisContext* c) {
  std::map<std::string, Stats> out;
  auto* r = static_cast<redisReply*>(redisCommand(c, "INFO commandstats"));
  if (r == nullptr || r->type != REDIS_REPLY_STRING) std::abort();
  for (absl::string_view line : absl::StrSplit(r->str, "\r\n")) {
    // cmdstat_evalsha:calls=16000,usec=123,usec_per_call=...,...
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, ':');
    Stats s;
    for (absl::string_view field : absl::StrSplit(kv.second, ',')) {
      std::pair<absl::string_view, absl::string_view> f =
          absl::StrSplit(field, '=');
      if (f.first == "calls") absl::SimpleAtoi(f.second, &s.calls);
      if (f.first == "usec") absl::SimpleAtod(f.second, &s.usec);
    }
    out[std::string(kv.first)] = s;
  }
  freeReplyObject(r);
  return out;
}

void Must(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> p;
  std::vector<size_t> l;
  for (const auto& a : argv) {
    p.push_back(a.data());
    l.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), p.data(), l.data()));
  if (r == nullptr || r->type == REDIS_REPLY_ERROR) {
    std::fprintf(stderr, "redis: %s\n", r ? r->str : c->errstr);
    std::abort();
  }
  freeReplyObject(r);
}

// Pre-encodes every call (so client CPU does not compete with Redis during
// the timed part), then runs kClients threads, each sending its calls on its
// own connection. Returns the wall time of the sending.
using Argv = std::vector<std::string>;
absl::Duration RunClients(int port, int per_client,
                          const std::function<Argv(int, int)>& make) {
  std::vector<std::vector<Argv>> calls(kClients);
  for (int t = 0; t < kClients; ++t) {
    for (int i = 0; i < per_client; ++i) calls[t].push_back(make(t, i));
  }
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      redisContext* c = redisConnect("127.0.0.1", port);
      for (const Argv& argv : calls[t]) Must(c, argv);
      redisFree(c);
    });
  }
  for (auto& th : threads) th.join();
  return absl::Now() - start;
}

std::vector<std::string> EvalshaArgv(const redis::Script& script,
                                     const outbox::ScriptCall& call) {
  std::vector<std::string> argv = {"EVALSHA", script.sha(),
                                   absl::StrCat(call.keys.size())};
  argv.insert(argv.end(), call.keys.begin(), call.keys.end());
  argv.insert(argv.end(), call.args.begin(), call.args.end());
  return argv;
}

// The floor's shape through the outbox: one record (~900 B), the
// idempotency entry with the response, 2 index entries, 1 event and, with
// `with_audit`, the audit entry. `full` makes it what CreateCase really
// writes: a second record (the decision claim) and 5 index entries.
outbox::Transaction CreateCaseShaped(const std::string& id, bool with_audit,
                                     bool full) {
  outbox::Transaction txn;
  txn.request_id = "req-" + id;
  txn.request_fingerprint = audit::Sha256Hex(txn.request_id);
  txn.response = std::string(kPayload, 'r');
  txn.records.push_back({"case:64.01:" + id, 0, std::string(kPayload, 'd')});
  txn.index_ops.push_back(outbox::IndexOp::ZAdd("idx:64.01:all", 0, id));
  txn.index_ops.push_back(
      outbox::IndexOp::ZAdd("idx:64.01:state:REGISTERED", 0, id));
  if (full) {
    txn.records.push_back(
        {"decision:" + audit::Sha256Hex(id), 0, "regencies/64.01/cases/" + id});
    txn.index_ops.push_back(outbox::IndexOp::ZAdd("idx:all:all", 0, id));
    txn.index_ops.push_back(
        outbox::IndexOp::ZAdd("idx:all:state:REGISTERED", 0, id));
    txn.index_ops.push_back(
        outbox::IndexOp::ZAdd("hist:64.01:" + id, 1, std::string(120, 'h')));
  }
  bench::AddRegistrationAuditAndEvent(txn, id, 200, with_audit);
  return txn;
}

// The previous design's commit script: today's outbox body with the legacy
// audit library, which takes a 9th audit argument (the content digest).
redis::Script LegacyCommitScript() {
  std::string source = outbox::Writer::script().source();
  const std::string lib(audit::LuaLibrary());
  const size_t at = source.find(lib);
  if (at == std::string::npos) std::abort();
  source.replace(at, lib.size(), std::string(kLegacyAuditLua));
  const std::string fields =
      absl::StrCat("for i = 1, ", audit::kRecordArgCount,
                   " do audit_fields[i] = ARGV[8 + i] end\nlocal a = 9 + ",
                   audit::kRecordArgCount);
  if (source.find(fields) == std::string::npos) std::abort();
  return redis::Script(absl::StrReplaceAll(
      source, {{fields,
                "for i = 1, 9 do audit_fields[i] = ARGV[8 + i] end\n"
                "local a = 9 + 9"}}));
}

// The legacy content digest: SHA-256 of the 8 fields as netstrings.
std::string ContentDigest(const std::vector<std::string>& args, size_t from) {
  std::string out;
  for (size_t i = from; i < from + audit::kRecordArgCount; ++i) {
    absl::StrAppend(&out, args[i].size(), ":", args[i], ",");
  }
  return audit::Sha256Hex(out);
}

struct Phase {
  std::string name;
  Stats evalsha;
  double all_usec = 0;  // EVALSHA + XRANGE + HMGET (what the sealer sends)
  int64_t writes = 0;
  absl::Duration wall;
};

void Print(const Phase& p, double floor) {
  std::printf(
      "%-15s %6lld calls  evalsha %7.2f us/call  (%5.2fx floor)  "
      "%6.0f writes/s\n",
      p.name.c_str(), static_cast<long long>(p.evalsha.calls),
      p.evalsha.per_call(), floor > 0 ? p.evalsha.per_call() / floor : 1.0,
      p.writes / absl::ToDoubleSeconds(p.wall));
}

int Main(int argc, char** argv) {
  int per_client = 1000;
  if (argc > 1 && !absl::SimpleAtoi(argv[1], &per_client)) {
    std::fprintf(stderr, "usage: write_path_bench [writes per client]\n");
    return 2;
  }
  testing::RedisServer server;  // AOF on, appendfsync always
  if (!server.Start().ok()) return 1;
  const int port = server.port();
  redisContext* admin = redisConnect("127.0.0.1", port);
  std::string fsync = server.Cli("CONFIG GET appendfsync");
  std::printf("redis-server, AOF on, appendfsync %s; %d clients x %d writes\n",
              fsync
                  .substr(fsync.find('\n') + 1,
                          fsync.rfind('\n') - fsync.find('\n') - 1)
                  .c_str(),
              kClients, per_client);

  auto measure = [&](const std::string& name,
                     const std::function<absl::Duration()>& run,
                     int64_t writes) {
    Must(admin, {"CONFIG", "RESETSTAT"});
    Phase p;
    p.name = name;
    p.wall = run();
    p.writes = writes;
    // Commands a script calls are counted too (cmdstat_xadd, ...): sum
    // only what clients send.
    for (const auto& [cmd, s] : CommandStats(admin)) {
      if (cmd == "evalsha" || cmd == "xrange" || cmd == "hmget") {
        p.all_usec += s.usec;
      }
      if (cmd == "evalsha") p.evalsha = s;
    }
    return p;
  };
  const int64_t writes = static_cast<int64_t>(kClients) * per_client;

  // Floor: SET + 2 ZADD + HSET + 2 XADD.
  const redis::Script floor_script(R"lua(#!lua
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[2])
redis.call('HSET', KEYS[4], 'd', ARGV[1])
redis.call('XADD', KEYS[5], '*', 'event', ARGV[3])
redis.call('XADD', KEYS[6], '*', 'audit', ARGV[4])
return 1
)lua");
  Must(admin, {"SCRIPT", "LOAD", floor_script.source()});
  const std::string payload(kPayload, 'd');
  Phase floor = measure(
      "floor",
      [&] {
        return RunClients(port, per_client, [&](int t, int i) {
          const std::string id = absl::StrCat(t, "-", i);
          return std::vector<std::string>{"EVALSHA",
                                          floor_script.sha(),
                                          "6",
                                          "ks:{floor}:rec:" + id,
                                          "ks:{floor}:a",
                                          "ks:{floor}:b",
                                          "ks:{floor}:h:" + id,
                                          "ks:{floor}:events",
                                          "ks:{floor}:audit",
                                          payload,
                                          id,
                                          std::string(300, 'e'),
                                          std::string(200, 'a')};
        });
      },
      writes);

  redis::Options ro;
  ro.port = port;
  ro.command_timeout = absl::Seconds(30);
  redis::Pool pool(ro);
  Must(admin, {"SCRIPT", "LOAD", outbox::Writer::script().source()});
  // One phase of outbox commits of CreateCaseShaped(with_audit, full).
  auto commits = [&](const std::string& name, const std::string& prefix,
                     bool with_audit, bool full) {
    outbox::Options options;
    options.key_prefix = prefix;
    outbox::Writer w(pool, options);
    return measure(
        name,
        [&] {
          return RunClients(port, per_client, [&](int t, int i) {
            auto call = w.Encode(
                CreateCaseShaped(absl::StrCat(t, "-", i), with_audit, full));
            if (!call.ok()) std::abort();
            return EvalshaArgv(outbox::Writer::script(), *call);
          });
        },
        writes);
  };
  Phase commit = commits("commit", "ks:{cases}:", true, false);
  Phase bare = commits("commit-no-audit", "ks:{bare}:", false, false);
  Phase full = commits("commit-full", "ks:{full}:", true, true);

  Phase seal = measure(
      "seal",
      [&] {
        const absl::Time start = absl::Now();
        while (true) {
          auto r = audit::Seal(pool, "ks:{cases}:", 512);
          if (!r.ok()) std::abort();
          if (r->newly_sealed == 0) break;
        }
        return absl::Now() - start;
      },
      writes);

  const redis::Script legacy = LegacyCommitScript();
  Must(admin, {"SCRIPT", "LOAD", legacy.source()});
  outbox::Options legacy_options;
  legacy_options.key_prefix = "ks:{legacy}:";
  outbox::Writer legacy_writer(pool, legacy_options);
  Phase old = measure(
      "legacy",
      [&] {
        return RunClients(port, per_client, [&](int t, int i) {
          auto call = legacy_writer.Encode(
              CreateCaseShaped(absl::StrCat(t, "-", i), true, false));
          if (!call.ok()) std::abort();
          call->args.insert(call->args.begin() + 8 + audit::kRecordArgCount,
                            ContentDigest(call->args, 8));
          return EvalshaArgv(legacy, *call);
        });
      },
      writes);

  const double f = floor.evalsha.per_call();
  Print(floor, f);
  Print(commit, f);
  Print(bare, f);
  Print(full, f);
  std::printf(
      "seal            %6lld entries sealed: %.2f us of Redis time per entry\n",
      static_cast<long long>(writes), seal.all_usec / writes);
  Print(old, f);
  std::printf(
      "\nwrite (commit script) / floor      = %.2fx  (target <= 3x)\n"
      "write + its share of sealing / floor = %.2fx\n"
      "previous design (hash in Lua) / floor = %.2fx\n",
      commit.evalsha.per_call() / f,
      (commit.evalsha.per_call() + seal.all_usec / writes) / f,
      old.evalsha.per_call() / f);
  redisFree(admin);
  return 0;
}

}  // namespace
}  // namespace ks::bench

int main(int argc, char** argv) { return ks::bench::Main(argc, argv); }
