// ksctl audit verify: common/audit's Verify() over a deployment's Redis, the
// same check as kerjasosial-audit, with ksctl's table/--json output and exit
// codes. Read-only: it never seals or writes.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/audit/audit.h"
#include "common/audit/checkpoint.h"
#include "common/redis/client.h"
#include "google/protobuf/struct.pb.h"
#include "tools/ksctl/commands.h"

namespace ks::ksctl {
namespace {

int Verify(const Args& args, Session& s) {
  std::vector<std::unique_ptr<audit::CheckpointVerifier>> keys;
  audit::VerifyOptions options;
  for (absl::string_view path :
       absl::StrSplit(args.Get("public_key_file"), ',', absl::SkipEmpty())) {
    auto key = audit::CheckpointVerifier::FromPemFile(std::string(path));
    if (!key.ok()) {
      return s.Usage(
          absl::StrCat("--public_key_file: ", key.status().message()));
    }
    options.keys.push_back(key->get());
    keys.push_back(*std::move(key));
  }
  redis::Options redis;
  redis.host = args.Get("redis_host", "127.0.0.1");
  absl::StatusOr<int64_t> port = args.GetInt("redis_port", 6379);
  absl::StatusOr<int64_t> db = args.GetInt("redis_db", 0);
  if (!port.ok()) return s.Fail(port.status());
  if (!db.ok()) return s.Fail(db.status());
  redis.port = static_cast<int>(*port);
  redis.db = static_cast<int>(*db);
  const char* password = std::getenv("KS_REDIS_PASSWORD");
  redis.password = password == nullptr ? "" : password;
  redis.pool_size = 1;
  // Reading a long trail is one big XRANGE per batch, not a hot path.
  redis.command_timeout = absl::Seconds(30);
  redis::Pool pool(redis);
  const std::string service = args.Get("service");
  const std::string prefix = absl::StrCat("ks:{", service, "}:");
  absl::StatusOr<audit::VerifyReport> report =
      audit::Verify(pool, prefix, options);
  if (!report.ok()) {
    s.err() << "ksctl: cannot read the audit trail at " << redis.host << ":"
            << redis.port << ": " << report.status().message() << "\n";
    return kExitUnavailable;
  }
  const bool intact = report->first_broken_sequence == 0;
  if (s.json()) {
    google::protobuf::Struct out;
    auto& f = *out.mutable_fields();
    f["service"].set_string_value(service);
    f["intact"].set_bool_value(intact);
    f["entriesChecked"].set_number_value(
        static_cast<double>(report->entries_checked));
    f["sealedSequence"].set_number_value(
        static_cast<double>(report->sealed_sequence));
    f["checkpointsVerified"].set_number_value(
        static_cast<double>(report->checkpoints_verified));
    f["lastCheckpointSequence"].set_number_value(
        static_cast<double>(report->last_checkpoint_sequence));
    f["signaturesChecked"].set_bool_value(report->signatures_checked);
    if (!intact) {
      f["firstBrokenSequence"].set_number_value(
          static_cast<double>(report->first_broken_sequence));
      f["reason"].set_string_value(report->reason);
    }
    s.PrintJson(out);
  } else {
    PrintFields(
        s.out(),
        {{"trail", prefix + "audit"},
         {"result", intact ? "intact"
                           : absl::StrCat("TAMPERED at sequence ",
                                          report->first_broken_sequence)},
         {"reason", report->reason},
         {"entries checked", absl::StrCat(report->entries_checked)},
         {"sealed up to", absl::StrCat(report->sealed_sequence)},
         {"checkpoints verified", absl::StrCat(report->checkpoints_verified)},
         {"last checkpoint", absl::StrCat(report->last_checkpoint_sequence)},
         {"signatures",
          report->signatures_checked ? "checked" : "NOT checked"}});
  }
  if (!report->signatures_checked) {
    s.err() << "ksctl: warning: no --public_key_file: signatures not "
               "checked; a consistent rewrite of the trail would pass\n";
  }
  return intact ? kExitOk : kExitTampered;
}

}  // namespace

std::vector<Command> AuditCommands() {
  Command verify{
      "audit",
      "verify",
      "check a deployment's audit trail and signed checkpoints",
      "Recomputes the hash chain of the service's audit trail in its Redis\n"
      "and checks the signed checkpoints (common/audit Verify). Read-only:\n"
      "safe on a live system. The Redis password, if any, comes from\n"
      "KS_REDIS_PASSWORD. Exit 0 intact, 9 tampered, 7 Redis unreachable.\n"
      "  ksctl audit verify --service=cases --redis_port=6401 "
      "--public_key_file=audit-key.pub.pem\n",
      {{"service", "whose trail: cases, placements, supervision or reporting",
        true},
       {"redis_host", "the service's Redis host (default 127.0.0.1)"},
       {"redis_port", "the service's Redis port (default 6379)"},
       {"redis_db", "Redis logical database (default 0)"},
       {"public_key_file",
        "PEM Ed25519 public key(s) of the checkpoints, comma-separated "
        "(several during a key rotation)"},
       {"json", "print JSON instead of a table", false, true}},
      Verify,
      /*calls_service=*/false};
  return {verify};
}

}  // namespace ks::ksctl
