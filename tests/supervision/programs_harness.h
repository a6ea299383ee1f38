// The harness of the programs part's tests: a real redis-server, the real
// ProgramsHandlers behind a real gRPC server (the Supervision service's
// programs rpcs through WithPrograms, plus StreamEvents over the outbox
// feed), and a token per role. Part 1's assignment facts and work sessions
// are the one thing stood in for: maps the test fills with what the
// assignment and hours stores would give (an ACTIVE assignment, its PK,
// child or adult, the placement's regency; the case's sessions).
// programs_binary_test runs the same handlers on part 1's real stores.
#ifndef KS_TESTS_SUPERVISION_PROGRAMS_HARNESS_H_
#define KS_TESTS_SUPERVISION_PROGRAMS_HARNESS_H_

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/authenticator.h"
#include "common/auth/token_file.h"
#include "common/feed/feed_server.h"
#include "common/ids/id.h"
#include "common/policy/policy.h"
#include "common/status/grpc_status.h"
#include "common/testing/redis_fixture.h"
#include "common/testing/service_binary.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/supervision/programs/programs_service.h"

namespace ks::supervision::programs::testing {

namespace v1 = ::kerjasosial::supervision::v1;

inline constexpr char kRegency[] = "64.01";
inline constexpr char kParent[] = "regencies/64.01";
inline constexpr char kAdultCase[] = "regencies/64.01/cases/c-adult";
inline constexpr char kChildCase[] = "regencies/64.01/cases/c-child";
inline constexpr char kEndedCase[] = "regencies/64.01/cases/c-ended";
inline constexpr char kSite[] = "regencies/64.01/sites/s-pasar";
// Personal data the privacy test looks for everywhere it must not be.
inline constexpr char kPersonName[] = "Rahmat Hidayat Testperson";
inline constexpr char kNotesMarker[] = "CATATAN-RAHASIA-PK";

// The Supervision service with only the programs part (and the feed).
class ProgramsOnlyService final
    : public WithPrograms<v1::Supervision::CallbackService> {
 public:
  ProgramsOnlyService(ProgramsHandlers& handlers, feed::FeedServer& feed,
                      const auth::Authenticator& auth)
      : handlers_(handlers), feed_(feed), auth_(auth) {}

  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    absl::StatusOr<auth::Principal> who =
        auth_.Authorize(*context, {auth::Role::SERVICE});
    if (!who.ok()) return feed::FinishedStream(ToGrpcStatus(who.status()));
    return feed_.Stream(context, request, *who);
  }

 protected:
  ProgramsHandlers& programs() override { return handlers_; }

 private:
  ProgramsHandlers& handlers_;
  feed::FeedServer& feed_;
  const auth::Authenticator& auth_;
};

class ProgramsHarness : public ks::testing::RedisFixture {
 protected:
  ProgramsHarness() : RedisFixture("ks:{supervision}:", "supervision-test") {}

