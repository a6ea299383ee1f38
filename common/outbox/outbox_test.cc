#include "common/outbox/outbox.h"

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/outbox/index_scan.h"
#include "common/status/rich_status.h"
#include "common/testing/redis_fixture.h"
#include "gtest/gtest.h"

namespace ks::outbox {
namespace {

google::rpc::ErrorInfo Info(const absl::Status& s) {
  const google::rpc::Status rpc = ToRpcStatus(s);
  google::rpc::ErrorInfo info;
  for (const auto& any : rpc.details()) {
    if (any.UnpackTo(&info)) break;
  }
  return info;
}
std::string Reason(const absl::Status& s) { return Info(s).reason(); }
std::map<std::string, std::string> Metadata(const absl::Status& s) {
  const google::rpc::ErrorInfo info = Info(s);
  return {info.metadata().begin(), info.metadata().end()};
}

using kerjasosial::common::v1::Event;

class OutboxTest : public ks::testing::RedisFixture {
 protected:
  OutboxTest() : RedisFixture("ks:{cases}:", "cases-test") {}

  // A change of case `id` from `expected` to expected+1, with an index
  // entry, a counter, an audit entry and one event.
  Transaction Change(const std::string& request_id, const std::string& id,
                     int64_t expected, const std::string& data) {
    Transaction t;
    t.request_id = request_id;
    t.request_fingerprint = "fp:" + request_id + ":" + data;
    t.response = "response:" + data;
    t.records.push_back({"case:" + id, expected, data});
    t.index_ops.push_back(IndexOp::ZAdd("idx:cases_by_time", 1700000000.5, id));
    t.index_ops.push_back(IndexOp::HIncrBy("count:cases", "64.01", 1));
    audit::Record a;
    a.principal_id = "jaksa-1";
    a.role = "JAKSA";
    a.agency = "kejari-64.01";
    a.method = "/kerjasosial.cases.v1.Cases/UpdateCase";
    a.resource_name = "regencies/64.01/cases/" + id;
    a.time = absl::FromUnixSeconds(1700000000);
    a.peer = "ipv4:127.0.0.1:1";
    a.request_id = request_id;
    t.audit = a;
    Event e;
    e.set_event_id("ev-" + request_id);
    e.set_aggregate_type("kerjasosial.cases.v1.Case");
    e.set_aggregate_name("regencies/64.01/cases/" + id);
    e.set_aggregate_version(expected + 1);
    e.set_regency_code("64.01");
    e.set_event_type("kerjasosial.cases.v1.CaseUpdated");
    t.events.push_back(e);
    return t;
  }

