#include "common/rpc/page_token.h"

#include "common/status/rich_status.h"
#include "gtest/gtest.h"

namespace ks::rpc {
namespace {

std::string BadField(const absl::Status& s) {
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      return bad.field_violations(0).field() + ": " +
             bad.field_violations(0).description();
    }
  }
  return "";
}

TEST(PageTokenTest, RoundTripsAndIsBoundToItsQuery) {
  const std::string hash = QueryHash({"regencies/64.01", "state = X", ""});
  EXPECT_EQ(hash.size(), 16u);
  EXPECT_NE(hash, QueryHash({"regencies/64.01", "", "state = X"}));
  const std::string token = EncodePageToken("c", hash, "abc:64.01");
  EXPECT_EQ(*DecodePageToken(token, "c", hash), "abc:64.01");
  EXPECT_EQ(*DecodePageToken("", "c", hash), "");
  EXPECT_EQ(BadField(DecodePageToken(token, "c", "other").status()),
            "page_token: was issued for another parent, filter or order");
  EXPECT_EQ(BadField(DecodePageToken(token, "h", hash).status()),
            "page_token: is not a token of this API");
  EXPECT_EQ(BadField(DecodePageToken("%%%", "c", hash).status()),
            "page_token: is not a token of this API");
}

TEST(PageTokenTest, IntegerPositions) {
  const std::string hash = QueryHash({"x"});
  EXPECT_EQ(*DecodeIntPageToken(EncodePageToken("h", hash, "17"), "h", hash),
            17);
  EXPECT_EQ(*DecodeIntPageToken("", "h", hash), 0);
  EXPECT_EQ(DecodeIntPageToken(EncodePageToken("h", hash, "-1"), "h", hash)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ks::rpc
