#include "common/audit/audit.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_test_util.h"
#include "common/audit/checkpoint.h"
#include "common/audit/sealer.h"
#include "common/outbox/outbox.h"
#include "common/testing/redis_server.h"
#include "gtest/gtest.h"

namespace ks::audit {
namespace {

using kerjasosial::common::v1::AuditCheckpoint;
using kerjasosial::common::v1::AuditEntry;
using kerjasosial::common::v1::Event;

constexpr absl::string_view kPrefix = "ks:{test}:";
const absl::Time kNow = absl::FromUnixSeconds(1800000000);

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    redis::Options o;
    o.host = server_.host();
    o.port = server_.port();
    o.command_timeout = absl::Seconds(10);
    pool_ = std::make_unique<redis::Pool>(o);
    outbox::Options w;
    w.key_prefix = std::string(kPrefix);
    w.source = "audit-test";
    writer_ = std::make_unique<outbox::Writer>(*pool_, w);
  }

  Record MakeRecord(int i) {
    Record r;
    r.principal_id = absl::StrCat("user-", i);
    r.role = "JAKSA";
    r.agency = "kejari-64.01";
    r.method = "/kerjasosial.cases.v1.Cases/UpdateCase";
    // Separators and non-ASCII bytes inside fields must not confuse the
    // encoding.
    r.resource_name =
        absl::StrCat("regencies/64.01/cases/c", i, ":,", "\xc3\xa9");
    r.time = absl::FromUnixSeconds(1700000000 + i) + absl::Nanoseconds(i * 7);
    r.peer = "ipv4:127.0.0.1:5555";
    r.request_id = absl::StrCat("req-", i);
    return r;
  }

  void AppendRange(int from, int to) {
    for (int i = from; i <= to; ++i) {
      absl::StatusOr<AuditEntry> e = Append(*pool_, kPrefix, MakeRecord(i));
      ASSERT_TRUE(e.ok()) << e.status();
      ASSERT_EQ(e->sequence(), i);
    }
  }
  void AppendN(int n) { AppendRange(1, n); }

  void SealAll() {
    absl::StatusOr<SealResult> r = Seal(*pool_, kPrefix, 1000);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Loads the test key pair (made with the documented openssl commands).
  void MakeKeys() {
    ASSERT_TRUE(testing::MakeEd25519KeyPair(dir_, "service"));
    ASSERT_TRUE(testing::MakeEd25519KeyPair(dir_, "attacker"));
    auto signer = CheckpointSigner::FromPemFile(dir_.File("service.pem"));
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::move(*signer);
    auto attacker = CheckpointSigner::FromPemFile(dir_.File("attacker.pem"));
    ASSERT_TRUE(attacker.ok()) << attacker.status();
    attacker_ = std::move(*attacker);
    auto verifier =
        CheckpointVerifier::FromPemFile(dir_.File("service.pub.pem"));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::move(*verifier);
  }

  // Appends entries 1..n, running a sealer pass after each: a checkpoint at
  // every `every`-th entry.
  void AppendWithCheckpoints(int n, int every) {
    SealerOptions options;
    options.checkpoint_every = every;
    options.checkpoint_interval = absl::Hours(1);
    Sealer sealer(*pool_, *writer_, signer_.get(), options);
    for (int i = 1; i <= n; ++i) {
      ASSERT_TRUE(Append(*pool_, kPrefix, MakeRecord(i)).ok());
      absl::StatusOr<Sealer::Pass> pass = sealer.RunOnce(kNow);
      ASSERT_TRUE(pass.ok()) << pass.status();
      EXPECT_EQ(pass->checkpoint_sequence, i % every == 0 ? i : 0) << i;
    }
  }

  VerifyReport VerifyWithKey() {
    VerifyOptions options;
    options.keys = {verifier_.get()};
    absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix, options);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : VerifyReport{};
  }