  int64_t Int(const std::string& cli_args) { return CliInt(cli_args); }
  int64_t AuditLength() { return Int("XLEN ks:{cases}:audit:log"); }
};

TEST(EtagTest, RoundTrips) {
  EXPECT_EQ(Etag(7), "v7");
  absl::StatusOr<int64_t> v = VersionFromEtag("v7");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  for (absl::string_view bad : {"", "7", "v", "v0", "v-1", "v07", "vx"}) {
    EXPECT_EQ(VersionFromEtag(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST_F(OutboxTest, CreateThenUpdateWritesEverythingTogether) {
  absl::StatusOr<CommitResult> r = writer().Commit(Change("r1", "c1", 0, "A"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->replayed);
  EXPECT_EQ(r->response, "response:A");
  EXPECT_EQ(r->versions, std::vector<int64_t>{1});
  ASSERT_EQ(r->event_cursors.size(), 1u);
  EXPECT_EQ(r->audit_sequence, 1);

  r = writer().Commit(Change("r2", "c1", 1, "B"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->versions, std::vector<int64_t>{2});
  EXPECT_EQ(r->audit_sequence, 2);

  absl::StatusOr<StoredRecord> got = writer().Get("case:c1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->data, "B");
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(writer().Get("case:none").status().code(),
            absl::StatusCode::kNotFound);

  EXPECT_EQ(StreamLength(), 2);
  EXPECT_EQ(AuditLength(), 2);
  EXPECT_EQ(server().Cli("HGET ks:{cases}:count:cases 64.01"), "2\n");
  EXPECT_EQ(server().Cli("ZSCORE ks:{cases}:idx:cases_by_time c1"),
            "1700000000.5\n");
  // The stream entry holds the serialized event; its id is the cursor.
  absl::StatusOr<redis::Reply> entries =
      pool().Command({"XRANGE", writer().StreamKey(), "-", "+"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->elements.size(), 2u);
  EXPECT_EQ(entries->elements[1].elements[0].str, r->event_cursors[0]);
  EXPECT_EQ(entries->elements[1].elements[1].elements[0].str, kEventField);
  Event event;
  ASSERT_TRUE(
      event.ParseFromString(entries->elements[1].elements[1].elements[1].str));
  EXPECT_EQ(event.aggregate_version(), 2);
  EXPECT_EQ(event.cursor(), "");
  EXPECT_EQ(event.source(), "cases-test");
  EXPECT_GT(event.event_time().seconds(), 0);

  absl::StatusOr<audit::VerifyReport> report =
      audit::Verify(pool(), writer().options().key_prefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_checked, 2);
  EXPECT_EQ(report->first_broken_sequence, 0);
  // The idempotency entry expires after the 30-day default.
  EXPECT_GT(Int("TTL ks:{cases}:idem:r1"), 29 * 24 * 3600);
}

TEST_F(OutboxTest, RetryReturnsTheFirstResultAndWritesOnce) {
  absl::StatusOr<CommitResult> first =
      writer().Commit(Change("r1", "c1", 0, "A"));
  ASSERT_TRUE(first.ok());
  const int64_t keys = KeyCount();
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<CommitResult> again =
        writer().Commit(Change("r1", "c1", 0, "A"));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->response, "response:A");
    EXPECT_EQ(again->versions, first->versions);
    EXPECT_EQ(again->event_cursors, first->event_cursors);
    EXPECT_EQ(again->audit_sequence, 1);
  }
  EXPECT_EQ(StreamLength(), 1);
  EXPECT_EQ(AuditLength(), 1);
  EXPECT_EQ(KeyCount(), keys);
  EXPECT_EQ(server().Cli("HGET ks:{cases}:count:cases 64.01"), "1\n");
}

TEST_F(OutboxTest, RequestIdReusedWithAnotherBodyWritesNothing) {
  ASSERT_TRUE(writer().Commit(Change("r1", "c1", 0, "A")).ok());
  const std::string before = server().Cli("HGET ks:{cases}:case:c1 d");
  absl::StatusOr<CommitResult> r = writer().Commit(Change("r1", "c1", 1, "B"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(),
            "request_id was already used with a different request");
  EXPECT_EQ(Reason(r.status()), kReasonRequestIdReused);
  EXPECT_EQ(server().Cli("HGET ks:{cases}:case:c1 d"), before);
  EXPECT_EQ(StreamLength(), 1);
  EXPECT_EQ(AuditLength(), 1);
}

TEST_F(OutboxTest, StaleVersionIsAbortedAndWritesNothing) {
  ASSERT_TRUE(writer().Commit(Change("r1", "c1", 0, "A")).ok());
  ASSERT_TRUE(writer().Commit(Change("r2", "c1", 1, "B")).ok());
  const int64_t keys = KeyCount();
  absl::StatusOr<CommitResult> r = writer().Commit(Change("r3", "c1", 1, "C"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(), "stale etag: the resource is at v2, not v1");
  EXPECT_EQ(Reason(r.status()), kReasonStaleEtag);
  EXPECT_EQ(Metadata(r.status())["current_etag"], "v2");
  EXPECT_EQ(writer().Get("case:c1")->data, "B");
  EXPECT_EQ(StreamLength(), 2);
  EXPECT_EQ(AuditLength(), 2);
  EXPECT_EQ(KeyCount(), keys);  // not even the idempotency entry
  // So the client may retry the same request id with a fresh etag.
  absl::StatusOr<CommitResult> retry =
      writer().Commit(Change("r3", "c1", 2, "C"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->versions, std::vector<int64_t>{3});

  r = writer().Commit(Change("r4", "c1", 0, "D"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Reason(r.status()), kReasonResourceExists);
  EXPECT_TRUE(IsConflict(r.status()));
  r = writer().Commit(Change("r5", "c9", 4, "E"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reason(r.status()), kReasonResourceNotFound);
  EXPECT_EQ(StreamLength(), 3);
}

TEST_F(OutboxTest, WrongTypeOnAnIndexKeyWritesNothing) {
  EXPECT_EQ(server().Cli("SET ks:{cases}:idx:cases_by_time oops"), "OK\n");
  const int64_t keys = KeyCount();
  Transaction t = Change("r1", "c1", 0, "A");
  absl::StatusOr<CommitResult> r = writer().Commit(t);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(
      r.status().message(),
      "index key ks:{cases}:idx:cases_by_time holds a string, not a zset");
  // The record's checks passed before the index op's failed, yet nothing
  // was written: no record, no counter, no event, no audit entry, no
  // idempotency entry.
  EXPECT_EQ(KeyCount(), keys);
  EXPECT_EQ(server().Cli("EXISTS ks:{cases}:case:c1 ks:{cases}:events "
                         "ks:{cases}:audit:log ks:{cases}:audit:seq "
                         "ks:{cases}:idem:r1 ks:{cases}:count:cases"),
            "0\n");
}

TEST_F(OutboxTest, AnOpThatWouldBreakALaterOpInTheSameScriptWritesNothing) {
  Transaction t = Change("r1", "c1", 0, "A");
  // SET makes a string that the ZADD after it could not use: the script
  // predicts it before writing anything.
  t.index_ops.insert(t.index_ops.begin(),
                     IndexOp::Set("idx:cases_by_time", "x"));
  absl::StatusOr<CommitResult> r = writer().Commit(t);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(KeyCount(), 0);

  // A counter field that is not an integer would fail HINCRBY half way.
  EXPECT_EQ(server().Cli("HSET ks:{cases}:count:cases 64.01 many"), "1\n");
  r = writer().Commit(Change("r2", "c1", 0, "A"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "not an integer"));
  EXPECT_EQ(KeyCount(), 1);
}

TEST_F(OutboxTest, WrongTypeOfTheStreamOrAuditKeysWritesNothing) {
  EXPECT_EQ(server().Cli("SET ks:{cases}:audit:seq x"), "OK\n");
  absl::StatusOr<CommitResult> r = writer().Commit(Change("r1", "c1", 0, "A"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(r.status().message(),
            "audit sequence ks:{cases}:audit:seq is not a number");
  EXPECT_EQ(KeyCount(), 1);
  EXPECT_EQ(server().Cli("DEL ks:{cases}:audit:seq"), "1\n");
  EXPECT_EQ(server().Cli("HSET ks:{cases}:events a b"), "1\n");
  r = writer().Commit(Change("r1", "c1", 0, "A"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(KeyCount(), 1);
  // An audit log tampered to be ahead of its counter fails the entry's
  // XADD, which the script runs before its other writes: nothing written.
  EXPECT_EQ(server().Cli("DEL ks:{cases}:events"), "1\n");
  EXPECT_EQ(server().Cli("XADD ks:{cases}:audit:log 5-0 seq 5"), "5-0\n");
  r = writer().Commit(Change("r1", "c1", 0, "A"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "XADD")) << r.status();
  EXPECT_EQ(KeyCount(), 1);
  EXPECT_EQ(AuditLength(), 1);
}

TEST_F(OutboxTest, MalformedTransactionsAreRejected) {
  Transaction t = Change("r1", "c1", 0, "A");
  t.request_fingerprint.clear();
  EXPECT_EQ(writer().Commit(t).status().code(),
            absl::StatusCode::kInvalidArgument);
  t = Change("r1", "c1", 0, "A");
  t.records.push_back(t.records[0]);
  EXPECT_EQ(writer().Commit(t).status().code(),
            absl::StatusCode::kInvalidArgument);
  t = Change("r1", "c1", 0, "A");
  t.events[0].set_cursor("1-0");
  EXPECT_EQ(writer().Commit(t).status().code(),
            absl::StatusCode::kInvalidArgument);
  t = Change("r1", "c1", 0, "A");
  t.index_ops.push_back({"FLUSHALL", "x", {}});
  EXPECT_EQ(writer().Commit(t).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyCount(), 0);
}

TEST_F(OutboxTest, NoEventWithoutItsChangeAcrossMixedOutcomes) {
  // Successes and every kind of refusal, interleaved.
  int64_t committed = 0;
  int64_t version = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string rid = absl::StrCat("r", i);
    absl::StatusOr<CommitResult> r;
    switch (i % 4) {
      case 0:  // a fresh, correct change
      case 1:
        r = writer().Commit(Change(rid, "c1", version, absl::StrCat("d", i)));
        ASSERT_TRUE(r.ok()) << r.status();
        ++committed;
        version = r->versions[0];
        break;
      case 2:  // stale
        r = writer().Commit(Change(rid, "c1", version + 5, "x"));
        ASSERT_EQ(r.status().code(), absl::StatusCode::kAborted);
        break;
      case 3:  // a retry of the previous success
        r = writer().Commit(Change(absl::StrCat("r", i - 2), "c1", version - 1,
                                   absl::StrCat("d", i - 2)));
        ASSERT_TRUE(r.ok()) << r.status();
        ASSERT_TRUE(r->replayed);
        break;
    }
  }
  EXPECT_EQ(version, committed);
  EXPECT_EQ(StreamLength(), committed);
  EXPECT_EQ(AuditLength(), committed);
  EXPECT_EQ(writer().Get("case:c1")->version, committed);
  EXPECT_EQ(server().Cli("HGET ks:{cases}:count:cases 64.01"),
            absl::StrCat(committed, "\n"));
  // Every event's version is a distinct committed version, in order.
  absl::StatusOr<redis::Reply> entries =
      pool().Command({"XRANGE", writer().StreamKey(), "-", "+"});
  ASSERT_TRUE(entries.ok());
  for (size_t i = 0; i < entries->elements.size(); ++i) {
    Event e;
    ASSERT_TRUE(
        e.ParseFromString(entries->elements[i].elements[1].elements[1].str));
    EXPECT_EQ(e.aggregate_version(), static_cast<int64_t>(i + 1));
  }
  // The script stored one entry per commit with consecutive sequences; the
  // sealer hashes all of them.
  absl::StatusOr<audit::SealResult> sealed =
      audit::Seal(pool(), writer().options().key_prefix, 1000);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->sealed_sequence, committed);
  absl::StatusOr<audit::VerifyReport> report =
      audit::Verify(pool(), writer().options().key_prefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_checked, committed);
  EXPECT_EQ(report->sealed_sequence, committed);
  EXPECT_EQ(report->first_broken_sequence, 0);
}

TEST_F(OutboxTest, ConcurrentWritersExactlyOneWinsPerVersion) {
  ASSERT_TRUE(writer().Commit(Change("seed", "c1", 0, "0")).ok());
  constexpr int kThreads = 6;
  // Round 1: everyone updates from version 1 at once.
  std::atomic<int> wins{0}, aborted{0}, other{0};
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        absl::StatusOr<CommitResult> r =
            writer().Commit(Change(absl::StrCat("once-", t), "c1", 1, "x"));
        if (r.ok()) {
          wins.fetch_add(1);
        } else if (r.status().code() == absl::StatusCode::kAborted) {
          aborted.fetch_add(1);
        } else {
          other.fetch_add(1);
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(aborted.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);

  // Round 2: read-modify-write loops; every increment lands exactly once.
  constexpr int kEach = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        while (true) {
          absl::StatusOr<StoredRecord> cur = writer().Get("case:c1");
          if (!cur.ok()) {
            failures.fetch_add(1);
            return;
          }
          int64_t n = 0;
          absl::SimpleAtoi(cur->data == "x" ? "0" : cur->data, &n);
          absl::StatusOr<CommitResult> r =
              writer().Commit(Change(absl::StrCat("t", t, "-", i), "c1",
                                     cur->version, absl::StrCat(n + 1)));
          if (r.ok()) break;
          if (r.status().code() != absl::StatusCode::kAborted) {
            failures.fetch_add(1);
            return;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  absl::StatusOr<StoredRecord> last = writer().Get("case:c1");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->data, absl::StrCat(kThreads * kEach));
  EXPECT_EQ(last->version, 2 + kThreads * kEach);
  EXPECT_EQ(StreamLength(), 2 + kThreads * kEach);
  absl::StatusOr<audit::VerifyReport> report =
      audit::Verify(pool(), writer().options().key_prefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_checked, 2 + kThreads * kEach);
  EXPECT_EQ(report->first_broken_sequence, 0);
}

}  // namespace
}  // namespace ks::outbox

namespace ks::outbox {
namespace {

// A unique claim lost in the script reaches the caller as the claim's own
// client-safe error, never as the Redis key it collided on.
TEST_F(OutboxTest, LostUniqueClaimIsTheClaimsConflictWithoutAKey) {
  Transaction first = Change("r1", "c1", 0, "A");
  first.records.push_back({"claim:x", 0, "regencies/64.01/cases/c1"});
  ASSERT_TRUE(writer().Commit(first).ok());
  const int64_t keys = KeyCount();
  Transaction second = Change("r2", "c2", 0, "B");
  Conflict conflict;
  conflict.reason = "THING_ALREADY_REGISTERED";
  conflict.message = "this thing is registered already";
  conflict.metadata = {{"kind", "thing"}};
  conflict.existing_data_as = "holder";
  second.records.push_back(
      {"claim:x", 0, "regencies/64.01/cases/c2", conflict});
  absl::StatusOr<CommitResult> r = writer().Commit(second);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(), "this thing is registered already");
  EXPECT_EQ(Reason(r.status()), "THING_ALREADY_REGISTERED");
  EXPECT_EQ(Metadata(r.status()),
            (std::map<std::string, std::string>{
                {"kind", "thing"}, {"holder", "regencies/64.01/cases/c1"}}));
  EXPECT_EQ(r.status().ToString().find("ks:{"), std::string::npos);
  EXPECT_EQ(KeyCount(), keys);
}

TEST_F(OutboxTest, LookupRequestAndGetManyReadWhatCommitWrote) {
  EXPECT_EQ(*writer().LookupRequest("r1", "whatever"), std::nullopt);
  ASSERT_TRUE(writer().Commit(Change("r1", "c1", 0, "A")).ok());
  absl::StatusOr<std::optional<std::string>> hit =
      writer().LookupRequest("r1", "fp:r1:A");
  ASSERT_TRUE(hit.ok()) << hit.status();
  EXPECT_EQ(*hit, std::optional<std::string>("response:A"));
  absl::StatusOr<std::optional<std::string>> other =
      writer().LookupRequest("r1", "fp:r1:B");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Reason(other.status()), kReasonRequestIdReused);
  EXPECT_FALSE(IsConflict(other.status()));

  absl::StatusOr<std::vector<std::optional<StoredRecord>>> many =
      writer().GetMany({"case:c1", "case:none"});
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(many->size(), 2u);
  ASSERT_TRUE((*many)[0].has_value());
  EXPECT_EQ((*many)[0]->data, "A");
  EXPECT_EQ((*many)[0]->version, 1);
  EXPECT_FALSE((*many)[1].has_value());
}

// A placement (record) and the slot it holds (reservation) in one step.
Transaction Take(const std::string& id, int64_t limit) {
  Transaction t;
  t.request_id = "take-" + id;
  t.request_fingerprint = "fp-" + id;
  t.records.push_back({"placement:" + id, 0, id});
  t.reservations.push_back({"capacity:site-1", "held", 1, limit,
                            Conflict{"SITE_CAPACITY_EXHAUSTED",
                                     "the site has no free place",
                                     {{"site", "site-1"}},
                                     ""}});
  Event e;
  e.set_event_id("ev-" + id);
  e.set_event_type("kerjasosial.placements.v1.PlacementCreated");
  t.events.push_back(e);
  return t;
}

TEST_F(OutboxTest, AFullReservationRefusesTheWholeTransaction) {
  ASSERT_TRUE(writer().Commit(Take("a", 2)).ok());
  ASSERT_TRUE(writer().Commit(Take("b", 2)).ok());
  const int64_t keys = KeyCount();
  const int64_t events = StreamLength();
  absl::StatusOr<CommitResult> full = writer().Commit(Take("c", 2));
  ASSERT_EQ(full.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(full.status()), "SITE_CAPACITY_EXHAUSTED");
  EXPECT_EQ(Metadata(full.status()), (std::map<std::string, std::string>{
                                         {"site", "site-1"}, {"limit", "2"}}));
  EXPECT_FALSE(IsConflict(full.status()));
  EXPECT_EQ(KeyCount(), keys);
  EXPECT_EQ(StreamLength(), events);
  EXPECT_EQ(Int("HGET ks:{cases}:capacity:site-1 held"), 2);
}

TEST_F(OutboxTest, ReservationsApplyInOrderAndReleaseNeverGoesBelowZero) {
  Transaction move;
  move.records.push_back({"placement:m", 0, "m"});
  // Release one that was never taken, then take two on a limit of two.
  move.reservations.push_back({"capacity:site-1", "held", -1, 5, {}});
  move.reservations.push_back({"capacity:site-2", "held", 1, 2, {}});
  move.reservations.push_back({"capacity:site-2", "held", 1, 2, {}});
  ASSERT_TRUE(writer().Commit(move).ok());
  EXPECT_EQ(Int("HGET ks:{cases}:capacity:site-1 held"), 0);
  EXPECT_EQ(Int("HGET ks:{cases}:capacity:site-2 held"), 2);

  Transaction third;
  third.records.push_back({"placement:n", 0, "n"});
  third.reservations.push_back({"capacity:site-2", "held", -1, 2, {}});
  third.reservations.push_back({"capacity:site-2", "held", 1, 2, {}});
  third.reservations.push_back({"capacity:site-2", "held", 1, 2, {}});
  absl::StatusOr<CommitResult> r = writer().Commit(third);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(r.status()), kReasonCapacityExhausted);
  EXPECT_EQ(Int("HGET ks:{cases}:capacity:site-2 held"), 2);

  Transaction bad;
  bad.reservations.push_back({"capacity:site-1", "held", 0, 1, {}});
  EXPECT_EQ(writer().Commit(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, FiftyRacersForOneFreeSlotGiveExactlyOneWinner) {
  for (int round = 0; round < 5; ++round) {
    constexpr int kRacers = 50;
    std::atomic<int> wins{0}, full{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kRacers; ++t) {
      threads.emplace_back([&, t] {
        Transaction take = Take(absl::StrCat(round, "-", t), round + 1);
        absl::StatusOr<CommitResult> r = writer().Commit(take);
        if (r.ok()) {
          wins.fetch_add(1);
        } else if (r.status().code() == absl::StatusCode::kFailedPrecondition) {
          full.fetch_add(1);
        } else {
          other.fetch_add(1);
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    EXPECT_EQ(full.load(), kRacers - 1) << "round " << round;
    EXPECT_EQ(other.load(), 0) << "round " << round;
    EXPECT_EQ(Int("HGET ks:{cases}:capacity:site-1 held"), round + 1);
  }
}

// Pages over an index: no item twice or missed, the last page has no token,
// and totals are exact when they can be.
TEST_F(OutboxTest, ScanIndexPagesWithAFilterAndCountsHonestly) {
  Transaction seed;
  for (int i = 0; i < 7; ++i) {
    const std::string id = absl::StrCat("r", i);
    seed.records.push_back({"rec:" + id, 0, absl::StrCat(i)});
    seed.index_ops.push_back(IndexOp::ZAdd("idx:lex", 0, "m:" + id));
  }
  ASSERT_TRUE(writer().Commit(seed).ok());
  // A member whose record is gone is skipped.
  Transaction ghost;
  ghost.index_ops.push_back(IndexOp::ZAdd("idx:lex", 0, "m:r3a"));
  ASSERT_TRUE(writer().Commit(ghost).ok());

  auto scan_from = [](const std::string& after, std::vector<int>* out,
                      bool odd_only) {
    IndexScan scan;
    scan.index = "idx:lex";
    scan.after = after;
    scan.page_size = 2;
    scan.chunk = 3;
    scan.record_key = [](absl::string_view m) -> absl::StatusOr<std::string> {
      return absl::StrCat("rec:", m.substr(2));
    };
    scan.take = [out, odd_only](const StoredRecord& r,
                                bool keep) -> absl::StatusOr<bool> {
      int v = 0;
      if (!absl::SimpleAtoi(r.data, &v)) return absl::DataLossError("bad");
      if (odd_only && v % 2 == 0) return false;
      if (keep) out->push_back(v);
      return true;
    };
    return scan;
  };
  std::vector<int> all;
  std::string after;
  int pages = 0;
  do {
    absl::StatusOr<IndexPageInfo> page =
        ScanIndex(pool(), writer(), scan_from(after, &all, false), false);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->total_size, 8);  // the index's size, ghost included
    EXPECT_TRUE(page->total_size_exact);
    after = page->next_after;
    ++pages;
  } while (!after.empty());
  EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(pages, 4);

  std::vector<int> odd;
  absl::StatusOr<IndexPageInfo> first =
      ScanIndex(pool(), writer(), scan_from("", &odd, true), true);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(odd, (std::vector<int>{1, 3}));
  EXPECT_EQ(first->next_after, "m:r3");
  EXPECT_FALSE(first->total_size_exact);
  EXPECT_GE(first->total_size, 3);
  absl::StatusOr<IndexPageInfo> last = ScanIndex(
      pool(), writer(), scan_from(first->next_after, &odd, true), true);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(odd, (std::vector<int>{1, 3, 5}));
  EXPECT_EQ(last->next_after, "");
}

}  // namespace
}  // namespace ks::outbox
