#include "common/feed/cursor.h"

#include "common/status/rich_status.h"
#include "gtest/gtest.h"

namespace ks::feed {
namespace {

TEST(StreamIdTest, ParsesAndFormats) {
  absl::StatusOr<StreamId> id = ParseStreamId("1700000000123-7");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->ms, 1700000000123u);
  EXPECT_EQ(id->seq, 7u);
  EXPECT_EQ(FormatStreamId(*id), "1700000000123-7");
  absl::StatusOr<StreamId> max =
      ParseStreamId("18446744073709551615-18446744073709551615");
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_EQ(max->ms, UINT64_MAX);
}

TEST(StreamIdTest, OrdersAsPairsNotStrings) {
  // "9-0" < "10-0" although the strings compare the other way.
  EXPECT_LT((StreamId{9, 0}), (StreamId{10, 0}));
  EXPECT_LT((StreamId{10, 9}), (StreamId{10, 10}));
  EXPECT_GT((StreamId{11, 0}), (StreamId{10, 99}));
  EXPECT_EQ((StreamId{5, 5}), (StreamId{5, 5}));
  EXPECT_LE((StreamId{5, 5}), (StreamId{5, 5}));
}

TEST(StreamIdTest, RejectsMalformedNamingTheField) {
  for (const char* bad :
       {"", "-", "1-", "-1", "12", "a-1", "1-b", "+1-2", "1--2", " 1-2",
        "18446744073709551616-0", "1-2-3", "999999999999999999999-0"}) {
    absl::StatusOr<StreamId> id = ParseStreamId(bad, "after_cursor");
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    google::rpc::Status rpc = ks::ToRpcStatus(id.status());
    google::rpc::BadRequest bad_request;
    bool found = false;
    for (const auto& any : rpc.details()) {
      if (any.UnpackTo(&bad_request)) found = true;
    }
    ASSERT_TRUE(found) << bad;
    ASSERT_EQ(bad_request.field_violations_size(), 1);
    EXPECT_EQ(bad_request.field_violations(0).field(), "after_cursor");
  }
}

}  // namespace
}  // namespace ks::feed