  // Rewrites the whole log (same ids) with `edit` applied to each entry's
  // field list: what someone with write access to Redis could do.
  void RewriteLog(
      const std::function<void(int64_t, std::vector<std::string>&)>& edit) {
    absl::StatusOr<redis::Reply> all =
        pool_->Command({"XRANGE", LogKey(kPrefix), "-", "+"});
    ASSERT_TRUE(all.ok());
    ASSERT_TRUE(pool_->Command({"DEL", LogKey(kPrefix)}).ok());
    int64_t seq = 0;
    for (const redis::Reply& e : all->elements) {
      ++seq;
      std::vector<std::string> fields;
      for (const redis::Reply& f : e.elements[1].elements) {
        fields.push_back(f.str);
      }
      edit(seq, fields);
      std::vector<std::string> cmd = {"XADD", LogKey(kPrefix),
                                      e.elements[0].str};
      cmd.insert(cmd.end(), fields.begin(), fields.end());
      ASSERT_TRUE(pool_->Command(cmd).ok());
    }
  }

  // Recomputes every link hash from `from` on and the sealed head, as an
  // attacker who edited the log would, so that the stored chain is
  // consistent with the edited entries again.
  void RecomputeChainFrom(int64_t from) {
    absl::StatusOr<std::vector<AuditEntry>> entries =
        List(*pool_, kPrefix, 0, 100000);
    ASSERT_TRUE(entries.ok());
    std::string previous(64, '0');
    std::vector<std::string> rewritten;
    for (AuditEntry& e : *entries) {
      if (e.sequence() >= from) {
        e.set_previous_hash(previous);
        e.set_hash(Sha256Hex(CanonicalEncoding(e)));
        ASSERT_TRUE(pool_
                        ->Command({"XDEL", ChainKey(kPrefix),
                                   absl::StrCat(e.sequence(), "-0")})
                        .ok());
        rewritten.push_back(absl::StrCat(e.sequence(), "-0"));
        rewritten.push_back(e.hash());
      }
      previous = e.hash();
    }
    // XADD cannot go back below the stream's last id: rebuild the stream.
    absl::StatusOr<redis::Reply> kept =
        pool_->Command({"XRANGE", ChainKey(kPrefix), "-", "+"});
    ASSERT_TRUE(kept.ok());
    ASSERT_TRUE(pool_->Command({"DEL", ChainKey(kPrefix)}).ok());
    for (const redis::Reply& k : kept->elements) {
      ASSERT_TRUE(pool_
                      ->Command({"XADD", ChainKey(kPrefix), k.elements[0].str,
                                 "hash", k.elements[1].elements[1].str})
                      .ok());
    }
    for (size_t i = 0; i < rewritten.size(); i += 2) {
      ASSERT_TRUE(pool_
                      ->Command({"XADD", ChainKey(kPrefix), rewritten[i],
                                 "hash", rewritten[i + 1]})
                      .ok());
    }
    ASSERT_TRUE(pool_
                    ->Command({"HSET", SealedKey(kPrefix), "seq",
                               absl::StrCat(entries->back().sequence()), "hash",
                               previous})
                    .ok());
  }

  static void SetField(std::vector<std::string>& fields, absl::string_view name,
                       std::string value) {
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i] == name) fields[i + 1] = std::move(value);
    }
  }

  ks::testing::RedisServer server_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<outbox::Writer> writer_;
  testing::TempDir dir_;
  std::unique_ptr<CheckpointSigner> signer_, attacker_;
  std::unique_ptr<CheckpointVerifier> verifier_;
};

TEST(CanonicalEncodingTest, LinksPreviousHashContentDigestAndSequence) {
  AuditEntry e;
  e.set_sequence(12);
  e.set_principal_id("p1");
  e.set_role("JAKSA");
  e.set_agency("");
  e.set_method("/m");
  e.set_resource_name("a:b,c");
  e.mutable_time()->set_seconds(1700000000);
  e.mutable_time()->set_nanos(5);
  e.set_peer("ipv4:1.2.3.4:5");
  e.set_request_id("r");
  e.set_previous_hash(std::string(64, 'a'));
  const std::string content_digest = Sha256Hex(
      "2:p1,5:JAKSA,0:,2:/m,5:a:b,c,20:1700000000.000000005,"
      "14:ipv4:1.2.3.4:5,1:r,");
  EXPECT_EQ(
      CanonicalEncoding(e),
      std::string(32, '\xaa') + absl::HexStringToBytes(content_digest) + "12");
  // FIPS 180-4 reference values.
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CanonicalEncodingTest, RecordArgsAreTheEightFieldsInOrder) {
  Record r{"p1",
           "JAKSA",
           "",
           "/m",
           "a:b,c",
           absl::FromUnixNanos(1700000000000000005),
           "ipv4:1.2.3.4:5",
           "r"};
  EXPECT_EQ(RecordArgs(r), (std::vector<std::string>{
                               "p1", "JAKSA", "", "/m", "a:b,c",
                               "1700000000.000000005", "ipv4:1.2.3.4:5", "r"}));
  EXPECT_EQ(kRecordArgCount, 8);
}

