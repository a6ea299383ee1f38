// kerjasosial-supervision: the supervision service, one deployment per Bapas
// office.
//
// Besides the common flags (server.h; the legal policy comes with them,
// --policy_file):
//   --cases_address       the cases deployment: GetCaseForExecution at PK
//                         assignment, and its feed (the case read model);
//   --placements_address  the placements deployment: its feed (the
//                         placement read model RecordWorkSession uses);
//   --*_ca_file           TLS roots of each (empty: plaintext, loopback);
//   --service_token_file  the SERVICE bearer token presented to both.
//   --risk_sweep_interval how often the at-risk/overdue sweep runs.
//   --warning_sweep_interval how often warnings past their respond-by date
//                         are committed EXPIRED (with WarningClosed).
// Either address may be empty (that upstream is then not followed; a PK
// assignment answers UNAVAILABLE without cases).
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/client/peer.h"
#include "common/feed/consumer.h"
#include "common/log/log.h"
#include "common/rpc/executor.h"
#include "common/server/periodic.h"
#include "common/server/runtime.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"
#include "services/supervision/store/keys.h"
#include "services/supervision/supervision_service.h"

ABSL_FLAG(std::string, cases_address, "",
          "host:port of the cases deployment (GetCaseForExecution and its "
          "feed); empty: not followed");
ABSL_FLAG(std::string, cases_ca_file, "",
          "PEM roots to verify the cases server (TLS); empty: plaintext");
ABSL_FLAG(std::string, placements_address, "",
          "host:port of the placements deployment whose feed to follow; "
          "empty: not followed");
ABSL_FLAG(std::string, placements_ca_file, "",
          "PEM roots to verify the placements server (TLS); empty: plaintext");
ABSL_FLAG(std::string, service_token_file, "",
          "file holding the SERVICE bearer token presented to cases and "
          "placements");
ABSL_FLAG(absl::Duration, risk_sweep_interval, absl::Hours(1),
          "how often every OPEN ledger's at-risk and overdue flags are "
          "recomputed (events only on change; sessions recompute them too)");
ABSL_FLAG(absl::Duration, warning_sweep_interval, absl::Hours(1),
          "how often ISSUED warnings past their respond-by date are "
          "committed EXPIRED with WarningClosed (reads show EXPIRED at once)");
ABSL_FLAG(int, handler_threads, 0,
          "0: handlers run on gRPC's callback threads; N > 0: on a bounded "
          "executor of N threads with a queue of 64*N calls");

