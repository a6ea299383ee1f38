// kerjasosial-cases: the cases service, one deployment per Kejaksaan office.
//
// Besides the common flags (server.h; the legal policy comes with them,
// --policy_file), when --supervision_address is set it follows that
// supervision deployment's feed with a SERVICE token read from
// --service_token_file.
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/client.h"
#include "common/feed/consumer.h"
#include "common/log/log.h"
#include "common/policy/policy.h"
#include "common/rpc/executor.h"
#include "common/server/runtime.h"
#include "grpcpp/grpcpp.h"
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

namespace {

std::shared_ptr<grpc::ChannelCredentials> SupervisionCredentials(
    const std::string& ca_file, absl::Status* status) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  std::FILE* f = std::fopen(ca_file.c_str(), "rb");
  if (f == nullptr) {
    *status = absl::InvalidArgumentError(
        absl::StrCat("--supervision_ca_file: cannot open ", ca_file));
    return nullptr;
  }
  std::string pem;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) pem.append(buf, n);
  std::fclose(f);
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pem;
  return grpc::SslCredentials(options);
}

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
  ks::cases::CasesServiceOptions options{(*runtime)->policy(),
                                         ks::SystemClock(), {}};
  for (absl::string_view r :
       absl::StrSplit(absl::GetFlag(FLAGS_served_regencies), ',',
                      absl::SkipWhitespace())) {
    options.served_regencies.emplace_back(r);
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

  std::unique_ptr<ks::feed::Consumer> consumer;
  const std::string supervision = absl::GetFlag(FLAGS_supervision_address);
  if (!supervision.empty()) {
    absl::StatusOr<std::string> token =
        ks::auth::ReadTokenFile(absl::GetFlag(FLAGS_service_token_file));
    if (!token.ok()) {
      ks::server::LogStartupError(
          defaults.name,
          absl::InvalidArgumentError(absl::StrCat("--service_token_file: ",
                                                  token.status().message())));
      return 1;
    }
    absl::Status creds_status;
    auto creds = SupervisionCredentials(
        absl::GetFlag(FLAGS_supervision_ca_file), &creds_status);
    if (!creds_status.ok()) {
      ks::server::LogStartupError(defaults.name, creds_status);
      return 1;
    }
    std::shared_ptr<kerjasosial::supervision::v1::Supervision::Stub> stub =
        kerjasosial::supervision::v1::Supervision::NewStub(
            grpc::CreateChannel(supervision, creds));
    ks::feed::ConsumerOptions consumer_options;
    consumer_options.key_prefix =
        absl::StrCat((*runtime)->key_prefix(), "feed:supervision");
    consumer_options.stream =
        [stub](grpc::ClientContext* c,
               const kerjasosial::common::v1::StreamEventsRequest& r) {
          return stub->StreamEvents(c, r);
        };
    consumer_options.handler =
        [&service](const kerjasosial::common::v1::Event& event) {
          return service.ApplySupervisionEvent(event);
        };
    consumer_options.configure_context = [token =
                                              *token](grpc::ClientContext* c) {
      ks::auth::AttachToken(c, token);
    };
    consumer = std::make_unique<ks::feed::Consumer>(
        (*runtime)->redis(), std::move(consumer_options));
    consumer->Start();
    ks::log::Info("supervision_feed_started", {{"upstream", supervision}});
  }

  const int code = (*runtime)->Serve({&service});
  // Streams have ended with the server; the source goes before the Runtime.
  (*runtime)->SetSnapshotSource(nullptr);
  // The gRPC server has stopped; the consumer stops before the Redis pool
  // and the service it applies events through are destroyed.
  if (consumer) consumer->Stop();
  // Queued calls run (their server is gone, their Finish is a no-op) while
  // the service they use still exists.
  executor.reset();
  return code;
}
