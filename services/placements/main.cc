// kerjasosial-placements: the placements service, one deployment per Pemda
// office.
//
// Besides the common flags (server.h; the legal policy comes with them,
// --policy_file), it checks cases through the cases deployment at
// --cases_address (GetCaseForExecution, with the SERVICE token of
// --service_token_file, a --cases_deadline per call and a circuit breaker:
// common/client/peer.h). Without --cases_address every placement answers
// UNAVAILABLE. Agreements past their expiry are committed EXPIRED (with
// their event) every --agreement_sweep_interval.
//
// With --supervision_address it follows that supervision deployment's feed
// (same SERVICE token) for the periodic reports' hours, attendance,
// violations and warnings. With --http_listen it serves a periodic report
// as CSV: GET /v1/regencies/{r}/agreements/{a}/reports/{report}.csv with the
// caller's bearer token, answered through GetPeriodicReport (same access).
#include <chrono>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/client/peer.h"
#include "common/feed/consumer.h"
#include "common/http/http_side.h"
#include "common/log/log.h"
#include "common/rpc/executor.h"
#include "common/server/periodic.h"
#include "common/server/runtime.h"
#include "common/status/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "services/placements/domain/periodic_report.h"
#include "services/placements/placements_service.h"
#include "services/placements/store/placements_snapshot.h"

ABSL_FLAG(std::string, cases_address, "",
          "host:port of the cases deployment whose cases are placed here; "
          "empty: every placement answers UNAVAILABLE");
ABSL_FLAG(std::string, cases_ca_file, "",
          "PEM roots to verify the cases server (TLS); empty: plaintext "
          "(loopback/development)");
ABSL_FLAG(std::string, service_token_file, "",
          "file holding the SERVICE bearer token presented to cases");
ABSL_FLAG(absl::Duration, cases_deadline, absl::Milliseconds(800),
          "deadline of one GetCaseForExecution call; past it the placement "
          "answers UNAVAILABLE and writes nothing");
ABSL_FLAG(int, cases_breaker_failures, 3,
          "consecutive UNAVAILABLE/DEADLINE_EXCEEDED answers of cases that "
          "open the circuit (calls then fail at once)");
ABSL_FLAG(absl::Duration, cases_breaker_open_for, absl::Seconds(5),
          "how long an open circuit refuses calls to cases before one trial");
ABSL_FLAG(std::string, supervision_address, "",
          "host:port of the supervision deployment whose feed to follow "
          "(periodic reports' hours, attendance, violations, warnings); "
          "empty: no feed, those figures stay 0");
ABSL_FLAG(std::string, supervision_ca_file, "",
          "PEM roots to verify the supervision server (TLS); empty: "
          "plaintext (loopback/development)");
ABSL_FLAG(std::string, http_listen, "",
          "host:port of the HTTP side (periodic reports as CSV); empty "
          "disables it");
ABSL_FLAG(std::string, http_grpc_ca_file, "",
          "PEM roots the HTTP side trusts when it calls this service's own "
          "gRPC listener over TLS (--tls_cert); empty: plaintext loopback");
ABSL_FLAG(int, handler_threads, 0,
          "0: handlers run on gRPC's callback threads; N > 0: on a bounded "
          "executor of N threads with a queue of 64*N calls");
ABSL_FLAG(absl::Duration, agreement_sweep_interval, absl::Hours(1),
          "how often agreements past their expiry date are committed EXPIRED "
          "(reads compute EXPIRED at once either way)");

namespace {

// The expiry sweep, run by a server::Periodic.
void SweepAgreements(ks::placements::PlacementsService& service) {
  absl::StatusOr<int> n = service.SweepExpiredAgreements();
  if (!n.ok()) {
    ks::log::Warning("agreement_sweep_failed",
                     {{"error", std::string(n.status().message())}});
  } else if (*n > 0) {
    ks::log::Info("agreements_expired", {{"count", static_cast<int64_t>(*n)}});
  }
}

// GET /v1/{name=regencies/*/agreements/*/reports/*}.csv: the report's rows
// per site and activity type (domain::ReportCsv), read through
// GetPeriodicReport with the caller's token so access is the rpc's.
void RegisterReportCsv(httplib::Server& server,
                       std::shared_ptr<grpc::Channel> loopback) {
  std::shared_ptr<kerjasosial::placements::v1::Placements::Stub> stub =
      kerjasosial::placements::v1::Placements::NewStub(loopback);
  server.Get(R"(/v1/(regencies/[^/]+/agreements/[^/]+/reports/([^/]+))\.csv)",
             [stub](const httplib::Request& req, httplib::Response& res) {
               kerjasosial::placements::v1::GetPeriodicReportRequest request;
               request.set_name(req.matches[1]);
               grpc::ClientContext context;
               ks::http::ForwardAuthorization(req, &context);
               context.set_deadline(std::chrono::system_clock::now() +
                                    std::chrono::seconds(30));
               kerjasosial::placements::v1::PeriodicReport report;
               const grpc::Status status =
                   stub->GetPeriodicReport(&context, request, &report);
               if (!status.ok()) {
                 return ks::http::ReplyError(res, ks::FromGrpcStatus(status));
               }
               ks::http::ReplyCsv(
                   res, ks::placements::domain::ReportCsv(report),
                   absl::StrCat("laporan-", req.matches[2].str(), ".csv"));
             });
}

}  // namespace

