// The pure parts of a cross-deployment transfer: the transfer id, the
// payload sent to the destination, the case the destination builds from it,
// and the routing table.
#include "services/cases/domain/transfer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using testing::AdultCase;
using testing::Ctx;
using ::testing::HasSubstr;
using testing::Registered;
using testing::ViolationFields;
using testing::ViolationOf;

v1::TransferCaseRequest Request(const std::string& request_id) {
  v1::TransferCaseRequest req;
  req.set_name("regencies/64.01/cases/c1");
  req.set_request_id(request_id);
  req.mutable_transfer()->set_destination_regency_code("71.01");
  req.mutable_transfer()->set_reason_code("domicile_changed");
  return req;
}

// The source case as the destination receives it: ordered, 600 credited
// minutes.
Case Source() {
  Case c = Registered(AdultCase());
  c.set_state(v1::CASE_STATE_IN_PROGRESS);
  c.mutable_execution_order()->set_order_number("PRINT-1/O.4.10/2026");
  c.mutable_handover()->set_bapas_office_code("bapas-samarinda");
  c.mutable_progress()->set_credited_minutes(600);
  c.mutable_progress()->set_placement("regencies/64.01/placements/p1");
  return c;
}

TEST(TransferId, DeterministicPerSourceAndRequest) {
  const std::string a =
      TransferIdFor("regencies/64.01/cases/c1", Request("r1"));
  EXPECT_EQ(a, TransferIdFor("regencies/64.01/cases/c1", Request("r1")));
  EXPECT_EQ(a.size(), 33u);
  EXPECT_EQ(a[0], 't');
  EXPECT_NE(a, TransferIdFor("regencies/64.01/cases/c1", Request("r2")));
  EXPECT_NE(a, TransferIdFor("regencies/64.01/cases/c2", Request("r1")));
  // A retry with a fresh etag is the same transfer.
  v1::TransferCaseRequest fresh = Request("r1");
  fresh.set_etag("v9");
  EXPECT_EQ(a, TransferIdFor("regencies/64.01/cases/c1", fresh));
  // The client's own id wins.
  v1::TransferCaseRequest own = Request("r1");
  own.mutable_transfer()->set_transfer_id("move-42");
  EXPECT_EQ(TransferIdFor("regencies/64.01/cases/c1", own), "move-42");
  Validator v;
  EXPECT_TRUE(CheckTransferId(v, "transfer.transfer_id", a));
  EXPECT_FALSE(CheckTransferId(v, "transfer.transfer_id", "bad id"));
  EXPECT_EQ(ViolationOf(v.Finish(), "transfer.transfer_id"),
            "must be 1-64 characters of [A-Za-z0-9_-]");
}

TEST(TransferPayload, CarriesCaseTransferIdAndCreditedMinutes) {
  Case source = Source();
  source.set_etag("v7");
  source.set_version(7);
  const v1::ReceiveTransferredCaseRequest p =
      TransferPayload(source, Request("r1"), "tid-1");
  EXPECT_EQ(p.parent(), "regencies/71.01");
  EXPECT_EQ(p.request_id(), "tid-1");
  EXPECT_EQ(p.transfer().transfer_id(), "tid-1");
  EXPECT_EQ(p.transfer().credited_minutes(), 600);
  EXPECT_EQ(p.transfer().reason_code(), "domicile_changed");
  EXPECT_EQ(p.case_data().name(), "regencies/64.01/cases/c1");
  EXPECT_EQ(p.case_data().person().nik(), source.person().nik());
  EXPECT_TRUE(p.case_data().etag().empty());
  EXPECT_EQ(p.case_data().version(), 0);
}

