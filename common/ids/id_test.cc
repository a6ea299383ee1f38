#include "common/ids/id.h"

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace ks::ids {
namespace {

constexpr absl::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

TEST(IdTest, LengthAndAlphabet) {
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewId();
    ASSERT_EQ(id.size(), 26u) << id;
    for (char c : id) {
      ASSERT_NE(kAlphabet.find(c), absl::string_view::npos) << id;
    }
    ASSERT_TRUE(IsValidId(id)) << id;
  }
}

TEST(IdTest, KnownEncoding) {
  // Time 0 and random 0 is all zeros; the maximum time with random 0 is
  // 7zzzzzzzzz then sixteen zeros.
  FakeClock clock(absl::UnixEpoch());
  IdGenerator gen(&clock);
  const std::string first = gen.Next();
  EXPECT_EQ(first.substr(0, 10), "0000000000");
  clock.Set(absl::FromUnixMillis((int64_t{1} << 48) - 1));
  EXPECT_EQ(gen.Next().substr(0, 10), "7zzzzzzzzz");
  // 2026-01-02T00:00:00Z = 1767312000000 ms.
  // A fresh generator: `gen` would keep the maximum time (clock stepped back).
  clock.Set(absl::FromUnixMillis(1767312000000));
  IdGenerator fresh(&clock);
  const std::string id = fresh.Next();
  absl::StatusOr<absl::Time> t = IdTime(id);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixMillis(1767312000000));
}

TEST(IdTest, SortsByTime) {
  FakeClock clock(absl::FromUnixMillis(1767312000000));
  IdGenerator gen(&clock);
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    ids.push_back(gen.Next());
    clock.Advance(absl::Milliseconds(1 + i * 37));
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  // Generators with separate state still sort by their times.
  FakeClock later_clock(clock.Now() + absl::Milliseconds(1));
  IdGenerator other(&later_clock);
  EXPECT_LT(ids.back(), other.Next());
}

TEST(IdTest, MonotonicWithinOneMillisecond) {
  FakeClock clock(absl::FromUnixMillis(1767312000000));
  IdGenerator gen(&clock);
  std::string prev = gen.Next();
  for (int i = 0; i < 10000; ++i) {
    const std::string id = gen.Next();
    ASSERT_LT(prev, id);
    ASSERT_EQ(*IdTime(id), absl::FromUnixMillis(1767312000000));
    prev = id;
  }
}

TEST(IdTest, MonotonicWhenClockStepsBack) {
  FakeClock clock(absl::FromUnixMillis(1767312000000));
  IdGenerator gen(&clock);
  const std::string before = gen.Next();
  clock.Advance(-absl::Seconds(5));
  const std::string after = gen.Next();
  EXPECT_LT(before, after);
  // The id keeps the latest time seen rather than going back.
  EXPECT_EQ(*IdTime(after), absl::FromUnixMillis(1767312000000));
}

TEST(IdTest, RandomPartDiffersAcrossMilliseconds) {
  FakeClock clock(absl::FromUnixMillis(1767312000000));
  IdGenerator a(&clock);
  IdGenerator b(&clock);
  // Same millisecond, two generators: only randomness separates them.
  EXPECT_NE(a.Next(), b.Next());
}

TEST(IdTest, UniqueAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25000;
  std::vector<std::vector<std::string>> per_thread(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&per_thread, t] {
      per_thread[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) per_thread[t].push_back(NewId());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread) {
    // Each thread sees the shared generator's ids in increasing order.
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(IdTest, TimeRoundTrip) {
  const absl::Time before =
      absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
  const std::string id = NewId();
  const absl::Time after = absl::Now();
  absl::StatusOr<absl::Time> t = IdTime(id);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GE(*t, before);
  EXPECT_LE(*t, after);
}

TEST(IdTest, DerivedIdIsAFunctionOfTimeAndSeed) {
  const absl::Time t = absl::FromUnixMillis(1'780'000'000'123);
  const std::string a = DerivedId(t, "req-1");
  EXPECT_TRUE(IsValidId(a));
  EXPECT_EQ(a, DerivedId(t, "req-1"));  // a retry names the same resource
  EXPECT_NE(a, DerivedId(t, "req-2"));
  ASSERT_TRUE(IdTime(a).ok());
  EXPECT_EQ(*IdTime(a), t);
  // It sorts by its time like any id.
  EXPECT_LT(a, DerivedId(t + absl::Milliseconds(1), "req-0"));
}

TEST(IdTest, RejectsMalformed) {
  const std::string good = NewId();
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(good.substr(0, 25)));
  EXPECT_FALSE(IsValidId(good + "0"));
  std::string upper = good;
  upper[20] = 'A';
  EXPECT_FALSE(IsValidId(upper));
  for (char excluded : {'i', 'l', 'o', 'u', '-'}) {
    std::string bad = good;
    bad[15] = excluded;
    EXPECT_FALSE(IsValidId(bad)) << excluded;
  }
  std::string overflow = good;
  overflow[0] = '8';  // more than 128 bits
  EXPECT_FALSE(IsValidId(overflow));
  absl::StatusOr<absl::Time> t = IdTime("not-an-id");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ks::ids
