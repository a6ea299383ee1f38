// CaseStore against a real redis-server: one transaction per change with
// its indexes, history and events; paging; uniqueness; stale versions.
#include "services/cases/store/case_store.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/ids/id.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "common/testing/redis_fixture.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "services/cases/store/case_snapshot.h"

namespace ks::cases::store {
namespace {

using ::kerjasosial::cases::v1::Case;
using ::kerjasosial::cases::v1::CaseHistoryEntry;
using ::kerjasosial::common::v1::Event;

constexpr char kPrefix[] = "ks:{cases}:";
constexpr char kNik[] = "6401054101900003";
constexpr char kPersonName[] = "Siti Rahmawati Testperson";

class CaseStoreTest : public ks::testing::RedisFixture {
 protected:
  CaseStoreTest() : RedisFixture(kPrefix, "cases-test") {}

  void SetUp() override {
    RedisFixture::SetUp();
    store_ = std::make_unique<CaseStore>(pool(), writer());
  }

  Case NewCase(const std::string& regency, const std::string& number) {
    Case c;
    c.set_name(CaseName{regency, ids::NewId()}.Name());
    c.set_state(kerjasosial::cases::v1::CASE_STATE_REGISTERED);
    c.mutable_person()->set_full_name(kPersonName);
    c.mutable_person()->set_nik(kNik);
    c.mutable_decision()->set_court_name("Pengadilan Negeri Tanah Grogot");
    c.mutable_decision()->set_decision_number(number);
    c.mutable_sentence()->set_kind(
        kerjasosial::common::v1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
    c.mutable_sentence()->set_hours(40);
    return c;
  }

  absl::StatusOr<Case> Create(Case c, std::string request_id = "") {
    Change change;
    CaseWrite write;
    write.after = std::move(c);
    write.claim_decision = true;
    CaseHistoryEntry entry;
    entry.set_to_state(write.after.state());
    entry.set_cause("/kerjasosial.cases.v1.Cases/CreateCase");
    write.history.push_back(entry);
    Event event;
    event.set_event_id(ids::NewId());
    event.set_event_type("kerjasosial.cases.v1.CaseRegistered");
    write.events.push_back(event);
    change.cases.push_back(std::move(write));
    change.request_id = request_id;
    change.fingerprint = request_id.empty() ? "" : "fp";
    absl::StatusOr<Committed> committed = store_->Commit(std::move(change));
    if (!committed.ok()) return committed.status();
    return committed->cases.front();
  }

  std::string Cli(const std::string& args) {
    return std::string(absl::StripAsciiWhitespace(server().Cli(args)));
  }
  int64_t DbSize() { return std::stoll(Cli("DBSIZE")); }
  int64_t StreamLength() {
    return std::stoll(Cli(absl::StrCat("XLEN ", kPrefix, "events")));
  }

  std::unique_ptr<CaseStore> store_;
};

TEST_F(CaseStoreTest, CreateWritesRecordIndexesHistoryAndEventAtomically) {
  absl::StatusOr<Case> created =
      Create(NewCase("64.01", "1/Pid.B/2026/PN Tgt"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->version(), 1);
  EXPECT_EQ(created->etag(), outbox::Etag(1));
  EXPECT_EQ(created->regency_code(), "64.01");

  absl::StatusOr<CaseName> name = ParseCaseName(created->name());
  ASSERT_TRUE(name.ok());
  absl::StatusOr<Case> got = store_->Get(*name);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->person().nik(), kNik);
  EXPECT_EQ(got->version(), 1);

  const std::string member = absl::StrCat(name->id, ":64.01");
  EXPECT_NE(
      Cli(absl::StrCat("ZSCORE ", kPrefix, "idx:r:64.01:state:1 ", member)),
      "");
  EXPECT_NE(Cli(absl::StrCat("ZSCORE ", kPrefix, "idx:g:created ", member)),
            "");
  EXPECT_EQ(StreamLength(), 1);
  bool more = true;
  absl::StatusOr<std::vector<CaseHistoryEntry>> history =
      store_->History(*name, 0, 10, &more);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].version(), 1);
  EXPECT_FALSE(more);

