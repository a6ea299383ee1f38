#include "services/cases/store/case_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sha256.h"
#include "common/ids/id.h"
#include "common/outbox/index_scan.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/validation/validator.h"
#include "google/protobuf/util/time_util.h"

namespace ks::cases::store {
namespace {

using ::kerjasosial::cases::v1::Case;
using ::kerjasosial::cases::v1::CaseHistoryEntry;

constexpr absl::string_view kCasePattern = "regencies/{regency}/cases/{case}";
// Index members are read in chunks of this many when a page is filtered.
constexpr int kScanChunk = 200;

struct Membership {
  std::string key;
  std::string member;
  bool operator<(const Membership& o) const {
    return std::tie(key, member) < std::tie(o.key, o.member);
  }
};

std::set<Membership> Memberships(const Case& c) {
  std::set<Membership> out;
  absl::StatusOr<CaseName> name = ParseCaseName(c.name());
  if (!name.ok()) return out;
  const std::string base = absl::StrCat(name->id, ":", name->regency);
  for (const std::string& scope :
       {std::string("g"), absl::StrCat("r:", name->regency)}) {
    out.insert({CaseStore::IndexKey(scope, "created"), base});
    out.insert(
        {CaseStore::IndexKey(scope, absl::StrCat("state:", c.state())), base});
    out.insert(
        {CaseStore::IndexKey(scope, absl::StrCat("kind:", c.sentence().kind())),
         base});
    if (c.progress().at_risk()) {
      out.insert({CaseStore::IndexKey(scope, "at_risk"), base});
    }
    if (c.progress().overdue()) {
      out.insert({CaseStore::IndexKey(scope, "overdue"), base});
    }
    if (c.has_update_time()) {
      const int64_t ms = std::max<int64_t>(
          0, google::protobuf::util::TimeUtil::TimestampToMilliseconds(
                 c.update_time()));
      out.insert({CaseStore::IndexKey(scope, "updated"),
                  absl::StrFormat("%016d:%s", ms, base)});
    }
    if (c.progress().has_deadline_time()) {
      const int64_t ms = std::max<int64_t>(
          0, google::protobuf::util::TimeUtil::TimestampToMilliseconds(
                 c.progress().deadline_time()));
      out.insert({CaseStore::IndexKey(scope, "deadline"),
                  absl::StrFormat("%016d:%s", ms, base)});
    }
  }
  return out;
}

// "<...>:<id>:<regency>" -> CaseName.
absl::StatusOr<CaseName> NameFromMember(absl::string_view member) {
  std::vector<absl::string_view> parts = absl::StrSplit(member, ':');
  if (parts.size() < 2) {
    return absl::InternalError(absl::StrCat("bad index member ", member));
  }
  return CaseName{std::string(parts[parts.size() - 1]),
                  std::string(parts[parts.size() - 2])};
}

std::string Normalize(absl::string_view text) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
}

}  // namespace

std::string CaseName::Name() const {
  return absl::StrCat("regencies/", regency, "/cases/", id);
}

absl::StatusOr<CaseName> ParseCaseName(absl::string_view name,
                                       absl::string_view field) {
  Validator v;
  std::map<std::string, std::string> vars;
  if (!v.ResourceName(field, name, kCasePattern, &vars)) return v.Finish();
  return CaseName{vars["regency"], vars["case"]};
}

CaseStore::CaseStore(redis::Pool& pool, outbox::Writer& writer)
    : pool_(pool), writer_(writer) {}

std::string CaseStore::RecordKey(const CaseName& name) {
  return absl::StrCat("case:", name.regency, ":", name.id);
}
std::string CaseStore::HistoryKey(const CaseName& name) {
  return absl::StrCat("hist:", name.regency, ":", name.id);
}
std::string CaseStore::DecisionKey(absl::string_view court_name,
                                   absl::string_view decision_number) {
  return absl::StrCat(
      "decision:", crypto::Sha256Hex(absl::StrCat(Normalize(court_name), "\n",
                                                  Normalize(decision_number))));
}
std::string CaseStore::IndexKey(absl::string_view scope,
                                absl::string_view index) {
  return absl::StrCat("idx:", scope, ":", index);
}

