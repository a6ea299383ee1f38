// Transfer between two cases deployments, end to end: two real
// kerjasosial-cases processes, each with its own redis-server. Deployment A
// serves 64.01 and 64.02 and routes province 71 to deployment B, which
// serves 71.01 and trusts A's SERVICE token (minted in B's token file,
// scoped to 71.01).
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "services/cases/domain/transfer.h"
#include "tests/cases/cases_harness.h"

namespace ks::cases::testing {
namespace {

class CasesTransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    b_.extra_args_ = {"--served_regencies=71.01"};
    // A's credential at B: a SERVICE principal of A scoped to what it may
    // send there.
    b_.before_binary_ = [this](CasesEnvironment& env) {
      peer_token_ = env.Mint("svc-cases-kaltim", "kejati-64",
                             auth::Role::SERVICE, {"71.01"});
    };
    b_.Start(/*with_feed=*/false);
    const std::string token_file =
        ::testing::TempDir() + "ks_transfer_" + ids::NewId() + ".token";
    std::FILE* f = std::fopen(token_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs((peer_token_ + "\n").c_str(), f);
    std::fclose(f);
    a_.extra_args_ = {
        "--served_regencies=64.01,64.02",
        absl::StrCat("--transfer_routes=71=127.0.0.1:", b_.cases_port_),
        "--transfer_token_file=" + token_file, "--transfer_timeout=5s"};
    // A follows its supervision feed, so credited minutes are real.
    a_.Start(/*with_feed=*/true);
  }
  void TearDown() override {
    a_.Stop();
    b_.Stop();
  }

  // A case of A in progress with 240 credited minutes.
  v1::Case InProgress(const std::string& decision_number) {
    v1::Case c =
        a_.HandOver(a_.Order(a_.CreateCase(AdultCase(decision_number))));
    sv1::FirstSessionCredited first;
    first.set_work_session("regencies/64.01/workSessions/" + ids::NewId());
    *first.mutable_start_time() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    *first.mutable_ledger() = CasesEnvironment::Ledger(c, 240, 1);
    a_.PublishSupervision(first, c.name() + "/ledger", "64.01");
    return a_.WaitFor(c.name(), [](const v1::Case& x) {
      return x.state() == v1::CASE_STATE_IN_PROGRESS &&
             x.progress().credited_minutes() == 240;
    });
  }

  static v1::TransferCaseRequest TransferTo71(const v1::Case& c) {
    v1::TransferCaseRequest req;
    req.set_name(c.name());
    req.set_etag(c.etag());
    req.set_request_id("r" + ids::NewId());
    req.mutable_transfer()->set_destination_regency_code("71.01");
    req.mutable_transfer()->set_reason_code("domicile_changed");
    return req;
  }

  grpc::Status Transfer(const v1::TransferCaseRequest& req, v1::Case* out) {
    return a_.stub_->TransferCase(CasesEnvironment::Ctx(a_.jaksa_).get(), req,
                                  out);
  }

  // B's received case, read by B's prosecutor of 71.01.
  v1::Case AtB(const std::string& name) {
    return b_.GetCase(name, b_.other_jaksa_);
  }

  // The CaseRegistered events of B's feed.
  std::vector<v1::CaseRegistered> RegisteredAtB() {
    std::vector<v1::CaseRegistered> out;
    for (const auto& entry : b_.FeedEntries()) {
      v1::CaseRegistered ev;
      if (entry.second.payload().UnpackTo(&ev)) out.push_back(ev);
    }
    return out;
  }

  CasesEnvironment a_, b_;
  std::string peer_token_;
};

TEST_F(CasesTransferTest, BothSidesAgreeAndCreditedMinutesCross) {
  const v1::Case c = InProgress("501/Pid.B/2026/PN Tgt");
  const v1::TransferCaseRequest req = TransferTo71(c);
  v1::Case out;
  grpc::Status s = Transfer(req, &out);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();

  // Source: closed, naming where the case went and what it carried.
  EXPECT_EQ(out.state(), v1::CASE_STATE_TRANSFERRED_OUT);
  EXPECT_TRUE(absl::StartsWith(out.transfer().destination_case(),
                               "regencies/71.01/cases/"));
  EXPECT_EQ(out.transfer().transfer_id(), domain::TransferIdFor(c.name(), req));
  EXPECT_EQ(out.transfer().credited_minutes(), 240);
  EXPECT_EQ(out.transfer().destination_address(),
            absl::StrCat("127.0.0.1:", b_.cases_port_));
  EXPECT_EQ(a_.CountCases(), 1);

  // Destination: one case, from the source, with the minutes and person.
  const v1::Case received = AtB(out.transfer().destination_case());
  EXPECT_EQ(received.transferred_from(), c.name());
  EXPECT_EQ(received.regency_code(), "71.01");
  EXPECT_EQ(received.state(), v1::CASE_STATE_EXECUTION_ORDERED);
  EXPECT_EQ(received.progress().credited_minutes(), 240);
  EXPECT_EQ(received.person().full_name(), kPersonName);
  EXPECT_FALSE(received.has_handover());
  EXPECT_EQ(b_.CountCases(), 1);
  const std::vector<v1::CaseRegistered> registered = RegisteredAtB();
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0].transferred_from(), c.name());
}

