#include "common/client/peer.h"

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"

namespace ks::client {
namespace {

namespace cases = ::kerjasosial::cases::v1;

std::string Reason(const absl::Status& s) {
  google::rpc::ErrorInfo info;
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// One GetCase through the peer; whatever answers, the code is what we check.
absl::Status GetCase(Peer& peer) {
  std::unique_ptr<cases::Cases::Stub> stub =
      cases::Cases::NewStub(peer.channel());
  return peer.Call([&](grpc::ClientContext* ctx) {
    cases::GetCaseRequest request;
    request.set_name("regencies/64.01/cases/c1");
    cases::Case out;
    return stub->GetCase(ctx, request, &out);
  });
}

// A gRPC server whose cases service implements nothing: every call is
// UNIMPLEMENTED, which proves the peer is up.
std::unique_ptr<grpc::Server> EmptyServerOn(int port) {
  static cases::Cases::Service* nothing = new cases::Cases::Service();
  grpc::ServerBuilder builder;
  builder.RegisterService(nothing);
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port),
                           grpc::InsecureServerCredentials());
  return builder.BuildAndStart();
}

PeerOptions OptionsFor(int port) {
  PeerOptions o;
  o.name = "cases";
  o.address = absl::StrCat("127.0.0.1:", port);
  o.token = "t";
  o.breaker_failures = 3;
  o.breaker_open_for = absl::Seconds(5);
  return o;
}

TEST(PeerTest, ADeadPeerOpensTheCircuitAndALiveAnswerClosesIt) {
  FakeClock clock(absl::FromUnixSeconds(1767312000));
  const int port = testing::PickFreePort();
  absl::StatusOr<std::unique_ptr<Peer>> peer =
      Peer::Create(OptionsFor(port), &clock);
  ASSERT_TRUE(peer.ok()) << peer.status();

  for (int i = 0; i < 3; ++i) {
    const absl::Status s = GetCase(**peer);
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << i;
    EXPECT_EQ(Reason(s), kReasonPeerUnavailable) << i;
    EXPECT_NE(s.message().find("cases did not answer"), std::string::npos);
  }
  ASSERT_TRUE((*peer)->open());
  // Refused without trying: the message says so.
  absl::Status refused = GetCase(**peer);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("refused without trying"),
            std::string::npos);

  // The peer comes back; after the open period one trial closes the circuit.
  std::unique_ptr<grpc::Server> server = EmptyServerOn(port);
  ASSERT_NE(server, nullptr);
  EXPECT_NE(GetCase(**peer).message().find("refused without trying"),
            std::string::npos);
  clock.Advance(absl::Seconds(5));
  // The channel reconnects on its own (within its short reconnect backoff).
  ASSERT_TRUE((*peer)->channel()->WaitForConnected(
      std::chrono::system_clock::now() + std::chrono::seconds(10)));
  EXPECT_EQ(GetCase(**peer).code(), absl::StatusCode::kUnimplemented);
  EXPECT_FALSE((*peer)->open());
  EXPECT_EQ(GetCase(**peer).code(), absl::StatusCode::kUnimplemented);
  server->Shutdown();
}

TEST(PeerTest, AFailedTrialReopensTheCircuit) {
  FakeClock clock(absl::FromUnixSeconds(1767312000));
  absl::StatusOr<std::unique_ptr<Peer>> peer =
      Peer::Create(OptionsFor(testing::PickFreePort()), &clock);
  ASSERT_TRUE(peer.ok());
  for (int i = 0; i < 3; ++i) GetCase(**peer).IgnoreError();
  clock.Advance(absl::Seconds(6));
  EXPECT_FALSE((*peer)->open());
  // The trial goes to the network and fails: open again for the full period.
  EXPECT_NE(GetCase(**peer).message().find("did not answer"),
            std::string::npos);
  EXPECT_TRUE((*peer)->open());
  clock.Advance(absl::Seconds(4));
  EXPECT_NE(GetCase(**peer).message().find("refused without trying"),
            std::string::npos);
}

TEST(PeerTest, BadOptionsAndUnreadableFilesNameTheFlag) {
  PeerOptions none;
  EXPECT_EQ(Peer::Create(none).status().code(),
            absl::StatusCode::kInvalidArgument);
  PeerOptions zero = OptionsFor(1);
  zero.breaker_failures = 0;
  EXPECT_EQ(Peer::Create(zero).status().code(),
            absl::StatusCode::kInvalidArgument);
  PeerOptions tls = OptionsFor(1);
  tls.ca_file = "/nonexistent/ca.pem";
  absl::Status s = Peer::Create(tls).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--cases_ca_file"), std::string::npos);

  testing::ScopedTempDir dir;
  const std::string path = dir.path() + "/token";
  EXPECT_EQ(ReadFlagFile("service_token_file", path).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ks::client

namespace ks::client {
namespace {

TEST(PeerFromFlagsTest, UnconfiguredIsNullAndAMissingTokenNamesTheFlags) {
  PeerOptions none;
  none.name = "cases";
  absl::StatusOr<std::unique_ptr<Peer>> absent = PeerFromFlags(none, "");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, nullptr);

  PeerOptions cases = OptionsFor(1);
  absl::Status missing = PeerFromFlags(cases, "/nonexistent/token").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("--service_token_file (needed by "
                                   "--cases_address)"),
            std::string::npos);

  testing::ScopedTempDir dir;
  testing::WriteFile(dir.File("token"), "secret-token\n");
  absl::StatusOr<std::unique_ptr<Peer>> peer =
      PeerFromFlags(cases, dir.File("token"));
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ((*peer)->options().token, "secret-token");
}

}  // namespace
}  // namespace ks::client
