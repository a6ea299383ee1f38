// foundation_bench: what one write costs, against two baselines measured in
// the same run —
//   BM_GrpcEcho        a bare unary gRPC call over loopback (no Redis)
//   BM_RawEvalsha      one EVALSHA of the outbox commit script through bare
//                      hiredis (no pool, no encoding, no reply parsing)
//   BM_OutboxCommit    the same script through common/outbox: encoding,
//                      pool, EVALSHA, reply parsing
// Redis runs with AOF on; KS_BENCH_FSYNC=always|everysec (default everysec,
// so the numbers show CPU cost rather than the disk's fsync latency; the
// production setting is `always`). See bench/README.md.
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/registration.h"
#include "benchmark/benchmark.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "common/testing/redis_server.h"
#include "echo.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace ks {
namespace {

using kerjasosial::bench::v1::Echo;
using kerjasosial::bench::v1::EchoMessage;

constexpr size_t kPayloadBytes = 300;  // a serialized Case is a few hundred

testing::RedisServer& Redis() {
  static testing::RedisServer* redis = [] {
    auto* r = new testing::RedisServer;
    if (!r->Start().ok()) std::abort();
    const char* fsync = std::getenv("KS_BENCH_FSYNC");
    r->Cli(absl::StrCat("CONFIG SET appendfsync ",
                        fsync != nullptr ? fsync : "everysec"));
    return r;
  }();
  return *redis;
}

class EchoService final : public Echo::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx,
                                 const EchoMessage* req,
                                 EchoMessage* resp) override {
    *resp = *req;
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

void BM_GrpcEcho(benchmark::State& state) {
  EchoService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  auto stub = Echo::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  EchoMessage req;
  req.set_payload(std::string(kPayloadBytes, 'x'));
  for (auto _ : state) {
    grpc::ClientContext ctx;
    EchoMessage resp;
    grpc::Status s = stub->Echo(&ctx, req, &resp);
    if (!s.ok()) state.SkipWithError(s.error_message().c_str());
  }
  server->Shutdown();
}
BENCHMARK(BM_GrpcEcho)->UseRealTime();

// A create of one record with two index entries, an audit entry and one
// event: the shape of a typical registration.
outbox::Transaction MakeTransaction(int64_t n, bool with_audit = true) {
  outbox::Transaction txn;
  txn.request_id = absl::StrCat("req-", n);
  txn.request_fingerprint = absl::StrCat("fp-", n);
  txn.response = std::string(kPayloadBytes, 'r');
  std::string id = absl::StrCat("c", n);
  txn.records.push_back(
      {absl::StrCat("case:64.01:", id), 0, std::string(kPayloadBytes, 'd')});
  txn.index_ops.push_back(
      outbox::IndexOp::ZAdd("r:64.01:created", static_cast<double>(n), id));
  txn.index_ops.push_back(
      outbox::IndexOp::SAdd("r:64.01:state:REGISTERED", id));
  bench::AddRegistrationAuditAndEvent(txn, id, 64, with_audit);
  return txn;
}

redis::Options BenchOptions() {
  redis::Options o;
  o.port = Redis().port();
  return o;
}

// state.range(0): 1 = with the audit entry (production), 0 = without, to
// show what storing the audit entry costs (hashing is done later by the
// service's sealer, outside the script: see write_path_bench).
void BM_OutboxCommit(benchmark::State& state) {
  redis::Pool pool(BenchOptions());
  outbox::Options options;
  options.key_prefix = "ks:{bench-outbox}:";
  outbox::Writer writer(pool, options);
  static int64_t n = 0;
  for (auto _ : state) {
    auto result = writer.Commit(MakeTransaction(++n, state.range(0) == 1));
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
    }
  }
}
BENCHMARK(BM_OutboxCommit)->Arg(1)->Arg(0)->UseRealTime();

void BM_RawEvalsha(benchmark::State& state) {
  redis::Pool pool(BenchOptions());
  outbox::Options options;
  options.key_prefix = "ks:{bench-raw}:";
  outbox::Writer writer(pool, options);
  // One encoded call as a template; each iteration only swaps in a fresh
  // idempotency key and record key, so the loop times the round trip and
  // the script, not our encoding.
  auto call = writer.Encode(MakeTransaction(0));
  if (!call.ok()) {
    state.SkipWithError("encode failed");
    return;
  }
  const redis::Script& script = outbox::Writer::script();
  redisContext* c = redisConnect("127.0.0.1", Redis().port());
  redisReply* load = static_cast<redisReply*>(redisCommand(
      c, "SCRIPT LOAD %b", script.source().data(), script.source().size()));
  freeReplyObject(load);
  std::vector<std::string> argv = {"EVALSHA", script.sha(),
                                   absl::StrCat(call->keys.size())};
  argv.insert(argv.end(), call->keys.begin(), call->keys.end());
  argv.insert(argv.end(), call->args.begin(), call->args.end());
  const size_t idem_pos = 3, record_pos = 3 + 4;
  std::vector<const char*> ptrs(argv.size());
  std::vector<size_t> lens(argv.size());
  static int64_t n = 0;
  for (auto _ : state) {
    ++n;
    argv[idem_pos] = absl::StrCat("ks:{bench-raw}:idem:r", n);
    argv[record_pos] = absl::StrCat("ks:{bench-raw}:case:64.01:r", n);
    for (size_t i = 0; i < argv.size(); ++i) {
      ptrs[i] = argv[i].data();
      lens[i] = argv[i].size();
    }
    auto* reply = static_cast<redisReply*>(redisCommandArgv(
        c, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    if (reply == nullptr || reply->type == REDIS_REPLY_ERROR) {
      state.SkipWithError(reply ? reply->str : "connection lost");
      if (reply) freeReplyObject(reply);
      break;
    }
    freeReplyObject(reply);
  }
  redisFree(c);
}
BENCHMARK(BM_RawEvalsha)->UseRealTime();

}  // namespace
}  // namespace ks

BENCHMARK_MAIN();
