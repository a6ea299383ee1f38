#include "common/auth/authenticator.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth_test_util.h"
#include "common/auth/client.h"
#include "common/auth/token_file.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"

namespace ks::auth {
namespace {

using ::ks::auth::testing::ErrorInfoOf;
using ::ks::auth::testing::ReadFile;
using ::ks::auth::testing::ScopedTempDir;
using ::ks::auth::testing::WriteFile;

// Client metadata as gRPC hands it to a server: string_refs into storage
// that outlives the map.
class Metadata {
 public:
  Metadata(std::initializer_list<std::pair<std::string, std::string>> kv)
      : storage_(kv) {
    for (const auto& [k, v] : storage_) map_.emplace(k, v);
  }
  const std::multimap<grpc::string_ref, grpc::string_ref>& map() const {
    return map_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> storage_;
  std::multimap<grpc::string_ref, grpc::string_ref> map_;
};

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("tokens.tsv");
    jaksa_ = Mint({"jaksa-6401-01", "kejari-64.01", Role::JAKSA, {"64.01"}});
    jaksa_6402_ =
        Mint({"jaksa-6402-01", "kejari-64.02", Role::JAKSA, {"64.02"}});
    kejati_ = Mint({"jaksa-kejati-64", "kejati-64", Role::JAKSA, {"64"}});
    pk_ =
        Mint({"pk-samarinda-01", "bapas-samarinda", Role::PK_BAPAS, {"64.01"}});
    viewer_ = Mint({"viewer", "kejagung", Role::NATIONAL_VIEWER, {"*"}});
    admin_ = Mint({"admin-6401", "kejari-64.01", Role::ADMIN, {"64.01"}});
    auto auth = Authenticator::Create(path_);
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = *std::move(auth);
  }

  std::string Mint(const Principal& p) {
    absl::StatusOr<std::string> token = MintToken(path_, p);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  Principal Who(const std::string& token) {
    Metadata md{{"authorization", "Bearer " + token}};
    absl::StatusOr<Principal> p = auth_->Authenticate(md.map());
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : Principal{};
  }

  ScopedTempDir dir_;
  std::string path_;
  std::string jaksa_, jaksa_6402_, kejati_, pk_, viewer_, admin_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, MintedTokenAuthenticatesAsItsPrincipal) {
  Metadata md{{"user-agent", "x"}, {"authorization", "Bearer " + jaksa_}};
  absl::StatusOr<Principal> p = auth_->Authenticate(md.map());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, "jaksa-6401-01");
  EXPECT_EQ(p->agency, "kejari-64.01");
  EXPECT_EQ(p->role, Role::JAKSA);
  EXPECT_EQ(p->regencies, std::vector<std::string>{"64.01"});
  EXPECT_EQ(auth_->size(), 6u);
  // RFC 6750: the scheme name is case-insensitive.
  Metadata lower{{"authorization", "bearer " + pk_}};
  absl::StatusOr<Principal> q = auth_->Authenticate(lower.map());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->id, "pk-samarinda-01");
}

TEST_F(AuthenticatorTest, MissingHeaderIsUnauthenticatedTokenMissing) {
  Metadata md{{"user-agent", "x"}};
  absl::StatusOr<Principal> p = auth_->Authenticate(md.map());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(p.status().message(),
            "missing 'authorization: Bearer <token>' metadata");
  EXPECT_EQ(ErrorInfoOf(p.status()).reason(), "TOKEN_MISSING");
  EXPECT_EQ(ErrorInfoOf(p.status()).domain(), "kerjasosial.id");
}