TEST(ReceiveRemoteTransfer, BuildsTheReceivedCaseWithCreditedMinutes) {
  v1::ReceiveTransferredCaseRequest p =
      TransferPayload(Source(), Request("r1"), "tid-1");
  // The source's own progress is not trusted over the transfer's figure.
  p.mutable_case_data()->mutable_progress()->set_credited_minutes(1);
  const absl::StatusOr<Transition> t =
      ReceiveRemoteTransfer(p, "regencies/71.01/cases/n1", "71.01", Ctx());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->after.name(), "regencies/71.01/cases/n1");
  EXPECT_EQ(t->after.regency_code(), "71.01");
  EXPECT_EQ(t->after.transferred_from(), "regencies/64.01/cases/c1");
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_EXECUTION_ORDERED);
  EXPECT_EQ(t->after.progress().credited_minutes(), 600);
  EXPECT_TRUE(t->after.progress().placement().empty());
  EXPECT_FALSE(t->after.has_handover());
  EXPECT_EQ(t->history.cause(),
            "/kerjasosial.cases.v1.Cases/ReceiveTransferredCase");
  ASSERT_EQ(t->events.size(), 1u);
  v1::CaseRegistered ev;
  ASSERT_TRUE(t->events[0].payload().UnpackTo(&ev));
  EXPECT_EQ(ev.transferred_from(), "regencies/64.01/cases/c1");
}

TEST(ReceiveRemoteTransfer, NamesEveryBadField) {
  v1::ReceiveTransferredCaseRequest p =
      TransferPayload(Source(), Request("r1"), "tid-1");
  p.mutable_case_data()->set_name("regencies/71.01/cases/c1");
  p.mutable_case_data()->set_state(v1::CASE_STATE_COMPLETED);
  p.mutable_transfer()->set_transfer_id("");
  p.mutable_transfer()->set_destination_regency_code("71.02");
  p.mutable_transfer()->set_credited_minutes(40 * 60 * 100);
  const absl::Status st =
      ReceiveRemoteTransfer(p, "regencies/71.01/cases/n1", "71.01", Ctx())
          .status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      ViolationFields(st),
      ::testing::UnorderedElementsAre(
          "case_data.name", "case_data.state", "transfer.transfer_id",
          "transfer.destination_regency_code", "transfer.credited_minutes"));
  EXPECT_THAT(ViolationOf(st, "case_data.name"), HasSubstr("another regency"));

  v1::ReceiveTransferredCaseRequest empty;
  EXPECT_THAT(
      ViolationFields(ReceiveRemoteTransfer(empty, "regencies/71.01/cases/n1",
                                            "71.01", Ctx())
                          .status()),
      ::testing::UnorderedElementsAre("case_data", "transfer"));
}

TEST(TransferRoutes, RegencyBeforeProvince) {
  const absl::StatusOr<TransferRoutes> r = TransferRoutes::Parse(
      " 64.01=a.example:7101, 71=b.example:7101 ,71.05=c.example:7101");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Find("64.01"), "a.example:7101");
  EXPECT_EQ(r->Find("64.02"), std::nullopt);
  EXPECT_EQ(r->Find("71.01"), "b.example:7101");
  EXPECT_EQ(r->Find("71.05"), "c.example:7101");
  EXPECT_TRUE(TransferRoutes::Parse("")->empty());
}

TEST(TransferRoutes, FromAFileWithComments) {
  const absl::StatusOr<TransferRoutes> r = TransferRoutes::ParseFile(
      "# Sulawesi Utara\n71=b.example:7101\n\n64.01=a.example:7101  # Paser\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Find("71.02"), "b.example:7101");
  EXPECT_EQ(r->Find("64.01"), "a.example:7101");
  EXPECT_THAT(TransferRoutes::ParseFile("71=b\n").status().message(),
              HasSubstr("host:port"));
}

TEST(TransferRoutes, ClientTransferIdIsChecked) {
  Case c = Source();
  v1::TransferCaseRequest req = Request("r1");
  req.mutable_transfer()->set_transfer_id("no spaces");
  EXPECT_EQ(ViolationOf(TransferCase(c, req, "", Ctx()).status(),
                        "transfer.transfer_id"),
            "must be 1-64 characters of [A-Za-z0-9_-]");
}

TEST(TransferRoutes, RefusesMalformedEntries) {
  EXPECT_THAT(TransferRoutes::Parse("6401=a:1").status().message(),
              HasSubstr("regency (PP.RR) or province (PP)"));
  EXPECT_THAT(TransferRoutes::Parse("64.01=nohost").status().message(),
              HasSubstr("host:port"));
  EXPECT_THAT(TransferRoutes::Parse("64.01").status().message(),
              HasSubstr("host:port"));
  EXPECT_THAT(TransferRoutes::Parse("64=a:1,64=b:2").status().message(),
              HasSubstr("given twice"));
}

}  // namespace
}  // namespace ks::cases::domain