namespace {

// A peer of `name` at `address` (null when the address is empty).
absl::StatusOr<std::unique_ptr<ks::client::Peer>> PeerFor(
    const std::string& name, const std::string& address,
    const std::string& ca_file) {
  ks::client::PeerOptions options;
  options.name = name;
  options.address = address;
  options.ca_file = ca_file;
  return ks::client::PeerFromFlags(std::move(options),
                                   absl::GetFlag(FLAGS_service_token_file));
}

// Follows `Service`'s feed at `address` (empty: not followed) into the read
// model through `handler`, its cursor under the deployment's `key` (the
// read model's own key, kept so an upgrade resumes where it was).
template <typename Service>
absl::StatusOr<ks::client::FeedFollower> Follow(ks::server::Runtime& runtime,
                                                const std::string& name,
                                                const std::string& address,
                                                const std::string& ca_file,
                                                absl::string_view key,
                                                ks::feed::Handler handler) {
  ks::client::PeerOptions peer;
  peer.name = name;
  peer.address = address;
  peer.ca_file = ca_file;
  ks::feed::ConsumerOptions options;
  options.key_prefix = absl::StrCat(runtime.key_prefix(), key);
  options.handler = std::move(handler);
  return ks::client::FollowFeed<Service>(
      std::move(peer), absl::GetFlag(FLAGS_service_token_file), runtime.redis(),
      std::move(options));
}

// Logs one run of a periodic sweep: `<sweep>_done` with how many records it
// changed (under `counted`), or `<sweep>_failed` with the error (the next
// tick retries).
void LogSweep(absl::string_view sweep, absl::string_view counted,
              const absl::StatusOr<int>& n) {
  if (!n.ok()) {
    ks::log::Warning(absl::StrCat(sweep, "_failed"),
                     {{"error", std::string(n.status().message())}});
  } else {
    ks::log::Info(absl::StrCat(sweep, "_done"),
                  {{std::string(counted), static_cast<int64_t>(*n)}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  const ks::server::BinaryDefaults defaults{"supervision", 7103, 9103};
  ks::server::InitProcess(
      argc, argv,
      "kerjasosial-supervision: the supervision service of kerjasosial.\n"
      "Flags may also be set as KS_<FLAG> environment variables.");
  auto runtime = ks::server::Runtime::Create(
      ks::server::ConfigFromFlags(defaults), /*publishes_feed=*/true);
  if (!runtime.ok()) {
    ks::server::LogStartupError(defaults.name, runtime.status());
    return 1;
  }
  auto cases = PeerFor("cases", absl::GetFlag(FLAGS_cases_address),
                       absl::GetFlag(FLAGS_cases_ca_file));
  if (!cases.ok()) {
    ks::server::LogStartupError(defaults.name, cases.status());
    return 1;
  }
  ks::supervision::SupervisionServiceOptions options{(*runtime)->policy()};
  options.cases = cases->get();
  std::unique_ptr<ks::rpc::Executor> executor;
  if (const int threads = absl::GetFlag(FLAGS_handler_threads); threads > 0) {
    executor = std::make_unique<ks::rpc::Executor>(
        threads, static_cast<size_t>(threads) * 64);
    options.executor = executor.get();
  }
  ks::supervision::SupervisionService service(**runtime, std::move(options));
  ks::supervision::store::ReadModel& model = service.read_model();
  // FollowFeed owns the Peer it reads from, so the cases feed's is a second
  // one beside `cases` (GetCaseForExecution); the feed never went through
  // that Peer's circuit, and gRPC's subchannel pool gives the two equal
  // channels one connection.
  absl::StatusOr<ks::client::FeedFollower> cases_feed =
      Follow<kerjasosial::cases::v1::Cases>(
          **runtime, "cases", absl::GetFlag(FLAGS_cases_address),
          absl::GetFlag(FLAGS_cases_ca_file),
          ks::supervision::store::kCasesFeedPrefix,
          [&model](const kerjasosial::common::v1::Event& e) {
            return model.ApplyCasesEvent(e);
          });
  absl::StatusOr<ks::client::FeedFollower> placements_feed =
      Follow<kerjasosial::placements::v1::Placements>(
          **runtime, "placements", absl::GetFlag(FLAGS_placements_address),
          absl::GetFlag(FLAGS_placements_ca_file),
          ks::supervision::store::kPlacementsFeedPrefix,
          [&model](const kerjasosial::common::v1::Event& e) {
            return model.ApplyPlacementsEvent(e);
          });
  for (const auto* f : {&cases_feed, &placements_feed}) {
    if (!f->ok()) {
      ks::server::LogStartupError(defaults.name, f->status());
      return 1;
    }
  }
  int code;
  {
    ks::server::Periodic risk_sweep(
        [&service] { LogSweep("risk_sweep", "changed", service.SweepRisk()); },
        absl::GetFlag(FLAGS_risk_sweep_interval));
    ks::server::Periodic warning_sweep(
        [&service] {
          LogSweep("warning_sweep", "expired", service.SweepWarnings());
        },
        absl::GetFlag(FLAGS_warning_sweep_interval));
    code = (*runtime)->Serve({&service});
  }
  // The server has stopped; the consumers stop before the Redis pool and the
  // read model they write through are destroyed.
  cases_feed->Stop();
  placements_feed->Stop();
  executor.reset();
  return code;
}