TEST_F(AuditTest, ChainOfWritesSealsVerifiesAndLists) {
  AppendN(25);
  // Appended, not sealed yet: listed without hashes, verified anyway.
  absl::StatusOr<std::vector<AuditEntry>> listed =
      List(*pool_, kPrefix, 0, 100);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 25u);
  EXPECT_EQ((*listed)[0].hash(), "");
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries_checked, 25);
  EXPECT_EQ(report->sealed_sequence, 0);
  EXPECT_EQ(report->first_broken_sequence, 0);

  absl::StatusOr<SealResult> sealed = Seal(*pool_, kPrefix, 1000);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->newly_sealed, 25);
  EXPECT_EQ(sealed->sealed_sequence, 25);
  report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries_checked, 25);
  EXPECT_EQ(report->sealed_sequence, 25);
  EXPECT_EQ(report->first_broken_sequence, 0);
  EXPECT_EQ(report->reason, "");
  EXPECT_FALSE(report->signatures_checked);

  listed = List(*pool_, kPrefix, 0, 100);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 25u);
  std::string previous(64, '0');
  for (int i = 0; i < 25; ++i) {
    const AuditEntry& e = (*listed)[i];
    EXPECT_EQ(e.sequence(), i + 1);
    EXPECT_EQ(e.principal_id(), absl::StrCat("user-", i + 1));
    EXPECT_EQ(e.time().seconds(), 1700000000 + i + 1);
    EXPECT_EQ(e.time().nanos(), (i + 1) * 7);
    EXPECT_EQ(e.previous_hash(), previous);
    // The stored link is the documented encoding's SHA-256.
    EXPECT_EQ(e.hash(), Sha256Hex(CanonicalEncoding(e)));
    previous = e.hash();
  }
  EXPECT_EQ(sealed->head_hash, previous);
  listed = List(*pool_, kPrefix, 20, 3);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].sequence(), 21);
  EXPECT_EQ((*listed)[0].previous_hash(), (*listed)[0].previous_hash());
  EXPECT_EQ((*listed)[2].sequence(), 23);
  EXPECT_EQ(server_.Cli("GET ks:{test}:audit:seq"), "25\n");
  EXPECT_EQ(server_.Cli("HGET ks:{test}:audit:sealed seq"), "25\n");
}

TEST_F(AuditTest, EmptyTrailIsIntact) {
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_checked, 0);
  EXPECT_EQ(report->first_broken_sequence, 0);
  absl::StatusOr<SealResult> sealed = Seal(*pool_, kPrefix, 10);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->newly_sealed, 0);
  EXPECT_EQ(server_.Cli("DBSIZE"), "0\n");
}

TEST_F(AuditTest, UnsealedTailAfterACrashIsSealedByTheNextSealer) {
  AppendN(10);
  // The first sealer sealed 6 entries, then the process died; 4 more
  // entries were written before the next one started.
  absl::StatusOr<SealResult> first = Seal(*pool_, kPrefix, 6);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->sealed_sequence, 6);
  AppendRange(11, 14);
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 0) << report->reason;
  EXPECT_EQ(report->sealed_sequence, 6);
  EXPECT_EQ(report->entries_checked, 14);

  Sealer next(*pool_, *writer_, nullptr, SealerOptions{});
  absl::StatusOr<Sealer::Pass> pass = next.RunOnce(kNow);
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->newly_sealed, 8);
  EXPECT_EQ(pass->sealed_sequence, 14);
  EXPECT_EQ(pass->checkpoint_sequence, 0);  // no key: no checkpoint
  report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 0) << report->reason;
  EXPECT_EQ(report->sealed_sequence, 14);
  // Sealed in two runs = sealed in one: every link is the documented hash.
  absl::StatusOr<std::vector<AuditEntry>> listed =
      List(*pool_, kPrefix, 0, 100);
  ASSERT_TRUE(listed.ok());
  std::string previous(64, '0');
  for (const AuditEntry& e : *listed) {
    AuditEntry expected = e;
    expected.set_previous_hash(previous);
    EXPECT_EQ(e.hash(), Sha256Hex(CanonicalEncoding(expected))) << e.sequence();
    previous = e.hash();
  }
  EXPECT_EQ(server_.Cli("HGET ks:{test}:audit:sealed hash"), previous + "\n");
}