TEST_F(AuthenticatorTest, MalformedHeaderIsUnauthenticatedTokenMalformed) {
  for (const std::string& value :
       {std::string("Basic dXNlcjpwYXNz"), std::string("Bearer"),
        std::string("Bearer "), std::string("Bearer  ") + jaksa_,
        "Bearer " + jaksa_ + " extra", jaksa_,
        std::string("Bearer\t") + jaksa_}) {
    Metadata md{{"authorization", value}};
    absl::StatusOr<Principal> p = auth_->Authenticate(md.map());
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << value;
    EXPECT_EQ(ErrorInfoOf(p.status()).reason(), "TOKEN_MALFORMED") << value;
    EXPECT_FALSE(absl::StrContains(p.status().message(), jaksa_));
  }
  Metadata twice{{"authorization", "Bearer " + jaksa_},
                 {"authorization", "Bearer " + pk_}};
  absl::StatusOr<Principal> p = auth_->Authenticate(twice.map());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(p.status().message(),
            "more than one 'authorization' metadata entry");
  EXPECT_EQ(ErrorInfoOf(p.status()).reason(), "TOKEN_MALFORMED");
}

TEST_F(AuthenticatorTest, UnknownTokenIsUnauthenticatedWithoutEchoingIt) {
  std::string forged = jaksa_;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  Metadata md{{"authorization", "Bearer " + forged}};
  absl::StatusOr<Principal> p = auth_->Authenticate(md.map());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(p.status().message(), "unknown or revoked token");
  EXPECT_EQ(ErrorInfoOf(p.status()).reason(), "TOKEN_UNKNOWN");
  // The stored hash itself is not a token.
  Metadata hash{{"authorization", "Bearer " + HashToken(jaksa_)}};
  EXPECT_EQ(ErrorInfoOf(auth_->Authenticate(hash.map()).status()).reason(),
            "TOKEN_UNKNOWN");
}

TEST_F(AuthenticatorTest, TokenFileHoldsNoPlaintextToken) {
  std::string contents = ReadFile(path_);
  for (const std::string& token :
       {jaksa_, jaksa_6402_, kejati_, pk_, viewer_, admin_}) {
    EXPECT_FALSE(absl::StrContains(contents, token));
    EXPECT_FALSE(absl::StrContains(contents, token.substr(3)));
    EXPECT_TRUE(absl::StrContains(contents, HashToken(token)));
  }
}

TEST_F(AuthenticatorTest, WrongRoleIsPermissionDeniedRoleRequired) {
  absl::Status s = Require(Who(pk_), {Role::JAKSA}, "64.01");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "role JAKSA or ADMIN required; caller has PK_BAPAS");
  google::rpc::ErrorInfo info = ErrorInfoOf(s);
  EXPECT_EQ(info.reason(), "ROLE_REQUIRED");
  EXPECT_EQ(info.domain(), "kerjasosial.id");
  EXPECT_EQ(info.metadata().at("required_roles"), "JAKSA,ADMIN");
  EXPECT_EQ(info.metadata().at("caller_role"), "PK_BAPAS");
  EXPECT_EQ(info.metadata().at("principal"), "pk-samarinda-01");

  absl::Status several =
      Require(Who(pk_), {Role::JAKSA, Role::PEMDA_OFFICER, Role::ADMIN});
  EXPECT_EQ(several.message(),
            "role JAKSA, PEMDA_OFFICER or ADMIN required; caller has PK_BAPAS");
  EXPECT_EQ(ErrorInfoOf(several).metadata().at("required_roles"),
            "JAKSA,PEMDA_OFFICER,ADMIN");
}

TEST_F(AuthenticatorTest, OutOfScopeRegencyIsPermissionDeniedNamingIt) {
  absl::Status s = Require(Who(jaksa_6402_), {Role::JAKSA}, "64.01");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "principal jaksa-6402-01 (kejari-64.02, scope 64.02) may not act "
            "in regency 64.01");
  google::rpc::ErrorInfo info = ErrorInfoOf(s);
  EXPECT_EQ(info.reason(), "REGENCY_OUT_OF_SCOPE");
  EXPECT_EQ(info.metadata().at("regency"), "64.01");
  EXPECT_EQ(info.metadata().at("scope"), "64.02");
  EXPECT_EQ(info.metadata().at("principal"), "jaksa-6402-01");
  EXPECT_TRUE(Require(Who(jaksa_6402_), {Role::JAKSA}, "64.02").ok());
}