std::string CaseStore::TransferKey(absl::string_view source_case,
                                   absl::string_view transfer_id) {
  return absl::StrCat("transfer:", crypto::Sha256Hex(absl::StrCat(
                                       source_case, "\n", transfer_id)));
}

outbox::RecordWrite CaseStore::TransferClaim(absl::string_view source_case,
                                             absl::string_view transfer_id,
                                             absl::string_view received_case) {
  outbox::Conflict conflict;
  conflict.reason = std::string(kReasonTransferAlreadyReceived);
  conflict.message = "this transfer was received already";
  conflict.existing_data_as = "case";
  return outbox::RecordWrite(TransferKey(source_case, transfer_id), 0,
                             std::string(received_case), std::move(conflict));
}

absl::StatusOr<std::string> CaseStore::FindTransfer(
    absl::string_view source_case, absl::string_view transfer_id) {
  absl::StatusOr<outbox::StoredRecord> claim =
      writer_.Get(TransferKey(source_case, transfer_id));
  if (absl::IsNotFound(claim.status())) {
    return absl::NotFoundError("the transfer was not received");
  }
  KS_RETURN_IF_ERROR(claim.status());
  return claim->data;
}

absl::StatusOr<Case> CaseStore::Get(const CaseName& name) {
  absl::StatusOr<outbox::StoredRecord> stored = writer_.Get(RecordKey(name));
  if (!stored.ok()) {
    if (absl::IsNotFound(stored.status())) {
      return absl::NotFoundError(
          absl::StrCat("case ", name.Name(), " does not exist"));
    }
    return stored.status();
  }
  Case c;
  if (!c.ParseFromString(stored->data)) {
    return absl::DataLossError(
        absl::StrCat("case ", name.Name(), " record does not parse"));
  }
  c.set_version(stored->version);
  c.set_etag(outbox::Etag(stored->version));
  return c;
}

absl::StatusOr<std::string> CaseStore::FindDecision(
    absl::string_view court_name, absl::string_view decision_number) {
  KS_ASSIGN_OR_RETURN(outbox::StoredRecord stored,
                      writer_.Get(DecisionKey(court_name, decision_number)));
  return stored.data;
}

absl::StatusOr<outbox::Transaction> CaseStore::Plan(Change& change) const {
  if (change.cases.empty()) {
    return absl::InvalidArgumentError("a change writes at least one case");
  }
  outbox::Transaction txn;
  txn.request_id = change.request_id;
  txn.request_fingerprint = change.fingerprint;
  txn.audit = std::move(change.audit);
  for (CaseWrite& write : change.cases) {
    KS_ASSIGN_OR_RETURN(CaseName name, ParseCaseName(write.after.name()));
    const int64_t version = write.expected_version + 1;
    write.after.set_regency_code(name.regency);
    write.after.set_version(version);
    write.after.set_etag(outbox::Etag(version));
    txn.records.push_back({RecordKey(name), write.expected_version,
                           write.after.SerializeAsString()});
    const std::string decision_key =
        DecisionKey(write.after.decision().court_name(),
                    write.after.decision().decision_number());
    // A correction of the court or the decision number moves the claim in
    // the same step: the new pair is claimed (or the change refused), the
    // old one released.
    const bool moves_claim =
        write.before &&
        DecisionKey(write.before->decision().court_name(),
                    write.before->decision().decision_number()) != decision_key;
    if (write.claim_decision || moves_claim) {
      outbox::Conflict taken;
      taken.reason = std::string(kReasonDecisionAlreadyRegistered);
      taken.message = "a case with this court and decision number exists";
      taken.existing_data_as = "case";
      txn.records.push_back(
          {decision_key, 0, write.after.name(), std::move(taken)});
    }
    if (moves_claim) {
      txn.index_ops.push_back(outbox::IndexOp::Del(
          DecisionKey(write.before->decision().court_name(),
                      write.before->decision().decision_number())));
    }
    const std::set<Membership> before =
        write.before ? Memberships(*write.before) : std::set<Membership>{};
    const std::set<Membership> after = Memberships(write.after);
    for (const Membership& m : before) {
      if (after.count(m) == 0) {
        txn.index_ops.push_back(outbox::IndexOp::ZRem(m.key, m.member));
      }
    }
    for (const Membership& m : after) {
      if (before.count(m) == 0) {
        txn.index_ops.push_back(outbox::IndexOp::ZAdd(m.key, 0, m.member));
      }
    }
    for (CaseHistoryEntry& entry : write.history) {
      entry.set_version(version);
      txn.index_ops.push_back(
          outbox::IndexOp::ZAdd(HistoryKey(name), static_cast<double>(version),
                                entry.SerializeAsString()));
    }
    for (kerjasosial::common::v1::Event& event : write.events) {
      if (event.event_id().empty()) event.set_event_id(ids::NewId());
      event.set_aggregate_type(std::string(kCaseAggregateType));
      event.set_aggregate_name(write.after.name());
      event.set_aggregate_version(version);
      if (event.regency_code().empty()) event.set_regency_code(name.regency);
      txn.events.push_back(std::move(event));
    }
  }
  for (outbox::RecordWrite& record : change.extra_records) {
    txn.records.push_back(std::move(record));
  }
  for (outbox::IndexOp& op : change.extra_ops) {
    txn.index_ops.push_back(std::move(op));
  }
  txn.response = change.cases.front().after.SerializeAsString();
  return txn;
}