TEST_F(AuditTest, ConcurrentSealersNeverForkTheChain) {
  // Several replicas seal while entries keep coming: each Seal() either
  // extends the head it read or is ABORTED; the chain stays one chain.
  constexpr int kEntries = 200;
  std::atomic<bool> done{false};
  std::atomic<int> other_errors{0};
  std::vector<std::thread> sealers;
  for (int t = 0; t < 4; ++t) {
    sealers.emplace_back([&] {
      while (true) {
        const bool last_round = done.load();
        absl::StatusOr<SealResult> r = Seal(*pool_, kPrefix, 7);
        if (!r.ok() && !absl::IsAborted(r.status())) other_errors.fetch_add(1);
        if (last_round && r.ok() && r->sealed_sequence == kEntries) return;
      }
    });
  }
  AppendN(kEntries);
  done.store(true);
  for (auto& t : sealers) t.join();
  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_EQ(server_.Cli("XLEN ks:{test}:audit:chain"),
            absl::StrCat(kEntries, "\n"));
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 0) << report->reason;
  EXPECT_EQ(report->sealed_sequence, kEntries);
}

TEST_F(AuditTest, SealStopsAtAHoleAndVerifyNamesIt) {
  AppendN(5);
  SealAll();
  AppendRange(6, 9);
  EXPECT_EQ(server_.Cli("XDEL ks:{test}:audit:log 7-0"), "1\n");
  absl::StatusOr<SealResult> r = Seal(*pool_, kPrefix, 100);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->sealed_sequence, 6);  // up to the hole, never over it
  r = Seal(*pool_, kPrefix, 100);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(server_.Cli("HGET ks:{test}:audit:sealed seq"), "6\n");
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 7);
  EXPECT_TRUE(absl::StartsWith(report->reason, "entry 7 is missing"))
      << report->reason;
}

TEST_F(AuditTest, TamperedFieldIsReportedAtThatEntry) {
  AppendN(10);
  SealAll();
  RewriteLog([](int64_t seq, std::vector<std::string>& f) {
    if (seq == 7) SetField(f, "principal_id", "someone-else");
  });
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 7);
  EXPECT_EQ(report->entries_checked, 6);
  EXPECT_EQ(report->reason, "entry 7 does not match its sealed link hash");
}

TEST_F(AuditTest, TamperedEntryWithRecomputedLinkBreaksTheNextLink) {
  AppendN(10);
  SealAll();
  RewriteLog([](int64_t seq, std::vector<std::string>& f) {
    if (seq == 4) SetField(f, "method", "/kerjasosial.cases.v1.Cases/GetCase");
  });
  // Recompute entry 4's link only (not the later ones).
  absl::StatusOr<std::vector<AuditEntry>> e = List(*pool_, kPrefix, 3, 1);
  ASSERT_TRUE(e.ok());
  AuditEntry four = (*e)[0];
  ASSERT_TRUE(pool_->Command({"XDEL", ChainKey(kPrefix), "4-0"}).ok());
  // The chain stream cannot take id 4-0 again after 10-0; the attacker
  // rebuilds it, as RecomputeChainFrom does, but stops after entry 4.
  absl::StatusOr<redis::Reply> kept =
      pool_->Command({"XRANGE", ChainKey(kPrefix), "-", "+"});
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(pool_->Command({"DEL", ChainKey(kPrefix)}).ok());
  for (const redis::Reply& k : kept->elements) {
    if (k.elements[0].str == "5-0") {
      ASSERT_TRUE(pool_
                      ->Command({"XADD", ChainKey(kPrefix), "4-0", "hash",
                                 Sha256Hex(CanonicalEncoding(four))})
                      .ok());
    }
    ASSERT_TRUE(pool_
                    ->Command({"XADD", ChainKey(kPrefix), k.elements[0].str,
                               "hash", k.elements[1].elements[1].str})
                    .ok());
  }
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 5);
  EXPECT_EQ(report->reason, "entry 5 does not match its sealed link hash");
}

