#include "common/status/quote.h"

#include <string>

#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "gtest/gtest.h"

namespace ks {
namespace {

TEST(Utf8Test, ValidityFollowsRfc3629) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Ratna \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8Test, CountsCodePointsNotBytes) {
  std::string e150;
  for (int i = 0; i < 150; ++i) e150 += "\xC3\xA9";  // é
  EXPECT_EQ(e150.size(), 300u);
  EXPECT_EQ(CodePointCount(e150), 150u);
  EXPECT_EQ(CodePointCount("\xF0\x9F\x98\x80x"), 2u);
  EXPECT_EQ(CodePointCount("\xFF\xFE"), 2u);  // each bad byte counts once
}

TEST(Utf8Test, PrefixNeverCutsASequence) {
  EXPECT_EQ(Utf8Prefix("a\xC3\xA9", 2), "a");
  EXPECT_EQ(Utf8Prefix("a\xC3\xA9", 3), "a\xC3\xA9");
  EXPECT_EQ(Utf8Prefix("abc", 10), "abc");
}

TEST(QuoteValueTest, ShortValuesAreQuotedWhole) {
  EXPECT_EQ(QuoteValue("regencies/64.01"), "\"regencies/64.01\"");
  EXPECT_EQ(QuoteValue("\xC3\xA9t\xC3\xA9"), "\"\xC3\xA9t\xC3\xA9\"");
}

TEST(QuoteValueTest, EscapesControlsQuotesAndInvalidUtf8) {
  EXPECT_EQ(QuoteValue(std::string("a\0b", 3)), "\"a\\x00b\"");
  EXPECT_EQ(QuoteValue("say \"hi\"\\\n"), "\"say \\\"hi\\\"\\\\\\n\"");
  EXPECT_EQ(QuoteValue("x\xFFy"), "\"x\xEF\xBF\xBDy\"");
  EXPECT_EQ(QuoteValue("\x1b[31m"), "\"\\x1b[31m\"");
}

TEST(QuoteValueTest, LongValuesKeepAPrefixAndTheirSize) {
  const std::string mb(1 << 20, 'a');
  const std::string q = QuoteValue(mb);
  EXPECT_EQ(q, "\"" + std::string(64, 'a') + "\"\xE2\x80\xA6(1048576 bytes)");
  std::string e100;
  for (int i = 0; i < 100; ++i) e100 += "\xC3\xA9";
  EXPECT_EQ(QuoteValue(e100, 3),
            "\"\xC3\xA9\xC3\xA9\xC3\xA9\"\xE2\x80\xA6(200 bytes)");
}

TEST(ToGrpcStatusTest, CapsAHugeMessage) {
  const absl::Status s =
      absl::NotFoundError("case " + std::string(1 << 20, 'x') + " not found");
  const grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_LE(g.error_message().size(), kMaxGrpcErrorMessageBytes);
  EXPECT_EQ(g.error_message().rfind("case xxx", 0), 0u);
  EXPECT_NE(g.error_message().find("\xE2\x80\xA6(1048591 bytes)"),
            std::string::npos);
  EXPECT_LE(g.error_details().size(), kMaxGrpcErrorDetailsBytes);
}

TEST(ToGrpcStatusTest, ShortensHugeDetailsButKeepsTheirShape) {
  std::vector<FieldViolation> violations;
  for (int i = 0; i < 200; ++i) {
    violations.push_back({"filter", std::string(3 << 10, 'f')});
  }
  const grpc::Status g = ToGrpcStatus(InvalidArgumentError(violations));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LE(g.error_message().size(), kMaxGrpcErrorMessageBytes);
  EXPECT_LE(g.error_details().size(), kMaxGrpcErrorDetailsBytes);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(GetDetail(g, &bad));
  ASSERT_GT(bad.field_violations_size(), 0);
  EXPECT_EQ(bad.field_violations(0).field(), "filter");
}

TEST(ToGrpcStatusTest, LeavesOrdinaryErrorsAlone) {
  const absl::Status s = InvalidArgumentError(
      {{"case_data.sentence.hours", "must be in [8, 240]"}});
  const grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_message(), "case_data.sentence.hours: must be in [8, 240]");
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  EXPECT_EQ(rpc.SerializeAsString(), ToRpcStatus(s).SerializeAsString());
}

}  // namespace
}  // namespace ks
