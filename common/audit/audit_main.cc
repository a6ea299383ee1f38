// kerjasosial-audit: checks a deployment's audit trail from outside the
// service, with the public key of its checkpoints.
//
//   kerjasosial-audit verify --redis_host=10.0.0.5 --redis_port=6379
//       --service=cases --public_key_file=/etc/kerjasosial/audit-key.pub.pem
//
// Prints one line "intact: ..." or "TAMPERED at sequence N: reason" and a
// summary (entries, sealed, checkpoints). Without --public_key_file the
// checkpoints' signatures are not checked, so a consistent rewrite of the
// trail is not detected: the output says so. Read-only: it never seals.
// Exit codes: 0 intact, 1 tampered, 2 usage, key or connection error.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/audit/audit.h"
#include "common/audit/checkpoint.h"
#include "common/redis/client.h"

ABSL_FLAG(std::string, redis_host, "127.0.0.1", "the service's Redis host");
ABSL_FLAG(int, redis_port, 6379, "the service's Redis port");
ABSL_FLAG(std::string, redis_password, "", "Redis AUTH password, if any");
ABSL_FLAG(int, redis_db, 0, "Redis logical database");
ABSL_FLAG(std::string, service, "",
          "the service whose trail to check: its keys are ks:{<service>}:");
ABSL_FLAG(std::string, public_key_file, "",
          "PEM Ed25519 public key(s) of the checkpoints, comma-separated "
          "(several during a key rotation)");

namespace {

constexpr int kExitTampered = 1;
constexpr int kExitUsage = 2;

constexpr char kUsage[] =
    "verifies a kerjasosial service's audit trail and its signed "
    "checkpoints.\n"
    "  kerjasosial-audit verify --redis_host=H --redis_port=P --service=cases "
    "--public_key_file=audit-key.pub.pem\n"
    "exit 0 intact, 1 tampered, 2 usage or connection error";

int Usage(const std::string& why) {
  std::cerr << "kerjasosial-audit: " << why << "\nusage: " << kUsage << "\n";
  return kExitUsage;
}

int Verify() {
  const std::string service = absl::GetFlag(FLAGS_service);
  if (service.empty()) return Usage("--service is required");
  std::vector<std::unique_ptr<ks::audit::CheckpointVerifier>> keys;
  ks::audit::VerifyOptions options;
  for (absl::string_view path : absl::StrSplit(
           absl::GetFlag(FLAGS_public_key_file), ',', absl::SkipEmpty())) {
    auto key = ks::audit::CheckpointVerifier::FromPemFile(std::string(path));
    if (!key.ok()) {
      return Usage(absl::StrCat("--public_key_file: ", key.status().message()));
    }
    options.keys.push_back(key->get());
    keys.push_back(std::move(*key));
  }
  ks::redis::Options redis;
  redis.host = absl::GetFlag(FLAGS_redis_host);
  redis.port = absl::GetFlag(FLAGS_redis_port);
  redis.password = absl::GetFlag(FLAGS_redis_password);
  redis.db = absl::GetFlag(FLAGS_redis_db);
  redis.pool_size = 1;
  redis.command_timeout = absl::Seconds(30);
  ks::redis::Pool pool(redis);
  const std::string prefix = absl::StrCat("ks:{", service, "}:");
  absl::StatusOr<ks::audit::VerifyReport> report =
      ks::audit::Verify(pool, prefix, options);
  if (!report.ok()) {
    std::cerr << "kerjasosial-audit: cannot read the trail at " << redis.host
              << ":" << redis.port << ": " << report.status().ToString()
              << "\n";
    return kExitUsage;
  }
  if (report->first_broken_sequence != 0) {
    std::cout << "TAMPERED at sequence " << report->first_broken_sequence
              << ": " << report->reason << "\n";
  } else {
    std::cout << "intact: " << prefix << "audit\n";
  }
  std::cout << "entries checked: " << report->entries_checked
            << "\nsealed up to: " << report->sealed_sequence
            << "\ncheckpoints verified: " << report->checkpoints_verified
            << " (last at " << report->last_checkpoint_sequence << ")\n";
  if (!report->signatures_checked) {
    std::cout << "WARNING: no --public_key_file: signatures not checked; a "
                 "consistent rewrite of the trail would pass\n";
  }
  std::cout.flush();
  return report->first_broken_sequence != 0 ? kExitTampered : 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    return Usage(args.size() < 2 ? "missing command"
                                 : "exactly one command expected");
  }
  const std::string command = args[1];
  if (command == "verify") return Verify();
  return Usage(absl::StrCat("unknown command '", command, "'"));
}
