// ConductStore against a real redis-server: a case's violations and
// warnings read back through its own index, and the case's conduct guard,
// whose version makes two changes computed from the same state conflict
// (ABORTED, or CONCURRENT_CONDUCT_CHANGE when both create it).
#include "services/supervision/store/conduct_store.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids/id.h"
#include "common/testing/race.h"
#include "common/testing/redis_fixture.h"
#include "gtest/gtest.h"

namespace ks::supervision::store {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

constexpr char kCase[] = "regencies/64.01/cases/c1";
constexpr char kOtherCase[] = "regencies/64.01/cases/c2";

class ConductStoreTest : public ks::testing::RedisFixture {
 protected:
  ConductStoreTest() : RedisFixture("ks:{supervision}:", "conduct-test") {}
  void SetUp() override {
    RedisFixture::SetUp();
    store_ = std::make_unique<ConductStore>(pool(), writer());
  }

  // A new OPEN violation of `case_name`, committed with its index entry.
  v1::Violation AddViolation(const std::string& case_name) {
    const TableKey key{"64.01", ids::NewId()};
    v1::Violation v;
    v.set_name(store_->violations().Name(key));
    v.set_case_name(case_name);
    v.set_state(v1::VIOLATION_STATE_OPEN);
    outbox::Transaction txn;
    store_->violations().Put(txn, key, 0, v);
    ConductStore::IndexViolation(txn, case_name, key);
    EXPECT_TRUE(writer().Commit(txn).ok());
    return v;
  }

  absl::Status Guard(int64_t expected_version) {
    outbox::Transaction txn;
    ConductStore::AddGuard(txn, kCase, expected_version);
    return writer().Commit(txn).status();
  }

  std::unique_ptr<ConductStore> store_;
};

TEST_F(ConductStoreTest, ViolationsOfACaseOldestFirstWithEtags) {
  const v1::Violation a = AddViolation(kCase);
  AddViolation(kOtherCase);
  const v1::Violation b = AddViolation(kCase);
  absl::StatusOr<std::vector<v1::Violation>> of_case =
      store_->ViolationsOf(kCase);
  ASSERT_TRUE(of_case.ok()) << of_case.status();
  ASSERT_EQ(of_case->size(), 2u);
  EXPECT_EQ((*of_case)[0].name(), a.name());
  EXPECT_EQ((*of_case)[1].name(), b.name());
  EXPECT_EQ((*of_case)[0].etag(), outbox::Etag(1));
  absl::StatusOr<std::vector<v1::Warning>> none = store_->WarningsOf(kCase);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(ConductStoreTest, GuardVersionOrdersChangesOfACase) {
  EXPECT_EQ(*store_->GuardVersion(kCase), 0);
  ASSERT_TRUE(Guard(0).ok());
  EXPECT_EQ(*store_->GuardVersion(kCase), 1);
  // A second change computed before the first committed: refused, and
  // recognised as the race to retry.
  const absl::Status created_twice = Guard(0);
  EXPECT_EQ(created_twice.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(ConductStore::IsGuardRace(created_twice));
  ASSERT_TRUE(Guard(1).ok());
  EXPECT_EQ(Guard(1).code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(ConductStore::IsGuardRace(absl::AlreadyExistsError("other")));
  EXPECT_EQ(*store_->GuardVersion(kCase), 2);
}

// Eight changes racing from the same version: exactly one commits.
TEST_F(ConductStoreTest, OneOfConcurrentChangesFromOneStateCommits) {
  ASSERT_TRUE(Guard(0).ok());
  std::vector<absl::Status> status(8);
  ks::testing::RunTogether(8, [&](int i) { status[i] = Guard(1); });
  int committed = 0;
  for (const absl::Status& s : status) {
    if (s.ok()) {
      ++committed;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
    }
  }
  EXPECT_EQ(committed, 1);
}

}  // namespace
}  // namespace ks::supervision::store