int main(int argc, char** argv) {
  const ks::server::BinaryDefaults defaults{"placements", 7102, 9102};
  ks::server::InitProcess(
      argc, argv,
      "kerjasosial-placements: the placements service of kerjasosial.\n"
      "Flags may also be set as KS_<FLAG> environment variables.");
  auto runtime = ks::server::Runtime::Create(
      ks::server::ConfigFromFlags(defaults), /*publishes_feed=*/true);
  if (!runtime.ok()) {
    ks::server::LogStartupError(defaults.name, runtime.status());
    return 1;
  }
  ks::client::PeerOptions cases_options;
  cases_options.name = "cases";
  cases_options.address = absl::GetFlag(FLAGS_cases_address);
  cases_options.ca_file = absl::GetFlag(FLAGS_cases_ca_file);
  cases_options.deadline = absl::GetFlag(FLAGS_cases_deadline);
  cases_options.breaker_failures = absl::GetFlag(FLAGS_cases_breaker_failures);
  cases_options.breaker_open_for = absl::GetFlag(FLAGS_cases_breaker_open_for);
  absl::StatusOr<std::unique_ptr<ks::client::Peer>> cases =
      ks::client::PeerFromFlags(std::move(cases_options),
                                absl::GetFlag(FLAGS_service_token_file));
  if (!cases.ok()) {
    ks::server::LogStartupError(defaults.name, cases.status());
    return 1;
  }
  ks::placements::PlacementsServiceOptions options;
  options.policy = &(*runtime)->policy();
  if (*cases) {
    auto stub = kerjasosial::cases::v1::Cases::NewStub((*cases)->channel());
    options.get_case =
        [peer = cases->get(),
         stub = std::shared_ptr<kerjasosial::cases::v1::Cases::Stub>(
             std::move(stub))](const std::string& name)
        -> absl::StatusOr<kerjasosial::cases::v1::CaseForExecution> {
      kerjasosial::cases::v1::GetCaseForExecutionRequest request;
      request.set_name(name);
      kerjasosial::cases::v1::CaseForExecution out;
      absl::Status st = peer->Call([&](grpc::ClientContext* c) {
        return stub->GetCaseForExecution(c, request, &out);
      });
      if (!st.ok()) return st;
      return out;
    };
  }
  std::unique_ptr<ks::rpc::Executor> executor;
  if (const int threads = absl::GetFlag(FLAGS_handler_threads); threads > 0) {
    executor = std::make_unique<ks::rpc::Executor>(
        threads, static_cast<size_t>(threads) * 64);
    options.executor = executor.get();
  }
  const ks::policy::PolicySet& policy = (*runtime)->policy();
  ks::placements::PlacementsService service(**runtime, std::move(options));
  // StreamEvents' snapshot mode: every agreement, activity type, site and
  // placement in its current state (the store is stateless; this one reads).
  ks::placements::store::PlacementsStore snapshot_store((*runtime)->redis(),
                                                        (*runtime)->outbox());
  ks::placements::store::PlacementsSnapshotSource snapshot(snapshot_store,
                                                           policy);
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

  std::unique_ptr<ks::http::HttpSide> http;
  if (const std::string listen = absl::GetFlag(FLAGS_http_listen);
      !listen.empty()) {
    ks::http::HttpSideOptions http_options;
    http_options.listen = listen;
    http_options.grpc_listen = (*runtime)->config().listen;
    http_options.grpc_ca_file = absl::GetFlag(FLAGS_http_grpc_ca_file);
    absl::StatusOr<std::unique_ptr<ks::http::HttpSide>> started =
        ks::http::HttpSide::Start(http_options, RegisterReportCsv);
    if (!started.ok()) {
      ks::server::LogStartupError(defaults.name, started.status());
      return 1;
    }
    http = *std::move(started);
  }

  int code;
  {
    ks::server::Periodic sweeper([&service] { SweepAgreements(service); },
                                 absl::GetFlag(FLAGS_agreement_sweep_interval));
    code = (*runtime)->Serve({&service});
  }
  // Streams have ended with the server; the source goes before the Runtime.
  (*runtime)->SetSnapshotSource(nullptr);
  // HTTP calls go through the gRPC server, which has stopped; the consumer
  // stops before the Redis pool and the service it applies events through.
  http.reset();
  supervision->Stop();
  executor.reset();
  return code;
}
