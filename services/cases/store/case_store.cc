#include "services/cases/store/case_store.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/ids/id.h"
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
      "decision:", audit::Sha256Hex(absl::StrCat(Normalize(court_name), "\n",
                                                 Normalize(decision_number))));
}
std::string CaseStore::IndexKey(absl::string_view scope,
                                absl::string_view index) {
  return absl::StrCat("idx:", scope, ":", index);
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

absl::StatusOr<Committed> CaseStore::Commit(Change change) {
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
    if (write.claim_decision) {
      txn.records.push_back(
          {DecisionKey(write.after.decision().court_name(),
                       write.after.decision().decision_number()),
           0, write.after.name()});
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

absl::StatusOr<std::optional<Case>> CaseStore::LookupRequest(
    absl::string_view request_id, absl::string_view fingerprint) {
  if (request_id.empty()) return std::optional<Case>();
  KS_ASSIGN_OR_RETURN(
      redis::Reply reply,
      pool_.Command(
          {"HMGET", writer_.Key(absl::StrCat("idem:", request_id)), "f", "r"}));
  if (!reply.is_array() || reply.elements.size() != 2 ||
      reply.elements[0].is_nil()) {
    return std::optional<Case>();
  }
  if (reply.elements[0].str != fingerprint) {
    return WithErrorInfo(
        absl::AlreadyExistsError(
            "request_id was already used with a different request"),
        "REQUEST_ID_REUSED", {{"request_id", std::string(request_id)}});
  }
  Case first;
  if (!first.ParseFromString(reply.elements[1].str)) {
    return absl::DataLossError("stored response does not parse");
  }
  return std::optional<Case>(std::move(first));
}

absl::StatusOr<Page> CaseStore::List(const ListQuery& query) {
  const std::string key = writer_.Key(query.index);
  const int page_size = std::max(1, query.page_size);
  Page page;
  std::string after = query.after;
  bool page_full = false;
  std::string last_returned;
  // Scan from `after` until the page is full and one more match is seen
  // (so the last page has no token), or the index ends.
  while (true) {
    std::string start = after.empty() ? (query.descending ? "+" : "-")
                                      : absl::StrCat("(", after);
    std::string end = query.descending ? "-" : "+";
    KS_ASSIGN_OR_RETURN(
        redis::Reply members,
        pool_.Command({query.descending ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", key,
                       start, end, "LIMIT", "0", absl::StrCat(kScanChunk)}));
    if (members.elements.empty()) break;
    std::vector<std::vector<std::string>> gets;
    std::vector<CaseName> names;
    for (const redis::Reply& m : members.elements) {
      KS_ASSIGN_OR_RETURN(CaseName name, NameFromMember(m.str));
      gets.push_back({"HMGET", writer_.Key(RecordKey(name)), "d", "v"});
      names.push_back(std::move(name));
    }
    KS_ASSIGN_OR_RETURN(std::vector<redis::Reply> records,
                        pool_.Pipeline(gets));
    for (size_t i = 0; i < records.size(); ++i) {
      after = members.elements[i].str;
      const redis::Reply& r = records[i];
      if (!r.is_array() || r.elements.size() != 2 || r.elements[0].is_nil()) {
        continue;  // removed between the two reads
      }
      Case c;
      if (!c.ParseFromString(r.elements[0].str)) {
        return absl::DataLossError(
            absl::StrCat("case ", names[i].Name(), " record does not parse"));
      }
      int64_t version = 0;
      if (absl::SimpleAtoi(r.elements[1].str, &version)) {
        c.set_version(version);
        c.set_etag(outbox::Etag(version));
      }
      if (query.predicate && !query.predicate(c)) continue;
      if (page_full) {
        page.next_after = last_returned;
        break;
      }
      page.cases.push_back(std::move(c));
      last_returned = members.elements[i].str;
      page_full = static_cast<int>(page.cases.size()) >= page_size;
    }
    if (!page.next_after.empty()) break;
    if (static_cast<int>(members.elements.size()) < kScanChunk) break;
  }

  if (!query.predicate) {
    KS_ASSIGN_OR_RETURN(redis::Reply card, pool_.Command({"ZCARD", key}));
    page.total_size = card.integer;
  } else {
    // A residual filter: count the matches over the whole index.
    ListQuery count = query;
    count.after.clear();
    std::string from;
    int64_t total = 0;
    while (true) {
      KS_ASSIGN_OR_RETURN(
          redis::Reply members,
          pool_.Command({"ZRANGEBYLEX", key,
                         from.empty() ? "-" : absl::StrCat("(", from), "+",
                         "LIMIT", "0", absl::StrCat(kScanChunk)}));
      if (members.elements.empty()) break;
      std::vector<std::vector<std::string>> gets;
      for (const redis::Reply& m : members.elements) {
        KS_ASSIGN_OR_RETURN(CaseName name, NameFromMember(m.str));
        gets.push_back({"HGET", writer_.Key(RecordKey(name)), "d"});
      }
      KS_ASSIGN_OR_RETURN(std::vector<redis::Reply> records,
                          pool_.Pipeline(gets));
      for (const redis::Reply& r : records) {
        Case c;
        if (r.is_string() && c.ParseFromString(r.str) && query.predicate(c)) {
          ++total;
        }
      }
      from = members.elements.back().str;
      if (static_cast<int>(members.elements.size()) < kScanChunk) break;
    }
    page.total_size = total;
  }
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