TEST_F(CasesTransferTest, RetryIsIdempotentOnBothSides) {
  const v1::Case c =
      a_.Order(a_.CreateCase(AdultCase("502/Pid.B/2026/PN Tgt")));
  const v1::TransferCaseRequest req = TransferTo71(c);
  v1::Case first, second;
  ASSERT_TRUE(Transfer(req, &first).ok());
  const CasesEnvironment::Counts a_before = a_.CountsNow();
  const CasesEnvironment::Counts b_before = b_.CountsNow();
  grpc::Status s = Transfer(req, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_TRUE(a_.CountsNow().SameWrites(a_before));
  EXPECT_TRUE(b_.CountsNow().SameWrites(b_before));
  EXPECT_EQ(b_.CountCases(), 1);
}

TEST_F(CasesTransferTest, DestinationDownIsUnavailableAndNothingChanges) {
  const v1::Case c =
      a_.Order(a_.CreateCase(AdultCase("503/Pid.B/2026/PN Tgt")));
  b_.binary_->Signal(SIGTERM, absl::Seconds(10));
  const CasesEnvironment::Counts before = a_.CountsNow();
  v1::Case out;
  grpc::Status s = Transfer(TransferTo71(c), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("nothing was written"));
  const v1::Case after = a_.GetCase(c.name());
  EXPECT_EQ(after.etag(), c.etag());
  EXPECT_EQ(after.state(), v1::CASE_STATE_EXECUTION_ORDERED);
  EXPECT_FALSE(after.has_transfer());
  EXPECT_TRUE(a_.CountsNow().SameWrites(before));
}

TEST_F(CasesTransferTest, UnroutedRegencyIsRefusedNamingTheField) {
  const v1::Case c =
      a_.Order(a_.CreateCase(AdultCase("504/Pid.B/2026/PN Tgt")));
  v1::TransferCaseRequest req = TransferTo71(c);
  req.mutable_transfer()->set_destination_regency_code("11.01");
  v1::Case out;
  grpc::Status s = Transfer(req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s),
            std::vector<std::string>{"transfer.destination_regency_code"});
  req = TransferTo71(c);
  req.mutable_transfer()->set_destination_address("10.0.0.9:7101");
  s = Transfer(req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s),
            std::vector<std::string>{"transfer.destination_address"});
  EXPECT_EQ(b_.CountCases(), 0);
}

// The crash between B's acknowledgement and A's commit: B has received the
// transfer (here by calling it directly, as A would have), A has not
// committed. The retry of the same request re-sends the same transfer id;
// B answers the case it created first; A commits; one case at B.
TEST_F(CasesTransferTest, CrashBetweenAckAndCommitEndsConsistent) {
  const v1::Case c =
      a_.Order(a_.CreateCase(AdultCase("505/Pid.B/2026/PN Tgt")));
  const v1::TransferCaseRequest req = TransferTo71(c);
  const std::string transfer_id = domain::TransferIdFor(c.name(), req);
  v1::TransferCaseRequest effective = req;
  effective.mutable_transfer()->set_transfer_id(transfer_id);
  const v1::ReceiveTransferredCaseRequest payload =
      domain::TransferPayload(a_.GetCase(c.name()), effective, transfer_id);

  // Only a SERVICE principal may deliver a transfer.
  v1::Case denied;
  EXPECT_EQ(
      b_.stub_
          ->ReceiveTransferredCase(CasesEnvironment::Ctx(b_.other_jaksa_).get(),
                                   payload, &denied)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  v1::Case acked;
  grpc::Status s = b_.stub_->ReceiveTransferredCase(
      CasesEnvironment::Ctx(peer_token_).get(), payload, &acked);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  // A redelivery under another request id is the same transfer.
  v1::ReceiveTransferredCaseRequest again = payload;
  again.set_request_id("r" + ids::NewId());
  v1::Case acked_again;
  ASSERT_TRUE(
      b_.stub_
          ->ReceiveTransferredCase(CasesEnvironment::Ctx(peer_token_).get(),
                                   again, &acked_again)
          .ok());
  EXPECT_EQ(acked_again.name(), acked.name());
  EXPECT_EQ(b_.CountCases(), 1);
  // A still holds the case, unchanged.
  EXPECT_EQ(a_.GetCase(c.name()).etag(), c.etag());

  // Another request is another transfer: B refuses it with its decision
  // claim, and neither side changes.
  v1::Case refused;
  s = Transfer(TransferTo71(c), &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "DECISION_ALREADY_REGISTERED");
  EXPECT_EQ(a_.GetCase(c.name()).etag(), c.etag());
  EXPECT_EQ(b_.CountCases(), 1);

  v1::Case out;
  s = Transfer(req, &out);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_TRANSFERRED_OUT);
  EXPECT_EQ(out.transfer().destination_case(), acked.name());
  EXPECT_EQ(b_.CountCases(), 1);
  EXPECT_EQ(RegisteredAtB().size(), 1u);
  EXPECT_EQ(AtB(acked.name()).transferred_from(), c.name());
}

}  // namespace
}  // namespace ks::cases::testing
