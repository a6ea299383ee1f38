// The pieces every HTTP side shares (placements' reports, reporting's
// gateway): the code mapping, the error and CSV replies, and Serve over a
// real socket.
#include "common/http/http_side.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace ks::http {
namespace {

using ::testing::HasSubstr;

TEST(HttpCodeOfTest, MapsTheCodesClientsActOn) {
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpCodeOf(absl::StatusCode::kDataLoss), 500);
}

TEST(ReplyErrorTest, AnswersTheRpcStatusAsJsonWithEveryField) {
  httplib::Response res;
  ReplyError(res, absl::NotFoundError("no such report"));
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.get_header_value("Content-Type"), "application/json");
  EXPECT_THAT(res.body, HasSubstr(R"("code":5)"));
  EXPECT_THAT(res.body, HasSubstr(R"("message":"no such report")"));
  // One shape for every error: clients need not test for a missing list.
  EXPECT_THAT(res.body, HasSubstr(R"("details":[])"));
}

TEST(ReplyCsvTest, NamesTheDownload) {
  httplib::Response res;
  ReplyCsv(res, "a,b\r\n", "laporan-1.csv");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(res.get_header_value("Content-Disposition"),
            "attachment; filename=\"laporan-1.csv\"");
  EXPECT_EQ(res.body, "a,b\r\n");
}

TEST(ServeTest, ServesTheOwnersRoutesOnAFreePort) {
  auto server = std::make_unique<httplib::Server>();
  server->Get("/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  absl::StatusOr<std::unique_ptr<HttpSide>> side =
      HttpSide::Serve(std::move(server), "127.0.0.1", 0);
  ASSERT_TRUE(side.ok()) << side.status();
  ASSERT_GT((*side)->port(), 0);

  httplib::Client client("127.0.0.1", (*side)->port());
  httplib::Result res = client.Get("/ping");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "pong");
}

TEST(ServeTest, RefusesAnAddressNotOfThisHost) {
  // (A taken port would not do: httplib binds with SO_REUSEPORT.) 203.0.113.1
  // is TEST-NET-3, never a local address.
  absl::StatusOr<std::unique_ptr<HttpSide>> side =
      HttpSide::Serve(std::make_unique<httplib::Server>(), "203.0.113.1", 0);
  EXPECT_EQ(side.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(side.status().message(),
              HasSubstr("cannot listen on 203.0.113.1:0"));
}

}  // namespace
}  // namespace ks::http