  void SetUp() override {
    RedisFixture::SetUp();
    dir_ = ::testing::TempDir() + "ks_programs_" + std::to_string(getpid()) +
           "_" + ids::NewId();
    std::filesystem::create_directories(dir_);
    const std::string tokens = dir_ + "/tokens.tsv";
    pk_ = Mint(tokens,
               {"pk-1", "bapas-samarinda", auth::Role::PK_BAPAS, {"64.01"}});
    other_pk_ = Mint(
        tokens, {"pk-9", "bapas-balikpapan", auth::Role::PK_BAPAS, {"64.71"}});
    jaksa_ =
        Mint(tokens, {"jaksa-1", "kejari-64.01", auth::Role::JAKSA, {"64.01"}});
    pemda_ =
        Mint(tokens,
             {"pemda-1", "pemkab-64.01", auth::Role::PEMDA_OFFICER, {"64.01"}});
    supervisor_ =
        Mint(tokens,
             {"sup-1", "pasar-64.01", auth::Role::SITE_SUPERVISOR, {"64.01"}});
    national_ =
        Mint(tokens, {"nat-1", "bappenas", auth::Role::NATIONAL_VIEWER, {"*"}});
    service_token_ =
        Mint(tokens, {"reporting", "reporting", auth::Role::SERVICE, {"*"}});
    absl::StatusOr<std::unique_ptr<auth::Authenticator>> a =
        auth::Authenticator::Create(tokens);
    ASSERT_TRUE(a.ok()) << a.status();
    auth_ = *std::move(a);

    facts_[kAdultCase] = CaseFacts{true, false, "pk-1", "64.01"};
    facts_[kChildCase] = CaseFacts{true, true, "pk-1", "64.01"};
    facts_[kEndedCase] = CaseFacts{false, false, "pk-1", "64.01"};
    ProgramsOptions options(*policy::PolicySet::Default());
    options.policy = *policy::PolicySet::Default();
    options.case_facts =
        [this](const std::string& name) -> absl::StatusOr<CaseFacts> {
      absl::MutexLock lock(&mu_);
      auto it = facts_.find(name);
      if (it == facts_.end()) return absl::NotFoundError("no assignment");
      return it->second;
    };
    options.case_sessions = [this](const std::string& name)
        -> absl::StatusOr<std::vector<v1::WorkSession>> {
      absl::MutexLock lock(&mu_);
      return sessions_[name];
    };
    options.site_staff = [](const std::string& site) {
      return site == kSite ? std::vector<std::string>{"sup-1"}
                           : std::vector<std::string>{};
    };
    handlers_ = std::make_unique<ProgramsHandlers>(*auth_, writer(), pool(),
                                                   std::move(options));
    feed::FeedServerOptions feed_options;
    feed_options.stream_key = writer().StreamKey();
    feed_options.source = "supervision-test";
    feed_ = std::make_unique<feed::FeedServer>(pool(), feed_options);
    service_ =
        std::make_unique<ProgramsOnlyService>(*handlers_, *feed_, *auth_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::Supervision::NewStub(channel_);
  }

  void TearDown() override {
    if (feed_) feed_->StopStreams();
    if (server_) server_->Shutdown();
    feed_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static std::string Mint(const std::string& file, auth::Principal p) {
    return ks::testing::MintFor(file, p);
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return ks::testing::CallContext(token, absl::Seconds(20));
  }

  static std::string Reason(const grpc::Status& s) {
    google::rpc::ErrorInfo info;
    return GetDetail(s, &info) ? info.reason() : "";
  }
  static std::vector<std::string> BadFields(const grpc::Status& s) {
    google::rpc::BadRequest bad;
    std::vector<std::string> out;
    if (GetDetail(s, &bad)) {
      for (const auto& v : bad.field_violations()) out.push_back(v.field());
    }
    return out;
  }

  static google::protobuf::Timestamp Ago(absl::Duration d) {
    google::protobuf::Timestamp t;
    t.set_seconds(absl::ToUnixSeconds(absl::Now() - d));
    return t;
  }
  static google::type::Date Date(int y, int m, int d) {
    google::type::Date out;
    out.set_year(y);
    out.set_month(m);
    out.set_day(d);
    return out;
  }

  // --- Building blocks every test uses (each asserts success). ---

  v1::PartnerProgram MakeProgram(const std::string& title, int capacity,
                                 bool certifies = false,
                                 bool children = false) {
    v1::CreatePartnerProgramRequest req;
    req.set_parent(kParent);
    req.set_request_id(ids::NewId());
    v1::PartnerProgram* p = req.mutable_partner_program();
    p->set_title(title);
    p->set_category(v1::PROGRAM_CATEGORY_AGRIBUSINESS);
    p->set_partner_name("Dinas Peternakan Kabupaten Paser");
    p->set_partner_kind(v1::PARTNER_KIND_LIVESTOCK_OFFICE);
    p->set_capacity(capacity);
    p->set_certifies_completion(certifies);
    p->set_accepts_children(children);
    v1::PartnerProgram out;
    grpc::Status s = stub_->CreatePartnerProgram(Ctx(pk_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::CreateReferralRequest ReferralRequest(const std::string& program,
                                            const std::string& case_name,
                                            const std::string& client = "") {
    v1::CreateReferralRequest req;
    req.set_parent(kParent);
    req.set_request_id(ids::NewId());
    req.mutable_referral()->set_case_name(case_name);
    req.mutable_referral()->set_client(client);
    req.mutable_referral()->set_program(program);
    return req;
  }

  v1::GuidanceSession MakeGuidance(const std::string& case_name,
                                   v1::GuidanceMode mode,
                                   const std::string& client = "") {
    v1::CreateGuidanceSessionRequest req;
    req.set_parent(kParent);
    req.set_request_id(ids::NewId());
    v1::GuidanceSession* g = req.mutable_guidance_session();
    g->set_case_name(case_name);
    g->set_client(client);
    *g->mutable_interval()->mutable_start_time() = Ago(absl::Hours(3));
    *g->mutable_interval()->mutable_end_time() = Ago(absl::Hours(2));
    g->set_mode(mode);
    g->add_topics(v1::GUIDANCE_TOPIC_WORK_PROGRESS);
    g->set_attended(true);
    g->mutable_notes()->set_number(
        absl::StrCat(kNotesMarker, " ", kPersonName));
    g->mutable_notes()->set_uri(
        absl::StrCat("dms://bapas/notes/", kNotesMarker));
    v1::GuidanceSession out;
    grpc::Status s = stub_->CreateGuidanceSession(Ctx(pk_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Every event of the feed stream, in order.
  std::vector<kerjasosial::common::v1::Event> FeedEvents() {
    std::vector<kerjasosial::common::v1::Event> out;
    absl::StatusOr<redis::Reply> r =
        pool().Command({"XRANGE", writer().StreamKey(), "-", "+"});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return out;
    for (const redis::Reply& entry : r->elements) {
      if (entry.elements.size() < 2) continue;
      const redis::Reply& fields = entry.elements[1];
      for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
        if (fields.elements[i].str != "event") continue;
        kerjasosial::common::v1::Event e;
        EXPECT_TRUE(e.ParseFromString(fields.elements[i + 1].str));
        out.push_back(std::move(e));
      }
    }
    return out;
  }

  absl::Mutex mu_;
  std::map<std::string, CaseFacts> facts_ ABSL_GUARDED_BY(mu_);
  // Part 1's work sessions of a case, as the hours store would give them.
  std::map<std::string, std::vector<v1::WorkSession>> sessions_
      ABSL_GUARDED_BY(mu_);
  std::string dir_, pk_, other_pk_, jaksa_, pemda_, supervisor_, national_,
      service_token_;
  int port_ = 0;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<ProgramsHandlers> handlers_;
  std::unique_ptr<feed::FeedServer> feed_;
  std::unique_ptr<ProgramsOnlyService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Supervision::Stub> stub_;
};

}  // namespace ks::supervision::programs::testing

#endif  // KS_TESTS_SUPERVISION_PROGRAMS_HARNESS_H_