TEST_F(AuthenticatorTest, ProvinceScopeCoversItsRegenciesNotOthers) {
  Principal kejati = Who(kejati_);
  EXPECT_TRUE(Require(kejati, {Role::JAKSA}, "64.01").ok());
  EXPECT_TRUE(Require(kejati, {Role::JAKSA}, "64.72").ok());
  absl::Status other = Require(kejati, {Role::JAKSA}, "65.01");
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorInfoOf(other).reason(), "REGENCY_OUT_OF_SCOPE");
}

TEST_F(AuthenticatorTest, NationalScopeCoversEveryRegency) {
  Principal viewer = Who(viewer_);
  for (const char* code : {"64.01", "65.01", "11.01", "96.01"}) {
    EXPECT_TRUE(Require(viewer, {Role::NATIONAL_VIEWER}, code).ok()) << code;
  }
}

TEST_F(AuthenticatorTest, AdminPassesRoleChecksButStaysInItsScope) {
  Principal admin = Who(admin_);
  EXPECT_TRUE(Require(admin, {Role::JAKSA}, "64.01").ok());
  EXPECT_TRUE(Require(admin, {Role::PK_BAPAS, Role::SERVICE}).ok());
  absl::Status s = Require(admin, {Role::JAKSA}, "64.02");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorInfoOf(s).reason(), "REGENCY_OUT_OF_SCOPE");
}

TEST_F(AuthenticatorTest, EmptyRoleListAdmitsAnyRoleAndEmptyRegencySkipsScope) {
  EXPECT_TRUE(Require(Who(pk_), {}).ok());
  EXPECT_TRUE(Require(Who(jaksa_6402_), {Role::JAKSA}).ok());
}

TEST_F(AuthenticatorTest, ReloadPicksUpMintedAndRevokedTokens) {
  std::string fresh =
      Mint({"pemda-6401-01", "pemkab-64.01", Role::PEMDA_OFFICER, {"64.01"}});
  Metadata fresh_md{{"authorization", "Bearer " + fresh}};
  EXPECT_EQ(ErrorInfoOf(auth_->Authenticate(fresh_md.map()).status()).reason(),
            "TOKEN_UNKNOWN");
  ASSERT_TRUE(auth_->Reload().ok());
  EXPECT_EQ(Who(fresh).id, "pemda-6401-01");

  ASSERT_TRUE(RevokeTokens(path_, "jaksa-6401-01").ok());
  ASSERT_TRUE(auth_->Reload().ok());
  Metadata revoked{{"authorization", "Bearer " + jaksa_}};
  absl::StatusOr<Principal> p = auth_->Authenticate(revoked.map());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorInfoOf(p.status()).reason(), "TOKEN_UNKNOWN");
  EXPECT_EQ(auth_->size(), 6u);
}

TEST_F(AuthenticatorTest, FailedReloadKeepsThePreviousTable) {
  std::string contents = ReadFile(path_);
  WriteFile(path_, contents + "not a token line\n");
  absl::Status s = auth_->Reload();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), path_ + ":12: ")) << s;
  EXPECT_EQ(Who(jaksa_).id, "jaksa-6401-01");
  EXPECT_EQ(auth_->size(), 6u);
}

