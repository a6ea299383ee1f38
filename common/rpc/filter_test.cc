#include "common/rpc/filter.h"

#include <string>
#include <vector>

#include "common/status/rich_status.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"

namespace ks::rpc::filter {
namespace {

std::string Why(const absl::Status& s) {
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() == 1 &&
        bad.field_violations(0).field() == "filter") {
      return bad.field_violations(0).description();
    }
  }
  return "";
}

TEST(FilterTest, ParsesAConjunction) {
  absl::StatusOr<std::vector<Comparison>> c =
      Parse("state = IN_PROGRESS AND t < \"2026-06-01T00:00:00Z\"");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].field, "state");
  EXPECT_EQ((*c)[0].op, Op::kEq);
  EXPECT_FALSE((*c)[0].value.quoted);
  EXPECT_EQ((*c)[0].value.text, "IN_PROGRESS");
  EXPECT_EQ((*c)[1].op, Op::kLt);
  EXPECT_TRUE((*c)[1].value.quoted);
  EXPECT_EQ(*TimeValue((*c)[1]),
            absl::FromCivil(absl::CivilSecond(2026, 6, 1, 0, 0, 0),
                            absl::UTCTimeZone()));
  EXPECT_TRUE(Parse("")->empty());
}

TEST(FilterTest, EveryMalformedFilterNamesTheRule) {
  EXPECT_EQ(Why(Parse("a = \"x").status()), "unterminated quoted string");
  EXPECT_EQ(Why(Parse("a ! b").status()), "\"!\" must be \"!=\"");
  EXPECT_EQ(Why(Parse("a = b AND").status()), "dangling AND");
  EXPECT_EQ(Why(Parse("a = b OR c = d").status()),
            "expected AND, got \"OR\" (only AND is supported)");
  EXPECT_EQ(Why(Parse("a =").status()),
            "incomplete comparison: expected <field> <op> <value>");
  EXPECT_EQ(Why(Parse("a = #").status()), "unexpected character at byte 4");
  EXPECT_EQ(Why(Parse("a b c").status()), "expected an operator after \"a\"");
}

TEST(FilterTest, LongInputIsQuotedOnlyByAPrefix) {
  const std::string huge(100000, 'x');
  absl::Status s = Parse(huge + " OR").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(s.message().size(), 200u);
}

TEST(FilterTest, ValuesByKind) {
  Comparison c{"flag", Op::kEq, {false, "true"}};
  EXPECT_TRUE(*BoolValue(c));
  c.value.text = "yes";
  EXPECT_EQ(Why(BoolValue(c).status()), "flag compares to true or false");
  c.op = Op::kLe;
  EXPECT_EQ(Why(RequireEquality(c)), "flag allows only = and !=");

  const google::protobuf::EnumDescriptor& type =
      *google::protobuf::FieldDescriptorProto::Type_descriptor();
  Comparison e{"type", Op::kEq, {false, "string"}};
  EXPECT_EQ(*EnumValue(e, type, "TYPE_"),
            google::protobuf::FieldDescriptorProto::TYPE_STRING);
  e.value.text = "TYPE_BOOL";
  EXPECT_EQ(*EnumValue(e, type, "TYPE_"),
            google::protobuf::FieldDescriptorProto::TYPE_BOOL);
  e.value.text = "nope";
  EXPECT_EQ(Why(EnumValue(e, type, "TYPE_").status()), "unknown type \"nope\"");
}

TEST(FilterTest, CompareCoversEveryOperator) {
  EXPECT_TRUE(Compare(1, Op::kEq, 1));
  EXPECT_TRUE(Compare(1, Op::kNe, 2));
  EXPECT_TRUE(Compare(1, Op::kLt, 2));
  EXPECT_TRUE(Compare(2, Op::kLe, 2));
  EXPECT_TRUE(Compare(3, Op::kGt, 2));
  EXPECT_TRUE(Compare(2, Op::kGe, 2));
  EXPECT_FALSE(Compare(2, Op::kLt, 2));
}

}  // namespace
}  // namespace ks::rpc::filter