TEST_F(AuditTest, DeletedEntryIsReported) {
  AppendN(10);
  SealAll();
  EXPECT_EQ(server_.Cli("XDEL ks:{test}:audit:log 5-0"), "1\n");
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 5);
  EXPECT_EQ(report->entries_checked, 4);
  EXPECT_TRUE(absl::StartsWith(report->reason, "entry 5 is missing"))
      << report->reason;
}

TEST_F(AuditTest, DeletedLastEntryIsReportedByTheCounterEvenUnsealed) {
  AppendN(10);
  EXPECT_EQ(server_.Cli("XDEL ks:{test}:audit:log 10-0"), "1\n");
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_checked, 9);
  EXPECT_EQ(report->first_broken_sequence, 10);
  EXPECT_EQ(report->reason, "entries 10..10 are missing");
}

TEST_F(AuditTest, WrongTypeIsReportedBeforeAnyWrite) {
  ASSERT_TRUE(pool_->Command({"SET", LogKey(kPrefix), "x"}).ok());
  absl::StatusOr<AuditEntry> e = Append(*pool_, kPrefix, MakeRecord(1));
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(e.status().message(), "holds a string"))
      << e.status();
  EXPECT_EQ(server_.Cli("EXISTS ks:{test}:audit:seq"), "0\n");
}

TEST_F(AuditTest, ALogAheadOfItsCounterFailsTheAppendWritingNothing) {
  AppendN(2);
  ASSERT_TRUE(pool_->Command({"SET", SequenceKey(kPrefix), "1"}).ok());
  absl::StatusOr<AuditEntry> e = Append(*pool_, kPrefix, MakeRecord(3));
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(e.status().message(),
                                "equal or smaller than the target stream top"))
      << e.status();
  EXPECT_EQ(server_.Cli("GET ks:{test}:audit:seq"), "1\n");
  EXPECT_EQ(server_.Cli("XLEN ks:{test}:audit:log"), "2\n");
}

TEST_F(AuditTest, CheckpointsAreSignedStoredAndPublishedOnTheFeed) {
  MakeKeys();
  AppendWithCheckpoints(7, 3);
  VerifyReport report = VerifyWithKey();
  EXPECT_EQ(report.first_broken_sequence, 0) << report.reason;
  EXPECT_TRUE(report.signatures_checked);
  EXPECT_EQ(report.checkpoints_verified, 2);
  EXPECT_EQ(report.last_checkpoint_sequence, 6);
  EXPECT_EQ(report.sealed_sequence, 7);

  // The feed carries the same checkpoints, with cursors, for consumers.
  absl::StatusOr<redis::Reply> feed =
      pool_->Command({"XRANGE", writer_->StreamKey(), "-", "+"});
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->elements.size(), 2u);
  absl::StatusOr<std::vector<AuditEntry>> entries =
      List(*pool_, kPrefix, 0, 10);
  ASSERT_TRUE(entries.ok());
  int64_t expected_seq = 3;
  for (const redis::Reply& entry : feed->elements) {
    Event event;
    ASSERT_TRUE(event.ParseFromString(entry.elements[1].elements[1].str));
    EXPECT_EQ(event.event_type(), kCheckpointEventType);
    EXPECT_EQ(event.aggregate_version(), expected_seq);
    EXPECT_EQ(event.source(), "audit-test");
    AuditCheckpoint cp;
    ASSERT_TRUE(event.payload().UnpackTo(&cp));
    EXPECT_EQ(cp.trail(), kPrefix);
    EXPECT_EQ(cp.sequence(), expected_seq);
    EXPECT_EQ(cp.head_hash(), (*entries)[expected_seq - 1].hash());
    EXPECT_EQ(cp.key_id(), signer_->key_id());
    EXPECT_EQ(cp.signature().size(), 64u);
    EXPECT_TRUE(verifier_->Verify(cp));
    // A consumer's copy with one byte changed does not verify.
    cp.set_sequence(cp.sequence() + 1);
    EXPECT_FALSE(verifier_->Verify(cp));
    expected_seq += 3;
  }
  EXPECT_EQ(server_.Cli("ZCARD ks:{test}:audit:checkpoints"), "2\n");
  // Checkpoints make no audit entries of their own.
  EXPECT_EQ(server_.Cli("XLEN ks:{test}:audit:log"), "7\n");
}

