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
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/client/peer.h"
#include "common/log/log.h"
#include "common/rpc/executor.h"
#include "common/server/periodic.h"
#include "common/server/runtime.h"
#include "grpcpp/grpcpp.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "services/placements/placements_service.h"

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
  ks::placements::PlacementsService service(**runtime, std::move(options));
  int code;
  {
    ks::server::Periodic sweeper([&service] { SweepAgreements(service); },
                                 absl::GetFlag(FLAGS_agreement_sweep_interval));
    code = (*runtime)->Serve({&service});
  }
  executor.reset();
  return code;
}
