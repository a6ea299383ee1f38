#include "common/client/peer.h"

#include <chrono>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/client.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"

namespace ks::client {

absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag,
                                         const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot open ", path));
  }
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read ", path));
  }
  return text;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    absl::string_view flag, const std::string& ca_file) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  absl::StatusOr<std::string> pem = ReadFlagFile(flag, ca_file);
  if (!pem.ok()) return pem.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = *std::move(pem);
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::unique_ptr<Peer>> Peer::Create(PeerOptions options,
                                                   const Clock* clock) {
  if (options.name.empty() || options.address.empty()) {
    return absl::InvalidArgumentError(
        "a peer needs a name and an address (host:port)");
  }
  if (options.breaker_failures < 1 ||
      options.breaker_open_for < absl::ZeroDuration() ||
      options.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "peer ", options.name,
        ": the deadline must be positive, breaker_failures at least 1 and "
        "breaker_open_for not negative"));
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      ChannelCredentialsFor(absl::StrCat(options.name, "_ca_file"),
                            options.ca_file);
  if (!creds.ok()) return creds.status();
  // gRPC's reconnect backoff grows to two minutes by default: a peer back
  // after a long outage would stay unreachable that long after it answers
  // again. Cap it near the breaker's own period.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.address, *creds, args);
  return std::unique_ptr<Peer>(
      new Peer(std::move(options), clock, std::move(channel)));
}

absl::StatusOr<std::unique_ptr<Peer>> PeerFromFlags(
    PeerOptions options, const std::string& token_file) {
  if (options.address.empty()) return std::unique_ptr<Peer>();
  absl::StatusOr<std::string> token = auth::ReadTokenFile(token_file);
  if (!token.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--service_token_file (needed by --", options.name,
                     "_address): ", token.status().message()));
  }
  options.token = *std::move(token);
  return Peer::Create(std::move(options));
}

Peer::Peer(PeerOptions options, const Clock* clock,
           std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      clock_(clock),
      channel_(std::move(channel)) {}

void Peer::Configure(grpc::ClientContext* context) const {
  if (!options_.token.empty()) auth::AttachToken(context, options_.token);
}

bool Peer::open() const {
  absl::MutexLock lock(&mu_);
  return clock_->Now() < open_until_ || trial_;
}

absl::Status Peer::Admit() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  if (failures_ < options_.breaker_failures) return absl::OkStatus();
  if (now >= open_until_ && !trial_) {
    trial_ = true;  // half-open: this call is the trial
    return absl::OkStatus();
  }
  const absl::Duration wait = trial_ ? absl::ZeroDuration() : open_until_ - now;
  return WithErrorInfo(
      absl::UnavailableError(absl::StrCat(
          options_.name, " is unreachable: its last ", failures_,
          " calls failed; calls are refused without trying until it answers "
          "again")),
      kReasonPeerUnavailable,
      {{"peer", options_.name},
       {"retry_after_ms", absl::StrCat(absl::ToInt64Milliseconds(wait))}});
}

void Peer::Record(bool transport_failure) {
  absl::MutexLock lock(&mu_);
  trial_ = false;
  if (!transport_failure) {
    failures_ = 0;
    open_until_ = absl::InfinitePast();
    return;
  }
  ++failures_;
  if (failures_ >= options_.breaker_failures) {
    open_until_ = clock_->Now() + options_.breaker_open_for;
  }
}

absl::Status Peer::Call(
    const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
  if (absl::Status admitted = Admit(); !admitted.ok()) return admitted;
  grpc::ClientContext context;
  Configure(&context);
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options_.deadline));
  const grpc::Status status = rpc(&context);
  const bool transport_failure =
      status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  Record(transport_failure);
  if (status.ok()) return absl::OkStatus();
  if (transport_failure) {
    // Name the peer: a caller's client sees which deployment failed. The
    // code stays UNAVAILABLE either way: to the caller, a peer that does
    // not answer in time is unavailable.
    return WithErrorInfo(
        absl::UnavailableError(absl::StrCat(
            options_.name, " did not answer: ", status.error_message())),
        kReasonPeerUnavailable, {{"peer", options_.name}});
  }
  return FromGrpcStatus(status);
}

absl::StatusOr<FeedFollower> FollowFeedImpl(
    PeerOptions peer_options, const std::string& token_file, redis::Pool& store,
    feed::ConsumerOptions options,
    feed::StreamFactory (*stream_of)(const Peer&)) {
  FeedFollower out;
  const std::string name = peer_options.name;
  const std::string address = peer_options.address;
  absl::StatusOr<std::unique_ptr<Peer>> peer =
      PeerFromFlags(std::move(peer_options), token_file);
  if (!peer.ok()) return peer.status();
  if (*peer == nullptr) return out;
  out.peer = *std::move(peer);
  options.stream = stream_of(*out.peer);
  options.configure_context = [p = out.peer.get()](grpc::ClientContext* c) {
    p->Configure(c);
  };
  out.consumer = std::make_unique<feed::Consumer>(store, std::move(options));
  out.consumer->Start();
  log::Info("feed_followed", {{"peer", name}, {"upstream", address}});
  return out;
}

}  // namespace ks::client
