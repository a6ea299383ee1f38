// CounterStore: a test publisher's aggregates for common/feed tests —
// counters kept in the producer's Redis, each change written together with
// its feed event in one MULTI (as the outbox does), and a SnapshotSource over
// them. One writer at a time (the test).
#ifndef KS_COMMON_FEED_TESTDATA_COUNTER_STORE_H_
#define KS_COMMON_FEED_TESTDATA_COUNTER_STORE_H_

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/feed/snapshot.h"
#include "common/feed/testdata/feed_harness.h"
#include "gtest/gtest.h"

namespace ks::feed::testing {

inline constexpr char kCountersKey[] = "ks:{feed}:counters";

// Counters in a hash, field = aggregate name,
// value = "<version>|<value>|<regency>".
class CounterStore final : public SnapshotSource {
 public:
  void set_pool(redis::Pool* pool) { pool_ = pool; }

  // Sets the counter and appends its event in one MULTI; returns the cursor.
  std::string Set(const std::string& regency, const std::string& counter,
                  int64_t value) {
    const std::string name =
        absl::StrCat("regencies/", regency, "/counters/", counter);
    int64_t version = Read(name).aggregate_version() + 1;
    Event event = FeedHarness::MakeEvent(
        value, regency, absl::StrCat("set-", name, "-", version), counter,
        version);
    absl::StatusOr<std::vector<redis::Reply>> replies =
        pool_->Pipeline({{"MULTI"},
                         {"HSET", kCountersKey, name,
                          absl::StrCat(version, "|", value, "|", regency)},
                         {"XADD", kStreamKey, "*", std::string(kEventField),
                          event.SerializeAsString()},
                         {"EXEC"}});
    EXPECT_TRUE(replies.ok()) << replies.status();
    if (!replies.ok()) return "";
    return replies->back().elements.at(1).str;
  }

  // The counter's current state as a snapshot event (version 0: absent).
  Event Read(const std::string& name) {
    Event event;
    absl::StatusOr<redis::Reply> reply =
        pool_->Command({"HGET", kCountersKey, name});
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok() || reply->is_nil()) return event;
    std::vector<std::string> parts = absl::StrSplit(reply->str, '|');
    int64_t version = 0, value = 0;
    EXPECT_TRUE(absl::SimpleAtoi(parts.at(0), &version));
    EXPECT_TRUE(absl::SimpleAtoi(parts.at(1), &value));
    std::string counter = name.substr(name.rfind('/') + 1);
    return FeedHarness::MakeEvent(
        value, parts.at(2), absl::StrCat("snap-", name), counter, version);
  }

  // Runs before the i-th aggregate is read (to change the store mid-way).
  std::function<void(int)> before_read;

  // Reads each aggregate on its own when it emits it, like a real source
  // scanning its keys: no point-in-time view.
  absl::Status Enumerate(const SnapshotEmit& emit) override {
    absl::StatusOr<redis::Reply> names =
        pool_->Command({"HKEYS", kCountersKey});
    if (!names.ok()) return names.status();
    std::vector<std::string> sorted;
    for (const redis::Reply& name : names->elements) {
      sorted.push_back(name.str);
    }
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (before_read) before_read(static_cast<int>(i));
      absl::Status emitted = emit(Read(sorted[i]));
      if (!emitted.ok()) return emitted;
    }
    return absl::OkStatus();
  }

 private:
  redis::Pool* pool_ = nullptr;
};

}  // namespace ks::feed::testing

#endif  // KS_COMMON_FEED_TESTDATA_COUNTER_STORE_H_
