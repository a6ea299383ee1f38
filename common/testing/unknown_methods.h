// Calls made-up method paths on a gRPC server, the way a scanner or a
// mistaken client does, for tests and probes that bound what such calls cost
// the server (metric labels, log lines, memory).
//
// Header-only so that only targets which already link gRPC use it.
#ifndef KS_COMMON_TESTING_UNKNOWN_METHODS_H_
#define KS_COMMON_TESTING_UNKNOWN_METHODS_H_

#include <memory>
#include <regex>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"

namespace ks::testing {

// The path of the i-th made-up call: each distinct, each carrying a person's
// name and a NIK-shaped number, as the probe in issue #8 did.
// Every method="..." label value in a /metrics text: what a flood of
// unknown paths must not grow.
inline std::set<std::string> MethodLabels(const std::string& text) {
  std::set<std::string> out;
  static const std::regex kLabel("method=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kLabel);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

inline std::string UnknownMethodPath(int i) {
  return absl::StrCat("/Ratna Kusumawardani 6401054101900003.Probe", i, "/Get",
                      i);
}

// A serialized empty protobuf message (a default ByteBuffer is not one).
inline grpc::ByteBuffer EmptyMessage() {
  grpc::Slice empty("");
  return grpc::ByteBuffer(&empty, 1);
}

// Sends `count` unary calls with distinct UnknownMethodPath()s (empty body,
// at most 64 in flight) to `address` over plaintext. Returns how many were
// answered UNIMPLEMENTED, as gRPC answers a method it does not serve.
inline int CallUnknownMethods(const std::string& address, int count) {
  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  constexpr int kWindow = 64;
  absl::Mutex mu;
  int in_flight = 0, unimplemented = 0;
  for (int i = 0; i < count; ++i) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](int* n) { return *n < kWindow; }, &in_flight));
      ++in_flight;
    }
    struct Call {
      grpc::ClientContext ctx;
      grpc::ByteBuffer request = EmptyMessage(), response;
    };
    auto* call = new Call;
    call->ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    stub.UnaryCall(&call->ctx, UnknownMethodPath(i), grpc::StubOptions(),
                   &call->request, &call->response,
                   [call, &mu, &in_flight, &unimplemented](grpc::Status s) {
                     delete call;
                     absl::MutexLock lock(&mu);
                     if (s.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
                       ++unimplemented;
                     }
                     --in_flight;
                   });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &in_flight));
  return unimplemented;
}

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_UNKNOWN_METHODS_H_