TEST(AuthenticatorCreateTest, BadOrMissingFileRefusesToStart) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  WriteFile(path,
            absl::StrCat("# ok\n", std::string(64, 'a'),
                         "\tid\tagency\tJAKSA\t64.01\n", std::string(64, 'b'),
                         "\tid2\tagency\tJAKSA\t64.01.02\n"));
  auto auth = Authenticator::Create(path);
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      auth.status().message(),
      absl::StrCat(path,
                   ":3: bad regency scope entry '64.01.02'; expected a "
                   "regency code PP.RR (64.01), a province PP (64) or *"));
  EXPECT_EQ(Authenticator::Create(dir.File("absent")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AuthenticatorTest, ConcurrentAuthenticateDuringReloadAlwaysSucceeds) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Metadata md{{"authorization", "Bearer " + viewer_}};
      for (int i = 0; i < 300; ++i) {
        if (!auth_->Authenticate(md.map()).ok()) ++failures;
      }
    });
  }
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(auth_->Reload().ok());
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// A real gRPC server whose one generic method calls Authorize({JAKSA},
// "64.01") on the CallbackServerContext and answers the principal's id.
class AuthorizingService : public grpc::CallbackGenericService {
 public:
  explicit AuthorizingService(const Authenticator* auth) : auth_(auth) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override {
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      Reactor(const Authenticator* auth,
              grpc::GenericCallbackServerContext* ctx) {
        absl::StatusOr<Principal> who =
            auth->Authorize(*ctx, {Role::JAKSA}, "64.01");
        if (!who.ok()) {
          Finish(ToGrpcStatus(who.status()));
          return;
        }
        grpc::Slice slice(who->id);
        response_ = grpc::ByteBuffer(&slice, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer response_;
    };
    return new Reactor(auth_, ctx);
  }

 private:
  const Authenticator* auth_;
};

class AuthorizeOverGrpcTest : public AuthenticatorTest {
 protected:
  void SetUp() override {
    AuthenticatorTest::SetUp();
    service_ = std::make_unique<AuthorizingService>(auth_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterCallbackGenericService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Calls the method with `token` (none if empty); returns the status and
  // the response text.
  std::pair<grpc::Status, std::string> Call(const std::string& token) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext ctx;
    if (!token.empty()) AttachToken(&ctx, token);
    // A default ByteBuffer is no message at all; send an empty one.
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1), response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub.UnaryCall(&ctx, "/kerjasosial.test.Auth/Check", grpc::StubOptions(),
                   &request, &response, [&](grpc::Status s) {
                     std::lock_guard<std::mutex> lock(mu);
                     status = std::move(s);
                     done = true;
                     cv.notify_one();
                   });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    std::string body;
    if (status.ok()) {
      std::vector<grpc::Slice> slices;
      EXPECT_TRUE(response.Dump(&slices).ok());
      for (const auto& s : slices) {
        body.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    return {status, body};
  }

  std::unique_ptr<AuthorizingService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AuthorizeOverGrpcTest, AttachedTokenOfTheRightRoleAndRegencyPasses) {
  auto [status, body] = Call(jaksa_);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(body, "jaksa-6401-01");
  auto [kejati_status, kejati_body] = Call(kejati_);
  ASSERT_TRUE(kejati_status.ok()) << kejati_status.error_message();
  EXPECT_EQ(kejati_body, "jaksa-kejati-64");
}

TEST_F(AuthorizeOverGrpcTest, NoTokenIsUnauthenticated) {
  auto [status, body] = Call("");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetDetail(status, &info));
  EXPECT_EQ(info.reason(), "TOKEN_MISSING");
}

TEST_F(AuthorizeOverGrpcTest, DenialsArriveWithTheirErrorInfo) {
  auto [role_status, role_body] = Call(pk_);
  EXPECT_EQ(role_status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(role_status.error_message(),
            "role JAKSA or ADMIN required; caller has PK_BAPAS");
  google::rpc::ErrorInfo role_info;
  ASSERT_TRUE(GetDetail(role_status, &role_info));
  EXPECT_EQ(role_info.reason(), "ROLE_REQUIRED");

  auto [scope_status, scope_body] = Call(jaksa_6402_);
  EXPECT_EQ(scope_status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  google::rpc::ErrorInfo scope_info;
  ASSERT_TRUE(GetDetail(scope_status, &scope_info));
  EXPECT_EQ(scope_info.reason(), "REGENCY_OUT_OF_SCOPE");
  EXPECT_EQ(scope_info.metadata().at("regency"), "64.01");
}

}  // namespace
}  // namespace ks::auth