  // Personal data lives in the record only: not in any key, nor the event.
  const std::string keys = Cli("KEYS *");
  EXPECT_EQ(keys.find(kNik), std::string::npos);
  const std::string stream =
      Cli(absl::StrCat("XRANGE ", kPrefix, "events - +"));
  EXPECT_EQ(stream.find(kNik), std::string::npos);
  EXPECT_EQ(stream.find(kPersonName), std::string::npos);
  absl::StatusOr<std::string> holder = store_->FindDecision(
      " pengadilan negeri tanah grogot", "1/PID.B/2026/PN TGT ");
  ASSERT_TRUE(holder.ok());
  EXPECT_EQ(*holder, created->name());
}

TEST_F(CaseStoreTest, UpdateMovesIndexMembershipAndStaleVersionWritesNothing) {
  absl::StatusOr<Case> created =
      Create(NewCase("64.01", "2/Pid.B/2026/PN Tgt"));
  ASSERT_TRUE(created.ok());
  Case next = *created;
  next.set_state(kerjasosial::cases::v1::CASE_STATE_EXECUTION_ORDERED);
  next.mutable_progress()->set_at_risk(true);
  Change change;
  CaseWrite write;
  write.before = *created;
  write.after = next;
  write.expected_version = 1;
  change.cases.push_back(write);
  absl::StatusOr<Committed> committed = store_->Commit(change);
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->cases[0].version(), 2);
  absl::StatusOr<CaseName> name = ParseCaseName(created->name());
  const std::string member = absl::StrCat(name->id, ":64.01");
  EXPECT_EQ(
      Cli(absl::StrCat("ZSCORE ", kPrefix, "idx:r:64.01:state:1 ", member)),
      "");
  EXPECT_NE(
      Cli(absl::StrCat("ZSCORE ", kPrefix, "idx:r:64.01:state:2 ", member)),
      "");
  EXPECT_NE(Cli(absl::StrCat("ZSCORE ", kPrefix, "idx:g:at_risk ", member)),
            "");

  const int64_t keys_before = DbSize();
  const int64_t events_before = StreamLength();
  // The same change again is based on version 1, now stale.
  absl::StatusOr<Committed> stale = store_->Commit(change);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(DbSize(), keys_before);
  EXPECT_EQ(StreamLength(), events_before);
  EXPECT_EQ(store_->Get(*name)->version(), 2);
}

TEST_F(CaseStoreTest, SecondCaseWithSameDecisionIsAlreadyExists) {
  ASSERT_TRUE(Create(NewCase("64.01", "3/Pid.B/2026/PN Tgt")).ok());
  const int64_t keys_before = DbSize();
  absl::StatusOr<Case> again = Create(NewCase("64.01", "3/Pid.B/2026/PN Tgt"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(DbSize(), keys_before);
  EXPECT_EQ(StreamLength(), 1);
}

// Two receipts of one transfer racing past the handler's lookup: the commit
// script keeps one, and the loser learns which case holds the transfer.
TEST_F(CaseStoreTest, TransferIsReceivedOnce) {
  const std::string source = "regencies/64.01/cases/src1";
  EXPECT_TRUE(absl::IsNotFound(store_->FindTransfer(source, "t1").status()));
  auto receive = [&](const std::string& number) {
    Change change;
    CaseWrite write;
    write.after = NewCase("71.01", number);
    const std::string name = write.after.name();
    change.cases.push_back(std::move(write));
    change.extra_records.push_back(
        CaseStore::TransferClaim(source, "t1", name));
    return std::make_pair(name, store_->Commit(std::move(change)));
  };
  auto first = receive("7/Pid.B/2026/PN Tgt");
  ASSERT_TRUE(first.second.ok()) << first.second.status();
  const int64_t keys_before = DbSize();
  auto second = receive("8/Pid.B/2026/PN Tgt");
  EXPECT_EQ(second.second.status().code(), absl::StatusCode::kAlreadyExists);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetDetail(ToGrpcStatus(second.second.status()), &info));
  EXPECT_EQ(info.reason(), kReasonTransferAlreadyReceived);
  EXPECT_EQ(info.metadata().at("case"), first.first);
  EXPECT_EQ(DbSize(), keys_before);
  EXPECT_EQ(store_->FindTransfer(source, "t1").value(), first.first);
  // Another source's transfer of the same id is another transfer.
  EXPECT_TRUE(absl::IsNotFound(
      store_->FindTransfer("regencies/64.02/cases/src1", "t1").status()));
}

TEST_F(CaseStoreTest, RetryWithSameRequestIdReplaysFirstCase) {
  absl::StatusOr<Case> first =
      Create(NewCase("64.01", "4/Pid.B/2026/PN Tgt"), "req-1");
  ASSERT_TRUE(first.ok());
  // A retry carries the same request (fingerprint); the store returns the
  // first case even though the retry built a new id.
  absl::StatusOr<Case> retry =
      Create(NewCase("64.01", "4/Pid.B/2026/PN Tgt"), "req-1");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(StreamLength(), 1);
}

TEST_F(CaseStoreTest, ListPagesInOrderWithFilterAndTotal) {
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    Case c = NewCase(i == 2 ? "64.02" : "64.01", absl::StrCat(i, "/L/2026"));
    if (i % 2 == 1) c.mutable_sentence()->set_hours(100);
    absl::StatusOr<Case> created = Create(c);
    ASSERT_TRUE(created.ok());
    names.push_back(created->name());
  }
  // Ascending over the regency index, 2 per page.
  ListQuery query;
  query.index = CaseStore::IndexKey("r:64.01", "created");
  query.page_size = 2;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 5; ++pages) {
    absl::StatusOr<Page> page = store_->List(query);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->total_size, 4);
    for (const Case& c : page->cases) seen.push_back(c.name());
    if (page->next_after.empty()) break;
    query.after = page->next_after;
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{names[0], names[1], names[3], names[4]}));

  // Descending over the whole deployment with a residual filter.
  ListQuery filtered;
  filtered.index = CaseStore::IndexKey("g", "created");
  filtered.descending = true;
  filtered.page_size = 1;
  filtered.predicate = [](const Case& c) {
    return c.sentence().hours() == 100;
  };
  absl::StatusOr<Page> page = store_->List(filtered);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->cases.size(), 1u);
  EXPECT_EQ(page->cases[0].name(), names[3]);
  // A partial scan estimates (AIP-158): 2 matches among the 4 records
  // scanned, over an index of 5.
  EXPECT_FALSE(page->total_size_exact);
  EXPECT_EQ(page->total_size, 3);
  ASSERT_FALSE(page->next_after.empty());
  filtered.after = page->next_after;
  page = store_->List(filtered);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->cases.size(), 1u);
  EXPECT_EQ(page->cases[0].name(), names[1]);
  EXPECT_TRUE(page->next_after.empty());

  // A page that scans the whole index counts exactly.
  filtered.after.clear();
  filtered.page_size = 10;
  page = store_->List(filtered);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->total_size_exact);
  EXPECT_EQ(page->total_size, 2);
}