TEST_F(AuditTest, CheckpointAfterIntervalEvenBelowTheCount) {
  MakeKeys();
  SealerOptions options;
  options.checkpoint_every = 1000;
  options.checkpoint_interval = absl::Seconds(60);
  Sealer sealer(*pool_, *writer_, signer_.get(), options);
  AppendN(2);
  // The interval of a trail without checkpoints runs from the first pass.
  absl::StatusOr<Sealer::Pass> pass = sealer.RunOnce(kNow);
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->checkpoint_sequence, 0);
  AppendRange(3, 4);
  pass = sealer.RunOnce(kNow + absl::Seconds(59));
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->checkpoint_sequence, 0);
  pass = sealer.RunOnce(kNow + absl::Seconds(60));
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->checkpoint_sequence, 4);
  // Nothing new: no checkpoint however long it has been.
  pass = sealer.RunOnce(kNow + absl::Hours(2));
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->checkpoint_sequence, 0);
}

// The attack: edit one entry, recompute every later link hash and
// the head. The stored chain is consistent again; only the signed
// checkpoint over an earlier head disagrees.
TEST_F(AuditTest, EditWithEveryLaterHashRecomputedIsCaughtByTheCheckpoint) {
  MakeKeys();
  AppendWithCheckpoints(12, 3);  // checkpoints at 3, 6, 9, 12
  RewriteLog([](int64_t seq, std::vector<std::string>& f) {
    if (seq == 5) SetField(f, "principal_id", "someone-else");
  });
  RecomputeChainFrom(5);
  // Without the checkpoints the edit would pass: every stored link matches.
  ASSERT_TRUE(
      pool_->Command({"RENAME", CheckpointsKey(kPrefix), "aside"}).ok());
  absl::StatusOr<VerifyReport> unanchored = Verify(*pool_, kPrefix);
  ASSERT_TRUE(unanchored.ok());
  EXPECT_EQ(unanchored->first_broken_sequence, 0);
  ASSERT_TRUE(
      pool_->Command({"RENAME", "aside", CheckpointsKey(kPrefix)}).ok());

  VerifyReport report = VerifyWithKey();
  EXPECT_EQ(report.first_broken_sequence, 4);
  EXPECT_EQ(report.reason,
            "entries 4..6 do not match the checkpoint at 6 (signed): they "
            "were rewritten");
  EXPECT_EQ(report.last_checkpoint_sequence, 3);
}

