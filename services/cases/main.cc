// kerjasosial-cases: the cases service, one deployment per Kejaksaan office.
//
// Besides the common flags (server.h; the legal policy comes with them,
// --policy_file), when --supervision_address is set it follows that
// supervision deployment's feed with a SERVICE token read from
// --service_token_file. Transfers to regencies it does not serve go to the
// cases deployment --transfer_routes names, with the SERVICE token of
// --transfer_token_file (see deploy/README.md).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/client.h"
#include "common/client/peer.h"
#include "common/feed/consumer.h"
#include "common/log/log.h"
#include "common/policy/policy.h"
#include "common/rpc/executor.h"
#include "common/server/runtime.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "grpcpp/grpcpp.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "services/cases/cases_service.h"
#include "services/cases/domain/privacy.h"
#include "services/cases/store/case_snapshot.h"
#include "services/cases/store/case_store.h"

ABSL_FLAG(std::string, supervision_address, "",
          "host:port of the supervision deployment whose feed to follow; "
          "empty: no feed");
ABSL_FLAG(std::string, supervision_ca_file, "",
          "PEM roots to verify the supervision server (TLS); empty: "
          "plaintext (loopback/development)");
ABSL_FLAG(std::string, service_token_file, "",
          "file holding the SERVICE bearer token presented to supervision");
ABSL_FLAG(int, handler_threads, 0,
          "0: handlers run on gRPC's callback threads (blocking on Redis, "
          "bounded by the pool and the command timeout); N > 0: on a bounded "
          "executor of N threads with a queue of 64*N calls (beyond it: "
          "RESOURCE_EXHAUSTED). The benchmark hook for the inline-vs-executor "
          "choice.");
ABSL_FLAG(std::string, served_regencies, "",
          "comma-separated regency codes this deployment keeps (transfers "
          "between them stay local); empty: every regency");
ABSL_FLAG(std::string, transfer_routes, "",
          "routing table of transfers to regencies this deployment does not "
          "serve: comma-separated <regency or province code>=<host:port> of "
          "the cases deployment serving it, e.g. "
          "\"64.01=cases-kaltim:7101,71=cases-sulut:7101\" (a regency's own "
          "entry wins over its province's); empty: no remote transfers");
ABSL_FLAG(std::string, transfer_routes_file, "",
          "the routing table as a file instead of --transfer_routes: one "
          "<regency or province code>=<host:port> a line, # starts a "
          "comment");
ABSL_FLAG(std::string, transfer_token_file, "",
          "file holding the SERVICE bearer token this deployment presents to "
          "the destination's ReceiveTransferredCase (minted in the "
          "destination's token file, scoped to the regencies it receives); "
          "required with --transfer_routes");
ABSL_FLAG(std::string, transfer_ca_file, "",
          "PEM roots to verify the destination cases deployments (TLS); "
          "empty: plaintext (loopback/development)");
ABSL_FLAG(absl::Duration, transfer_timeout, absl::Seconds(10),
          "deadline of one ReceiveTransferredCase call to a destination; "
          "past it the transfer answers UNAVAILABLE and writes nothing here");

namespace {

// The client of other cases deployments' ReceiveTransferredCase: one channel
// per address, created on first use. Thread-safe.
class TransferClient {
 public:
  TransferClient(std::shared_ptr<grpc::ChannelCredentials> creds,
                 std::string token, absl::Duration timeout)
      : creds_(std::move(creds)), token_(std::move(token)), timeout_(timeout) {}

  absl::StatusOr<kerjasosial::cases::v1::Case> Send(
      const std::string& address,
      const kerjasosial::cases::v1::ReceiveTransferredCaseRequest& request) {
    grpc::ClientContext ctx;
    ks::auth::AttachToken(&ctx, token_);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(timeout_));
    kerjasosial::cases::v1::Case out;
    const grpc::Status s =
        Stub(address)->ReceiveTransferredCase(&ctx, request, &out);
    if (!s.ok()) return ks::FromGrpcStatus(s);
    return out;
  }

 private:
  kerjasosial::cases::v1::Cases::Stub* Stub(const std::string& address) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& stub = stubs_[address];
    if (!stub) {
      stub = kerjasosial::cases::v1::Cases::NewStub(
          grpc::CreateChannel(address, creds_));
    }
    return stub.get();
  }

  const std::shared_ptr<grpc::ChannelCredentials> creds_;
  const std::string token_;
  const absl::Duration timeout_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<kerjasosial::cases::v1::Cases::Stub>>
      stubs_;
};

}  // namespace