TEST_F(CaseStoreTest, ParseCaseNameNamesTheField) {
  absl::StatusOr<CaseName> bad = ParseCaseName("cases/x", "case_data.name");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("case_data.name"), std::string::npos);
  absl::StatusOr<CaseName> good =
      ParseCaseName("regencies/64.01/cases/01hq3v9c2m8k7x1y5z0a4b6d8e");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->regency, "64.01");
  EXPECT_EQ(good->id, "01hq3v9c2m8k7x1y5z0a4b6d8e");
}

TEST_F(CaseStoreTest, GetOfMissingCaseIsNotFound) {
  EXPECT_EQ(
      store_->Get({"64.01", "01hq3v9c2m8k7x1y5z0a4b6d8e"}).status().code(),
      absl::StatusCode::kNotFound);
}

// The snapshot source pages through the creation index: every case once,
// in the state and version stored, the payload from the injected builder;
// an emitter error ends the enumeration unchanged.
TEST_F(CaseStoreTest, SnapshotSourceEmitsEveryCaseOnceAcrossPages) {
  std::map<std::string, int64_t> stored;
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<Case> c =
        Create(NewCase(i % 2 ? "64.01" : "64.02", absl::StrCat("S-", i)));
    ASSERT_TRUE(c.ok()) << c.status();
    stored[c->name()] = c->version();
  }
  CaseSnapshotSource source(
      *store_,
      [](const Case& c) {
        kerjasosial::cases::v1::CaseStateSnapshot s;
        s.set_name(c.name());
        s.set_version(c.version());
        return s;
      },
      /*page_size=*/2);
  std::map<std::string, int64_t> seen;
  ASSERT_TRUE(
      source
          .Enumerate([&](Event e) {
            kerjasosial::cases::v1::CaseStateSnapshot s;
            EXPECT_TRUE(e.payload().UnpackTo(&s));
            EXPECT_EQ(e.event_type(), "kerjasosial.cases.v1.CaseStateSnapshot");
            EXPECT_EQ(e.aggregate_type(), kCaseAggregateType);
            EXPECT_EQ(e.aggregate_name(), s.name());
            EXPECT_EQ(e.aggregate_version(), s.version());
            EXPECT_EQ(e.regency_code(), ParseCaseName(s.name())->regency);
            EXPECT_TRUE(seen.emplace(s.name(), s.version()).second)
                << "twice: " << s.name();
            return absl::OkStatus();
          })
          .ok());
  EXPECT_EQ(seen, stored);

  int emitted = 0;
  const absl::Status stop = source.Enumerate([&](Event) {
    return ++emitted == 3 ? absl::CancelledError("client gone")
                          : absl::OkStatus();
  });
  EXPECT_EQ(stop.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(emitted, 3);
}

}  // namespace
}  // namespace ks::cases::store
