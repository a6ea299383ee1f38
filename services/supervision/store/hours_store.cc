#include "services/supervision/store/hours_store.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "services/supervision/store/keys.h"

namespace ks::supervision::store {

template <typename T>
absl::StatusOr<T> HoursStore::Load(const std::string& key,
                                   absl::string_view what) {
  absl::StatusOr<outbox::StoredRecord> rec = writer_.Get(key);
  if (absl::IsNotFound(rec.status())) {
    return absl::NotFoundError(absl::StrCat(what, " not found"));
  }
  KS_RETURN_IF_ERROR(rec.status());
  T out;
  if (!out.ParseFromString(rec->data)) {
    return absl::DataLossError(
        absl::StrCat("stored ", what, " does not parse"));
  }
  out.set_etag(outbox::Etag(rec->version));
  return out;
}

absl::StatusOr<PkAssignment> HoursStore::GetAssignment(
    absl::string_view regency, absl::string_view id) {
  return Load<PkAssignment>(
      AssignmentKey(regency, id),
      absl::StrCat("regencies/", regency, "/pkAssignments/", id));
}

absl::StatusOr<HoursLedger> HoursStore::GetLedger(absl::string_view regency,
                                                  absl::string_view case_id) {
  return Load<HoursLedger>(
      LedgerKey(regency, case_id),
      absl::StrCat("regencies/", regency, "/ledgers/", case_id));
}

absl::StatusOr<WorkSession> HoursStore::GetSession(absl::string_view regency,
                                                   absl::string_view id) {
  return Load<WorkSession>(
      SessionKey(regency, id),
      absl::StrCat("regencies/", regency, "/workSessions/", id));
}

namespace {
std::string Member(int64_t seconds, absl::string_view regency,
                   absl::string_view id) {
  char sort[24];
  std::snprintf(sort, sizeof(sort), "%012lld", static_cast<long long>(seconds));
  return absl::StrCat(sort, ":", regency, ":", id);
}
}  // namespace

std::string HoursStore::SessionMember(const WorkSession& s,
                                      absl::string_view regency,
                                      absl::string_view id) {
  return Member(s.start_time().seconds(), regency, id);
}

std::string HoursStore::AssignmentMember(const PkAssignment& a,
                                         absl::string_view regency,
                                         absl::string_view id) {
  return Member(a.create_time().seconds(), regency, id);
}

template <typename T>
absl::StatusOr<std::vector<T>> HoursStore::LoadIndex(
    const std::string& index, absl::string_view record_prefix) {
  KS_ASSIGN_OR_RETURN(redis::Reply r,
                      pool_.Command({"ZRANGE", writer_.Key(index), "0", "-1"}));
  std::vector<std::string> keys;
  for (const redis::Reply& m : r.elements) {
    // "<sort>:<regency>:<id>" -> "<prefix>:<regency>:<id>"
    std::vector<std::string> parts = absl::StrSplit(m.str, ':');
    if (parts.size() != 3) {
      return absl::InternalError("malformed index member");
    }
    keys.push_back(absl::StrCat(record_prefix, ":", parts[1], ":", parts[2]));
  }
  KS_ASSIGN_OR_RETURN(auto records, writer_.GetMany(keys));
  std::vector<T> out;
  for (const auto& rec : records) {
    if (!rec) continue;
    T item;
    if (!item.ParseFromString(rec->data)) {
      return absl::DataLossError("a stored record does not parse");
    }
    item.set_etag(outbox::Etag(rec->version));
    out.push_back(std::move(item));
  }
  return out;
}

absl::StatusOr<std::vector<WorkSession>> HoursStore::SessionsOf(
    absl::string_view case_name) {
  return LoadIndex<WorkSession>(CaseSessionsIndex(case_name), "ws");
}

absl::StatusOr<std::vector<PkAssignment>> HoursStore::AssignmentsOf(
    absl::string_view case_name) {
  return LoadIndex<PkAssignment>(CaseAssignmentsIndex(case_name), "asg");
}

}  // namespace ks::supervision::store
