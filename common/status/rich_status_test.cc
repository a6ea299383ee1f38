#include "common/status/rich_status.h"

#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "gtest/gtest.h"

namespace ks {
namespace {

TEST(RichStatusTest, InvalidArgumentNamesEveryFieldInMessageAndDetails) {
  absl::Status s = InvalidArgumentError(
      {{"case.sentence.hours", "R5 KUHP Pasal 85(4): 8 <= hours <= 240"},
       {"case.court", "required"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("case.sentence.hours"), absl::string_view::npos);
  EXPECT_NE(s.message().find("case.court: required"), absl::string_view::npos);

  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(GetDetail(g, &bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "case.sentence.hours");
  EXPECT_EQ(bad.field_violations(1).field(), "case.court");
}

TEST(RichStatusTest, DetailsAreAWireCompatibleGoogleRpcStatus) {
  absl::Status s = FailedPreconditionError(
      "cannot ConfirmCompletion from REGISTERED", "STATE",
      "regencies/64.01/cases/x", "TRANSITION_NOT_ALLOWED");
  grpc::Status g = ToGrpcStatus(s);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  EXPECT_EQ(rpc.code(), 9);  // FAILED_PRECONDITION
  EXPECT_EQ(rpc.message(), "cannot ConfirmCompletion from REGISTERED");
  ASSERT_EQ(rpc.details_size(), 2);
  EXPECT_EQ(
      rpc.details(0).type_url().rfind("type.googleapis.com/google.rpc.", 0),
      0u);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetDetail(g, &info));
  EXPECT_EQ(info.reason(), "TRANSITION_NOT_ALLOWED");
  EXPECT_EQ(info.domain(), "kerjasosial.id");
}

TEST(RichStatusTest, RoundTripsThroughGrpc) {
  absl::Status s = WithErrorInfo(absl::AbortedError("stale etag"), "STALE_ETAG",
                                 {{"current_etag", "\"7\""}});
  absl::Status back = FromGrpcStatus(ToGrpcStatus(s));
  EXPECT_EQ(back.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(back.message(), "stale etag");
  google::rpc::Status rpc = ToRpcStatus(back);
  ASSERT_EQ(rpc.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.metadata().at("current_etag"), "\"7\"");
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  KS_ASSIGN_OR_RETURN(int h, Half(x));
  KS_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

absl::Status CheckEven(int x) {
  KS_RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ks