absl::StatusOr<Committed> CaseStore::Commit(Change change) {
  KS_ASSIGN_OR_RETURN(outbox::Transaction txn, Plan(change));
  KS_ASSIGN_OR_RETURN(outbox::CommitResult result, writer_.Commit(txn));
  Committed committed;
  committed.replayed = result.replayed;
  if (result.replayed) {
    Case first;
    if (!first.ParseFromString(result.response)) {
      return absl::DataLossError("stored response does not parse");
    }
    committed.cases.push_back(std::move(first));
    return committed;
  }
  for (CaseWrite& write : change.cases) {
    committed.cases.push_back(std::move(write.after));
  }
  return committed;
}

absl::StatusOr<Page> CaseStore::List(const ListQuery& query) {
  outbox::IndexScan scan;
  scan.index = query.index;
  scan.descending = query.descending;
  scan.after = query.after;
  scan.page_size = query.page_size;
  scan.chunk = kScanChunk;
  scan.record_key =
      [](absl::string_view member) -> absl::StatusOr<std::string> {
    KS_ASSIGN_OR_RETURN(CaseName name, NameFromMember(member));
    return RecordKey(name);
  };
  Page page;
  KS_ASSIGN_OR_RETURN(
      outbox::IndexPageInfo info,
      outbox::ScanIndexInto<Case>(
          pool_, writer_, std::move(scan), "case", query.predicate,
          [](Case& c, int64_t version) {
            c.set_version(version);
            c.set_etag(outbox::Etag(version));
          },
          &page.cases));
  page.next_after = std::move(info.next_after);
  page.total_size = info.total_size;
  page.total_size_exact = info.total_size_exact;
  return page;
}

absl::StatusOr<std::vector<CaseHistoryEntry>> CaseStore::History(
    const CaseName& name, int64_t after_version, int limit, bool* more) {
  KS_ASSIGN_OR_RETURN(
      redis::Reply reply,
      pool_.Command({"ZRANGEBYSCORE", writer_.Key(HistoryKey(name)),
                     absl::StrCat("(", after_version), "+inf", "LIMIT", "0",
                     absl::StrCat(limit + 1)}));
  std::vector<CaseHistoryEntry> entries;
  for (const redis::Reply& m : reply.elements) {
    if (static_cast<int>(entries.size()) == limit) break;
    CaseHistoryEntry entry;
    if (!entry.ParseFromString(m.str)) {
      return absl::DataLossError(
          absl::StrCat("history of ", name.Name(), " does not parse"));
    }
    entries.push_back(std::move(entry));
  }
  *more = static_cast<int>(reply.elements.size()) > limit;
  return entries;
}

}  // namespace ks::cases::store
