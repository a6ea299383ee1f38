// ProgramsStore against a real redis-server: a record and its indexes in
// one commit, newest-first paging across regencies, the program's seats
// held by reservations (never overbooked under a race), and the claims that
// keep agreement numbers unique and evaluation revisions a single chain.
#include "services/supervision/programs/store/programs_store.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids/id.h"
#include "common/testing/race.h"
#include "common/testing/redis_fixture.h"
#include "gtest/gtest.h"
#include "services/supervision/programs/domain/test_util.h"

namespace ks::supervision::programs::store {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;
using testing::Reason;

class ProgramsStoreTest : public ks::testing::RedisFixture {
 protected:
  ProgramsStoreTest() : RedisFixture("ks:{supervision}:", "programs-test") {}
  void SetUp() override {
    RedisFixture::SetUp();
    store_ = std::make_unique<ProgramsStore>(pool(), writer());
  }

  Key NewProgram(const std::string& regency, int capacity) {
    const Key key{regency, ids::NewId()};
    v1::PartnerProgram p;
    p.set_name(store_->programs.Name(key));
    p.set_title("Literasi keuangan");
    p.set_capacity(capacity);
    p.set_state(v1::PROGRAM_STATE_OPEN);
    outbox::Transaction txn;
    store_->programs.Put(txn, key, 0, p);
    EXPECT_TRUE(writer().Commit(txn).ok());
    return key;
  }

  // A referral holding one seat of `program`, in one commit.
  absl::Status Refer(const Key& program, int capacity) {
    const Key key{program.regency, ids::NewId()};
    v1::Referral r;
    r.set_name(store_->referrals.Name(key));
    r.set_program(store_->programs.Name(program));
    r.set_state(v1::REFERRAL_STATE_REFERRED);
    outbox::Transaction txn;
    store_->referrals.Put(txn, key, 0, r);
    txn.reservations.push_back(ProgramsStore::Seats(
        program, store_->programs.Name(program), +1, capacity));
    return writer().Commit(txn).status();
  }

  std::unique_ptr<ProgramsStore> store_;
};

TEST_F(ProgramsStoreTest, PutGetAndPageNewestFirstAcrossRegencies) {
  std::vector<Key> made;
  for (int i = 0; i < 5; ++i)
    made.push_back(NewProgram(i % 2 ? "64.02" : "64.01", 3));
  absl::StatusOr<v1::PartnerProgram> got = store_->GetProgram(made[0]);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->etag(), "v1");
  EXPECT_EQ(got->active_referrals(), 0);

  absl::StatusOr<Page<v1::PartnerProgram>> page =
      store_->programs.List("64.01", "", 2, nullptr);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name(), store_->programs.Name(made[4]));
  EXPECT_EQ(page->items[1].name(), store_->programs.Name(made[2]));
  absl::StatusOr<Page<v1::PartnerProgram>> rest =
      store_->programs.List("64.01", page->next_after, 2, nullptr);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->next_after, "");

  absl::StatusOr<Page<v1::PartnerProgram>> all =
      store_->programs.List("-", "", 10, nullptr);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 5u);

  absl::Status missing = store_->programs.Get(Key{"64.01", "nope"}).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(),
            "partner program regencies/64.01/partnerPrograms/nope does not "
            "exist");
}

TEST_F(ProgramsStoreTest, TheLastSeatHasExactlyOneWinner) {
  const Key program = NewProgram("64.01", 1);
  std::vector<absl::Status> results(24);
  ks::testing::RunTogether(24, [&](int i) { results[i] = Refer(program, 1); });
  int won = 0;
  for (const absl::Status& st : results) {
    if (st.ok()) {
      ++won;
    } else {
      EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
      EXPECT_EQ(Reason(st), "PROGRAM_FULL");
    }
  }
  EXPECT_EQ(won, 1);
  absl::StatusOr<v1::PartnerProgram> p = store_->GetProgram(program);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->active_referrals(), 1);
  absl::StatusOr<Page<v1::Referral>> refs =
      store_->referrals.List("64.01", "", 50, nullptr);
  ASSERT_TRUE(refs.ok());
  EXPECT_EQ(refs->items.size(), 1u);  // the refused wrote nothing

  // Releasing the seat lets the next one in.
  outbox::Transaction release;
  release.reservations.push_back(
      ProgramsStore::Seats(program, store_->programs.Name(program), -1, 1));
  ASSERT_TRUE(writer().Commit(release).ok());
  EXPECT_TRUE(Refer(program, 1).ok());
}

TEST_F(ProgramsStoreTest, ClaimsRefuseASecondHolderNamingTheFirst) {
  outbox::Transaction first;
  first.records.push_back(ProgramsStore::AgreementNumberClaim(
      "64.01", "PKS/07/2026", "regencies/64.01/partnerAgreements/a1"));
  ASSERT_TRUE(writer().Commit(first).ok());
  outbox::Transaction second;
  second.records.push_back(ProgramsStore::AgreementNumberClaim(
      "64.01", "PKS/07/2026", "regencies/64.01/partnerAgreements/a2"));
  absl::Status st = writer().Commit(second).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Reason(st), "AGREEMENT_NUMBER_TAKEN");
  // Another regency may use the same number.
  outbox::Transaction other;
  other.records.push_back(ProgramsStore::AgreementNumberClaim(
      "64.02", "PKS/07/2026", "regencies/64.02/partnerAgreements/a3"));
  EXPECT_TRUE(writer().Commit(other).ok());

  const Key corrected{"64.01", "e1"};
  outbox::Transaction fix1;
  fix1.records.push_back(ProgramsStore::CorrectionClaim(
      corrected, "regencies/64.01/evaluations/e2"));
  ASSERT_TRUE(writer().Commit(fix1).ok());
  outbox::Transaction fix2;
  fix2.records.push_back(ProgramsStore::CorrectionClaim(
      corrected, "regencies/64.01/evaluations/e3"));
  EXPECT_EQ(Reason(writer().Commit(fix2).status()),
            "EVALUATION_ALREADY_CORRECTED");
}

}  // namespace
}  // namespace ks::supervision::programs::store
