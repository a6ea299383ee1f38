// What every end-to-end test harness does with a service binary, once:
// start it on a port and wait until gRPC accepts there, call it with a
// bearer token, mint that token, and stop it with SIGTERM (or kill -9).
//
// Header-only and test-only (it uses GoogleTest's assertions). Not
// thread-safe except channel(), which gRPC makes thread-safe.
#ifndef KS_COMMON_TESTING_SERVICE_BINARY_H_
#define KS_COMMON_TESTING_SERVICE_BINARY_H_

#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/auth/token_file.h"
#include "common/testing/process.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace ks::testing {

// A ClientContext carrying `token` as a bearer (none when empty) and a
// deadline, so a hung service fails the test instead of hanging it.
inline std::unique_ptr<grpc::ClientContext> CallContext(
    const std::string& token, absl::Duration deadline = absl::Seconds(10)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(deadline));
  return ctx;
}

// Mints a token for the principal into `token_file`; a test failure (and
// "") when that fails.
inline std::string MintFor(const std::string& token_file,
                           const auth::Principal& principal) {
  absl::StatusOr<std::string> token = auth::MintToken(token_file, principal);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}
inline std::string MintFor(const std::string& token_file, const std::string& id,
                           const std::string& agency, auth::Role role,
                           std::vector<std::string> regencies) {
  return MintFor(token_file,
                 auth::Principal{id, agency, role, std::move(regencies)});
}

class ServiceBinary {
 public:
  // `args` must make the binary listen on 127.0.0.1:`port`.
  ServiceBinary(std::string path, int port, std::vector<std::string> args)
      : path_(std::move(path)), port_(port), args_(std::move(args)) {}
  ~ServiceBinary() { Stop(); }
  ServiceBinary(const ServiceBinary&) = delete;
  ServiceBinary& operator=(const ServiceBinary&) = delete;

  // Starts the process (again, after Stop or Kill: same port, same args)
  // and waits up to `wait` until its port accepts gRPC. A fatal test
  // failure naming the binary and holding its log otherwise.
  void Start(absl::Duration wait = absl::Seconds(20)) {
    process_ = std::make_unique<Process>(path_, args_);
    ASSERT_TRUE(process_->Start().ok()) << path_;
    channel_ =
        grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel_->WaitForConnected(std::chrono::system_clock::now() +
                                           absl::ToChronoMilliseconds(wait)))
        << path_ << " did not accept gRPC on " << address() << "\n"
        << process_->ReadLog();
  }

  // SIGTERM and wait up to `grace`; returns the exit status (-1: killed
  // after the grace). No-op when not running.
  int Stop(absl::Duration grace = absl::Seconds(10)) {
    if (!running()) return 0;
    return process_->Signal(SIGTERM, grace);
  }

  // kill -9: the crash the durability tests recover from.
  void Kill() {
    if (running()) process_->Signal(SIGKILL, absl::Seconds(10));
  }

  bool running() const { return process_ && process_->running(); }
  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  std::string ReadLog() const { return process_ ? process_->ReadLog() : ""; }
  Process* process() { return process_.get(); }
  // Flags to start with next time (e.g. a changed upstream address).
  std::vector<std::string>& args() { return args_; }

 private:
  const std::string path_;
  const int port_;
  std::vector<std::string> args_;
  std::unique_ptr<Process> process_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_SERVICE_BINARY_H_
