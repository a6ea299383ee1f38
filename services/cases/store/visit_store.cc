#include "services/cases/store/visit_store.h"

#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/outbox/index_scan.h"
#include "common/status/status_macros.h"
#include "common/validation/validator.h"

namespace ks::cases::store {
namespace {

namespace v1 = ::kerjasosial::cases::v1;

constexpr absl::string_view kVisitPattern =
    "regencies/{regency}/cases/{case}/supervisionVisits/{visit}";
// Index members are read in chunks of this many when a page is filtered.
constexpr int kScanChunk = 200;

std::string DateKey(const google::type::Date& d) {
  return absl::StrFormat("%04d%02d%02d", d.year(), d.month(), d.day());
}

std::string CaseIndex(absl::string_view regency, absl::string_view case_id) {
  return absl::StrCat("vidx:c:", regency, ":", case_id);
}
std::string RegencyIndex(absl::string_view regency) {
  return absl::StrCat("vidx:r:", regency);
}

}  // namespace

std::string VisitName::Name() const {
  return absl::StrCat("regencies/", regency, "/cases/", case_id,
                      "/supervisionVisits/", id);
}

absl::StatusOr<VisitName> ParseVisitName(absl::string_view name,
                                         absl::string_view field) {
  Validator v;
  std::map<std::string, std::string> vars;
  if (!v.ResourceName(field, name, kVisitPattern, &vars)) return v.Finish();
  return VisitName{vars["regency"], vars["case"], vars["visit"]};
}

VisitStore::VisitStore(redis::Pool& pool, outbox::Writer& writer)
    : pool_(pool), writer_(writer) {}

std::string VisitStore::RecordKey(const VisitName& name) {
  return absl::StrCat("visit:", name.regency, ":", name.case_id, ":", name.id);
}

absl::StatusOr<outbox::Transaction> VisitStore::PlanCreate(
    const v1::SupervisionVisit& visit) {
  KS_ASSIGN_OR_RETURN(VisitName name,
                      ParseVisitName(visit.name(), "visit.name"));
  v1::SupervisionVisit stored = visit;
  stored.clear_etag();
  outbox::Transaction txn;
  txn.records.emplace_back(RecordKey(name), 0, stored.SerializeAsString());
  const std::string date = DateKey(visit.visit_date());
  txn.index_ops.push_back(
      outbox::IndexOp::ZAdd(CaseIndex(name.regency, name.case_id), 0,
                            absl::StrCat(date, ":", name.id)));
  txn.index_ops.push_back(outbox::IndexOp::ZAdd(
      RegencyIndex(name.regency), 0,
      absl::StrCat(date, ":", name.id, ":", name.case_id)));
  stored.set_etag(outbox::Etag(1));
  txn.response = stored.SerializeAsString();
  return txn;
}

absl::StatusOr<v1::SupervisionVisit> VisitStore::Get(const VisitName& name) {
  absl::StatusOr<outbox::StoredRecord> stored = writer_.Get(RecordKey(name));
  if (absl::IsNotFound(stored.status())) {
    return absl::NotFoundError(
        absl::StrCat("supervision visit ", name.Name(), " does not exist"));
  }
  KS_RETURN_IF_ERROR(stored.status());
  v1::SupervisionVisit v;
  if (!v.ParseFromString(stored->data)) {
    return absl::DataLossError(absl::StrCat("supervision visit ", name.Name(),
                                            " record does not parse"));
  }
  v.set_etag(outbox::Etag(stored->version));
  return v;
}

absl::StatusOr<VisitPage> VisitStore::List(const VisitQuery& query) {
  outbox::IndexScan scan;
  scan.index = query.case_id.empty() ? RegencyIndex(query.regency)
                                     : CaseIndex(query.regency, query.case_id);
  scan.descending = true;  // newest first
  scan.after = query.after;
  scan.page_size = query.page_size;
  scan.chunk = kScanChunk;
  scan.record_key =
      [&query](absl::string_view member) -> absl::StatusOr<std::string> {
    const std::vector<std::string> parts = absl::StrSplit(member, ':');
    if (parts.size() != (query.case_id.empty() ? 3u : 2u)) {
      return absl::InternalError("bad supervision visit index member");
    }
    return RecordKey(VisitName{query.regency,
                               query.case_id.empty() ? parts[2] : query.case_id,
                               parts[1]});
  };
  VisitPage page;
  KS_ASSIGN_OR_RETURN(
      outbox::IndexPageInfo info,
      outbox::ScanIndexInto<v1::SupervisionVisit>(
          pool_, writer_, std::move(scan), "supervision visit", query.predicate,
          [](v1::SupervisionVisit& v, int64_t version) {
            v.set_etag(outbox::Etag(version));
          },
          &page.visits));
  page.next_after = std::move(info.next_after);
  return page;
}

}  // namespace ks::cases::store
