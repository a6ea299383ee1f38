// Calling another deployment: a service's own client side (placements and
// supervision check cases; every service follows other services' feeds).
//
// A Peer is one channel to one deployment with what every outbound call
// needs: the SERVICE bearer token, a per-call deadline, and a circuit
// breaker. The breaker exists because a dead upstream must cost a caller
// milliseconds, not the full deadline on every request: after
// `breaker_failures` consecutive UNAVAILABLE / DEADLINE_EXCEEDED answers the
// circuit opens, and calls fail at once with UNAVAILABLE PEER_UNAVAILABLE
// (never touching the network) for `breaker_open_for`; then one trial call
// is let through (half-open), and its outcome closes or re-opens the circuit.
// Any other answer (NOT_FOUND, PERMISSION_DENIED...) proves the peer is up
// and resets the count.
//
// Thread-safe: Call() and Configure() may run concurrently.
#ifndef KS_COMMON_CLIENT_PEER_H_
#define KS_COMMON_CLIENT_PEER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/feed/consumer.h"
#include "common/time/clock.h"
#include "grpcpp/grpcpp.h"

namespace ks::client {

// ErrorInfo reason of a call refused because the circuit is open.
inline constexpr absl::string_view kReasonPeerUnavailable = "PEER_UNAVAILABLE";

// The whole file at `path`. INVALID_ARGUMENT naming `--flag` when it cannot
// be read (the message never holds the file's content).
absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag,
                                         const std::string& path);

// TLS credentials trusting the roots in `ca_file`, or plaintext when it is
// empty. INVALID_ARGUMENT naming `--flag` when the file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    absl::string_view flag, const std::string& ca_file);

struct PeerOptions {
  // Names the peer in errors, logs and metrics ("cases").
  std::string name;
  // host:port of the deployment.
  std::string address;
  // PEM roots for TLS; empty: plaintext (loopback and tests).
  std::string ca_file;
  // The SERVICE bearer token presented on every call.
  std::string token;
  // Deadline of one unary call.
  absl::Duration deadline = absl::Milliseconds(800);
  // Consecutive transport failures that open the circuit.
  int breaker_failures = 3;
  // How long an open circuit refuses calls before one trial.
  absl::Duration breaker_open_for = absl::Seconds(5);
};

class Peer {
 public:
  // INVALID_ARGUMENT for a missing name/address, a bad threshold, or an
  // unreadable ca_file. `clock` (not owned) times the open circuit.
  static absl::StatusOr<std::unique_ptr<Peer>> Create(
      PeerOptions options, const Clock* clock = SystemClock());

  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const PeerOptions& options() const { return options_; }

  // Runs `rpc` (one stub call on the given context) with the token and the
  // deadline set, unless the circuit is open. Returns the call's status as
  // an absl::Status with its google.rpc details; an open circuit gives
  // UNAVAILABLE PEER_UNAVAILABLE {peer, retry_after_ms}.
  absl::Status Call(
      const std::function<grpc::Status(grpc::ClientContext*)>& rpc);

  // Sets the bearer token (no deadline) on a context: for long streams such
  // as a feed consumer's StreamEvents.
  void Configure(grpc::ClientContext* context) const;

  // True while calls are refused without trying.
  bool open() const;

 private:
  Peer(PeerOptions options, const Clock* clock,
       std::shared_ptr<grpc::Channel> channel);

  // OK to try now; else the PEER_UNAVAILABLE error.
  absl::Status Admit();
  void Record(bool transport_failure);

  const PeerOptions options_;
  const Clock* const clock_;
  const std::shared_ptr<grpc::Channel> channel_;

  mutable absl::Mutex mu_;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  // The circuit refuses calls until then; InfinitePast when closed.
  absl::Time open_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // A half-open trial is in flight: other calls are still refused.
  bool trial_ ABSL_GUARDED_BY(mu_) = false;
};

// A peer from a binary's flags: `options` as the flags give them (name,
// address, ca_file, deadline...) with the token read from `token_file` (the
// shared --service_token_file; errors name that flag, never the token).
// Null (and OK) when options.address is empty: the peer is not configured.
absl::StatusOr<std::unique_ptr<Peer>> PeerFromFlags(
    PeerOptions options, const std::string& token_file);

// A feed::StreamFactory over `Service`'s StreamEvents on the peer's channel
// (any publishing service: cases, placements, supervision). Use
// peer.Configure as the consumer's configure_context.
template <typename Service>
feed::StreamFactory FeedOf(const Peer& peer) {
  std::shared_ptr<typename Service::Stub> stub =
      Service::NewStub(peer.channel());
  return [stub](grpc::ClientContext* context,
                const kerjasosial::common::v1::StreamEventsRequest& request) {
    return stub->StreamEvents(context, request);
  };
}

// The same for a feed::ConsumerPool (ConsumerOptions::async_stream).
template <typename Service>
feed::AsyncStreamFactory AsyncFeedOf(const Peer& peer) {
  std::shared_ptr<typename Service::Stub> stub =
      Service::NewStub(peer.channel());
  return [stub](grpc::ClientContext* context,
                const kerjasosial::common::v1::StreamEventsRequest& request,
                grpc::CompletionQueue* cq) {
    return stub->PrepareAsyncStreamEvents(context, request, cq);
  };
}

// A deployment's feed being followed: the peer it is read from and the
// consumer applying it. Empty (both null) when the upstream is not
// configured.
struct FeedFollower {
  std::unique_ptr<Peer> peer;
  std::unique_ptr<feed::Consumer> consumer;

  // Stops the consumer (before the Redis pool and the handler's service are
  // destroyed). Idempotent.
  void Stop() {
    if (consumer) consumer->Stop();
  }
};

// Follows `Service`'s feed (StreamEvents) at the deployment `peer_options`
// names, as a binary's flags give it (the address empty: not configured, an
// empty follower), with the SERVICE token of `token_file`: a started
// feed::Consumer over the own Redis `store`, its cursor under
// `options.key_prefix`, applying `options.handler`. `options.stream` and
// `options.configure_context` are set here. Errors: PeerFromFlags'.
absl::StatusOr<FeedFollower> FollowFeedImpl(
    PeerOptions peer_options, const std::string& token_file, redis::Pool& store,
    feed::ConsumerOptions options,
    feed::StreamFactory (*stream_of)(const Peer&));

template <typename Service>
absl::StatusOr<FeedFollower> FollowFeed(PeerOptions peer_options,
                                        const std::string& token_file,
                                        redis::Pool& store,
                                        feed::ConsumerOptions options) {
  return FollowFeedImpl(std::move(peer_options), token_file, store,
                        std::move(options), &FeedOf<Service>);
}

// FollowFeed as binaries use it: the peer `name` at `address` (empty: not
// followed) verified with `ca_file`, the cursor under
// "<deployment_key_prefix>feed:<name>", every event given to `handler`.
template <typename Service>
absl::StatusOr<FeedFollower> FollowFeed(
    const std::string& name, const std::string& address,
    const std::string& ca_file, const std::string& token_file,
    redis::Pool& store, const std::string& deployment_key_prefix,
    feed::Handler handler) {
  PeerOptions peer_options;
  peer_options.name = name;
  peer_options.address = address;
  peer_options.ca_file = ca_file;
  feed::ConsumerOptions options;
  options.key_prefix = deployment_key_prefix + "feed:" + name;
  options.handler = std::move(handler);
  return FollowFeed<Service>(std::move(peer_options), token_file, store,
                             std::move(options));
}

}  // namespace ks::client

#endif  // KS_COMMON_CLIENT_PEER_H_