int main(int argc, char** argv) {
  const ks::server::BinaryDefaults defaults{"cases", 7101, 9101};
  ks::server::InitProcess(
      argc, argv,
      "kerjasosial-cases: the cases service of kerjasosial.\n"
      "Flags may also be set as KS_<FLAG> environment variables.");
  auto runtime = ks::server::Runtime::Create(
      ks::server::ConfigFromFlags(defaults), /*publishes_feed=*/true);
  if (!runtime.ok()) {
    ks::server::LogStartupError(defaults.name, runtime.status());
    return 1;
  }
  ks::cases::CasesServiceOptions options{
      (*runtime)->policy(), ks::SystemClock(), {}, nullptr, {}, {}};
  for (absl::string_view r :
       absl::StrSplit(absl::GetFlag(FLAGS_served_regencies), ',',
                      absl::SkipWhitespace())) {
    options.served_regencies.emplace_back(r);
  }
  const std::string routes_file = absl::GetFlag(FLAGS_transfer_routes_file);
  if (!routes_file.empty() && !absl::GetFlag(FLAGS_transfer_routes).empty()) {
    ks::server::LogStartupError(
        defaults.name,
        absl::InvalidArgumentError(
            "give --transfer_routes or --transfer_routes_file, not both"));
    return 1;
  }
  absl::StatusOr<ks::cases::domain::TransferRoutes> routes =
      ks::cases::domain::TransferRoutes::Parse(
          absl::GetFlag(FLAGS_transfer_routes));
  if (!routes_file.empty()) {
    absl::StatusOr<std::string> text =
        ks::client::ReadFlagFile("transfer_routes_file", routes_file);
    routes = text.ok() ? ks::cases::domain::TransferRoutes::ParseFile(*text)
                       : text.status();
  }
  if (!routes.ok()) {
    ks::server::LogStartupError(
        defaults.name, absl::InvalidArgumentError(absl::StrCat(
                           routes_file.empty() ? "--transfer_routes: "
                                               : "--transfer_routes_file: ",
                           routes.status().message())));
    return 1;
  }
  options.transfer_routes = *std::move(routes);
  if (!options.transfer_routes.empty() && options.served_regencies.empty()) {
    // Serving every regency, this deployment would never use a route: the
    // operator meant something else.
    ks::server::LogStartupError(
        defaults.name,
        absl::InvalidArgumentError(
            "--transfer_routes needs --served_regencies (a deployment that "
            "serves every regency transfers nothing to another one)"));
    return 1;
  }
  std::unique_ptr<TransferClient> transfer_client;
  if (!options.transfer_routes.empty()) {
    absl::StatusOr<std::string> token =
        ks::auth::ReadTokenFile(absl::GetFlag(FLAGS_transfer_token_file));
    if (!token.ok()) {
      ks::server::LogStartupError(
          defaults.name,
          absl::InvalidArgumentError(absl::StrCat("--transfer_token_file: ",
                                                  token.status().message())));
      return 1;
    }
    auto creds = ks::client::ChannelCredentialsFor(
        "transfer_ca_file", absl::GetFlag(FLAGS_transfer_ca_file));
    if (!creds.ok()) {
      ks::server::LogStartupError(defaults.name, creds.status());
      return 1;
    }
    transfer_client =
        std::make_unique<TransferClient>(*std::move(creds), *std::move(token),
                                         absl::GetFlag(FLAGS_transfer_timeout));
    options.transfer_peer =
        [client = transfer_client.get()](
            const std::string& address,
            const kerjasosial::cases::v1::ReceiveTransferredCaseRequest& r) {
          return client->Send(address, r);
        };
  }
  std::unique_ptr<ks::rpc::Executor> executor;
  if (const int threads = absl::GetFlag(FLAGS_handler_threads); threads > 0) {
    executor = std::make_unique<ks::rpc::Executor>(
        threads, static_cast<size_t>(threads) * 64);
    options.executor = executor.get();
  }
  ks::cases::CasesService service(**runtime, std::move(options));
  // StreamEvents' snapshot mode: every case's current state, no personal
  // data (the store is stateless; this one only reads).
  ks::cases::store::CaseStore snapshot_store((*runtime)->redis(),
                                             (*runtime)->outbox());
  ks::cases::store::CaseSnapshotSource snapshot(snapshot_store,
                                                ks::cases::domain::SnapshotOf);
  (*runtime)->SetSnapshotSource(&snapshot);

  absl::StatusOr<ks::client::FeedFollower> supervision =
      ks::client::FollowFeed<kerjasosial::supervision::v1::Supervision>(
          "supervision", absl::GetFlag(FLAGS_supervision_address),
          absl::GetFlag(FLAGS_supervision_ca_file),
          absl::GetFlag(FLAGS_service_token_file), (*runtime)->redis(),
          (*runtime)->key_prefix(),
          [&service](const kerjasosial::common::v1::Event& event) {
            return service.ApplySupervisionEvent(event);
          });
  if (!supervision.ok()) {
    ks::server::LogStartupError(defaults.name, supervision.status());
    return 1;
  }

  const int code = (*runtime)->Serve({&service});
  // Streams have ended with the server; the source goes before the Runtime.
  (*runtime)->SetSnapshotSource(nullptr);
  // The gRPC server has stopped; the consumer stops before the Redis pool
  // and the service it applies events through are destroyed.
  supervision->Stop();
  // Queued calls run (their server is gone, their Finish is a no-op) while
  // the service they use still exists.
  executor.reset();
  return code;
}