TEST_F(AuditTest, RewriteOfTheWholeTailWithForgedCheckpointsIsDetected) {
  MakeKeys();
  AppendWithCheckpoints(12, 3);
  // Everything after entry 3 is rewritten, the chain and head recomputed,
  // and the checkpoints after 3 replaced by ones the attacker signed.
  RewriteLog([](int64_t seq, std::vector<std::string>& f) {
    if (seq > 3) SetField(f, "resource_name", "regencies/64.01/cases/other");
  });
  RecomputeChainFrom(4);
  ASSERT_TRUE(
      pool_->Command({"ZREMRANGEBYSCORE", CheckpointsKey(kPrefix), "4", "+inf"})
          .ok());
  absl::StatusOr<std::vector<AuditEntry>> entries =
      List(*pool_, kPrefix, 0, 100);
  ASSERT_TRUE(entries.ok());
  for (int seq : {6, 9, 12}) {
    absl::StatusOr<AuditCheckpoint> forged =
        attacker_->Sign(kPrefix, seq, (*entries)[seq - 1].hash(), kNow);
    ASSERT_TRUE(forged.ok());
    ASSERT_TRUE(pool_
                    ->Command({"ZADD", CheckpointsKey(kPrefix),
                               absl::StrCat(seq), forged->SerializeAsString()})
                    .ok());
  }
  VerifyReport report = VerifyWithKey();
  EXPECT_EQ(report.first_broken_sequence, 4);
  EXPECT_EQ(report.reason,
            absl::StrCat("entries 4..6 are not anchored: checkpoint at 6 is "
                         "signed by key ",
                         attacker_->key_id(), ", which is not trusted"));

  // The attacker's key id copied onto the forged checkpoints does not help:
  // the signature does not verify with the service's public key.
  ASSERT_TRUE(
      pool_->Command({"ZREMRANGEBYSCORE", CheckpointsKey(kPrefix), "4", "+inf"})
          .ok());
  absl::StatusOr<AuditCheckpoint> forged =
      attacker_->Sign(kPrefix, 6, (*entries)[5].hash(), kNow);
  ASSERT_TRUE(forged.ok());
  forged->set_key_id(signer_->key_id());
  ASSERT_TRUE(pool_
                  ->Command({"ZADD", CheckpointsKey(kPrefix), "6",
                             forged->SerializeAsString()})
                  .ok());
  report = VerifyWithKey();
  EXPECT_EQ(report.first_broken_sequence, 4);
  EXPECT_EQ(report.reason,
            "entries 4..6 are not anchored: checkpoint at 6 has a bad "
            "signature");
}

TEST_F(AuditTest, TailRewriteWithItsCheckpointsDeletedIsCaughtByACopy) {
  MakeKeys();
  AppendWithCheckpoints(12, 3);
  // A consumer (reporting) kept the checkpoints it read from the feed.
  std::vector<AuditCheckpoint> copies;
  absl::StatusOr<redis::Reply> feed =
      pool_->Command({"XRANGE", writer_->StreamKey(), "-", "+"});
  ASSERT_TRUE(feed.ok());
  for (const redis::Reply& entry : feed->elements) {
    Event event;
    ASSERT_TRUE(event.ParseFromString(entry.elements[1].elements[1].str));
    ASSERT_TRUE(event.payload().UnpackTo(&copies.emplace_back()));
  }
  ASSERT_EQ(copies.size(), 4u);
  // The attacker rewrites entries 4..12, recomputes the chain and deletes
  // every checkpoint after 3, in the trail and in the feed.
  RewriteLog([](int64_t seq, std::vector<std::string>& f) {
    if (seq > 3) SetField(f, "request_id", "forged");
  });
  RecomputeChainFrom(4);
  ASSERT_TRUE(
      pool_->Command({"ZREMRANGEBYSCORE", CheckpointsKey(kPrefix), "4", "+inf"})
          .ok());
  ASSERT_TRUE(pool_->Command({"DEL", writer_->StreamKey()}).ok());
  // Redis alone cannot tell (the documented limit): only 3 is anchored.
  VerifyReport report = VerifyWithKey();
  EXPECT_EQ(report.first_broken_sequence, 0);
  EXPECT_EQ(report.last_checkpoint_sequence, 3);
  // The consumer's copies can.
  VerifyOptions options;
  options.keys = {verifier_.get()};
  options.copies = copies;
  absl::StatusOr<VerifyReport> with_copies = Verify(*pool_, kPrefix, options);
  ASSERT_TRUE(with_copies.ok());
  EXPECT_EQ(with_copies->first_broken_sequence, 4);
  EXPECT_EQ(with_copies->reason,
            "entries 4..6 do not match the checkpoint at 6 (signed): they "
            "were rewritten");
}

TEST_F(AuditTest, KeyFilesThatAreNotEd25519AreRefusedNamingThePath) {
  const std::string path = dir_.File("rsa.pem");
  ASSERT_EQ(std::system(("openssl genpkey -algorithm rsa -pkeyopt "
                         "rsa_keygen_bits:1024 -out '" +
                         path + "' 2>/dev/null")
                            .c_str()),
            0);
  auto signer = CheckpointSigner::FromPemFile(path);
  EXPECT_EQ(signer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(signer.status().message(), path));
  auto missing = CheckpointVerifier::FromPemFile(dir_.File("none.pem"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ks::audit
