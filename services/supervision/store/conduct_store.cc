#include "services/supervision/store/conduct_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "google/rpc/error_details.pb.h"

namespace ks::supervision::store {
namespace {

constexpr absl::string_view kReasonGuardRace = "CONCURRENT_CONDUCT_CHANGE";

std::string GuardKey(absl::string_view case_name) {
  return absl::StrCat("cd:", case_name);
}
std::string CaseViolationsIndex(absl::string_view case_name) {
  return absl::StrCat("ix:vio:", case_name);
}
std::string CaseWarningsIndex(absl::string_view case_name) {
  return absl::StrCat("ix:wrn:", case_name);
}
std::string Member(const TableKey& key) {
  return absl::StrCat(key.id, ":", key.regency);
}

}  // namespace

ConductStore::ConductStore(redis::Pool& pool, outbox::Writer& writer)
    : pool_(pool),
      writer_(writer),
      violations_(pool, writer, "vio", "violation", "violations"),
      warnings_(pool, writer, "wrn", "warning", "warnings"),
      groups_(pool, writer, "grp", "group session", "groupSessions") {}

absl::StatusOr<int64_t> ConductStore::GuardVersion(
    absl::string_view case_name) const {
  absl::StatusOr<outbox::StoredRecord> r = writer_.Get(GuardKey(case_name));
  if (absl::IsNotFound(r.status())) return 0;
  KS_RETURN_IF_ERROR(r.status());
  return r->version;
}

void ConductStore::AddGuard(outbox::Transaction& txn,
                            absl::string_view case_name,
                            int64_t expected_version) {
  txn.records.emplace_back(
      GuardKey(case_name), expected_version, std::string(case_name),
      outbox::Conflict{std::string(kReasonGuardRace),
                       "another change of the case's violations or warnings "
                       "committed first; retry with the same request_id",
                       {},
                       ""});
}

bool ConductStore::IsGuardRace(const absl::Status& status) {
  if (!absl::IsAlreadyExists(status)) return false;
  const auto payload = status.GetPayload(
      absl::StrCat("type.googleapis.com/",
                   google::rpc::ErrorInfo::descriptor()->full_name()));
  google::rpc::ErrorInfo info;
  return payload && info.ParseFromString(std::string(*payload)) &&
         info.reason() == kReasonGuardRace;
}

template <typename R>
absl::StatusOr<std::vector<R>> ConductStore::OfCase(
    const std::string& index, const Table<R>& table) const {
  KS_ASSIGN_OR_RETURN(redis::Reply r,
                      pool_.Command({"ZRANGE", writer_.Key(index), "0", "-1"}));
  std::vector<R> out;
  out.reserve(r.elements.size());
  for (const redis::Reply& m : r.elements) {
    std::vector<std::string> parts = absl::StrSplit(m.str, ':');
    if (parts.size() != 2) {
      return absl::InternalError("malformed conduct index member");
    }
    KS_ASSIGN_OR_RETURN(R item, table.Get(TableKey{parts[1], parts[0]}));
    out.push_back(std::move(item));
  }
  return out;
}

absl::StatusOr<std::vector<Violation>> ConductStore::ViolationsOf(
    absl::string_view case_name) const {
  return OfCase(CaseViolationsIndex(case_name), violations_);
}

absl::StatusOr<std::vector<Warning>> ConductStore::WarningsOf(
    absl::string_view case_name) const {
  return OfCase(CaseWarningsIndex(case_name), warnings_);
}

void ConductStore::IndexViolation(outbox::Transaction& txn,
                                  absl::string_view case_name,
                                  const TableKey& key) {
  txn.index_ops.push_back(
      outbox::IndexOp::ZAdd(CaseViolationsIndex(case_name), 0, Member(key)));
}

void ConductStore::IndexWarning(outbox::Transaction& txn,
                                absl::string_view case_name,
                                const TableKey& key) {
  txn.index_ops.push_back(
      outbox::IndexOp::ZAdd(CaseWarningsIndex(case_name), 0, Member(key)));
}

}  // namespace ks::supervision::store
