// Test harness for the placements service end to end: the real
// kerjasosial-placements binary over its own real redis-server, answering
// its case checks from a REAL kerjasosial-cases process (started by the
// cases harness, tests/cases/cases_harness.h, reused as is), tokens minted
// into the placements deployment's own token file, and builders of valid
// requests (an agreement in force, activity types, sites in regency 64.01,
// Kalimantan Timur, WITA).
//
// Not thread-safe except the stub, which gRPC makes thread-safe.
#ifndef KS_TESTS_PLACEMENTS_PLACEMENTS_HARNESS_H_
#define KS_TESTS_PLACEMENTS_PLACEMENTS_HARNESS_H_

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/service_binary.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"
#include "tests/cases/cases_harness.h"

namespace ks::placements::testing {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;
namespace casev1 = ::kerjasosial::cases::v1;
using ::ks::cases::testing::CasesEnvironment;
using ::ks::cases::testing::DateOf;
using ::ks::cases::testing::NewRequestId;
using ::ks::cases::testing::Today;

inline constexpr char kPrefix[] = "ks:{placements}:";

class PlacementsEnvironment {
 public:
  // Starts cases (its redis and binary), the placements redis and binary
  // (with `extra_args` after the harness's own flags). `follow_supervision`:
  // placements follows the supervision feed the cases harness serves
  // (CasesEnvironment::PublishSupervision), with the same SERVICE token.
  void Start(absl::Duration cases_deadline = absl::Milliseconds(500),
             const std::vector<std::string>& extra_args = {},
             bool follow_supervision = false) {
    cases_.Start(/*with_feed=*/false);
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_TRUE(redis_.Start().ok());
    token_file_ = cases_.dir_ + "/placements-tokens.tsv";
    officer_ = Mint("pemda-6401", "pemkab-64.01", auth::Role::PEMDA_OFFICER,
                    {"64.01"});
    other_officer_ = Mint("pemda-7101", "pemkot-71.01",
                          auth::Role::PEMDA_OFFICER, {"71.01"});
    jaksa_ = Mint("jaksa-6401", "kejari-64.01", auth::Role::JAKSA, {"64.01"});
    pk_ = Mint("pk-bpp-01", cases::testing::kBapasOffice, auth::Role::PK_BAPAS,
               {"64"});
    other_pk_ =
        Mint("pk-smd-01", "bapas-samarinda", auth::Role::PK_BAPAS, {"64"});
    supervisor_ = Mint("spv-taman-01", "pemkab-64.01",
                       auth::Role::SITE_SUPERVISOR, {"64.01"});
    // A follower of this feed (supervision, reporting): StreamEvents.
    service_ = Mint("svc-supervision", cases::testing::kBapasOffice,
                    auth::Role::SERVICE, {"*"});
    port_ = ks::testing::PickFreePort();
    args_ = {absl::StrCat("--listen=127.0.0.1:", port_),
             "--metrics_listen=127.0.0.1:0",
             "--token_file=" + token_file_,
             absl::StrCat("--redis_port=", redis_.port()),
             "--deployment_id=placements-e2e",
             "--shutdown_grace=2s",
             absl::StrCat("--cases_address=127.0.0.1:", cases_.cases_port_),
             "--service_token_file=" + cases_.service_token_file_,
             absl::StrCat("--cases_deadline=",
                          absl::ToInt64Milliseconds(cases_deadline), "ms"),
             "--cases_breaker_failures=2",
             "--cases_breaker_open_for=30s"};
    if (follow_supervision) {
      args_.push_back(absl::StrCat("--supervision_address=127.0.0.1:",
                                   cases_.supervision_port_));
    }
    args_.insert(args_.end(), extra_args.begin(), extra_args.end());
    StartBinary();
    redis::Options own;
    own.port = redis_.port();
    pool_ = std::make_unique<redis::Pool>(own);
  }

  void StartBinary() {
    binary_ = std::make_unique<ks::testing::Process>(KS_BIN_PLACEMENTS, args_);
    ASSERT_TRUE(binary_->Start().ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                   grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel_->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(20)))
        << binary_->ReadLog();
    stub_ = pv1::Placements::NewStub(channel_);
  }

  void Stop() {
    if (binary_ && binary_->running()) {
      binary_->Signal(SIGTERM, absl::Seconds(10));
    }
    cases_.Stop();
  }

  std::string Mint(const std::string& id, const std::string& agency,
                   auth::Role role, std::vector<std::string> regencies) {
    return ks::testing::MintFor(token_file_, id, agency, role,
                                std::move(regencies));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return CasesEnvironment::Ctx(token);
  }

  // A case of 64.01 handed over to kBapasOffice in the real cases service.
  std::string HandedOverCase() {
    casev1::Case c = cases_.CreateCase(cases::testing::AdultCase(
        absl::StrCat(++cases_made_, "/Pid.C/2026/PN Tgt")));
    c = cases_.Order(c);
    c = cases_.HandOver(c);
    return c.name();
  }

  // An IN_FORCE agreement of 64.01 (two years from today).
  pv1::CooperationAgreement AgreementInForce() {
    pv1::CreateCooperationAgreementRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(NewRequestId());
    // In force since two months: last month's report is owed.
    *req.mutable_agreement() = AgreementInput(Today() - 60);
    pv1::CooperationAgreement a;
    grpc::Status s =
        stub_->CreateCooperationAgreement(Ctx(officer_).get(), req, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();
    pv1::ActivateCooperationAgreementRequest act;
    act.set_name(a.name());
    act.set_etag(a.etag());
    act.set_request_id(NewRequestId());
    s = stub_->ActivateCooperationAgreement(Ctx(officer_).get(), act, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(a.state(), pv1::AGREEMENT_STATE_IN_FORCE);
    return a;
  }

  pv1::CooperationAgreement AgreementInput(absl::CivilDay effective) {
    pv1::CooperationAgreement a;
    a.set_agreement_number(absl::StrCat("PKS/", ++agreements_made_, "/2026"));
    a.set_title("Pelaksanaan pidana kerja sosial di Kabupaten Paser");
    a.set_level(pv1::AGREEMENT_LEVEL_REGENCY);
    auto* p1 = a.add_parties();
    p1->set_agency(cv1::AGENCY_PEMDA);
    p1->set_office_name("Pemerintah Kabupaten Paser");
    auto* p2 = a.add_parties();
    p2->set_agency(cv1::AGENCY_KEJAKSAAN);
    p2->set_office_name("Kejaksaan Negeri Paser");
    *a.mutable_signed_date() = DateOf(effective);
    *a.mutable_effective_date() = DateOf(effective);
    *a.mutable_expiry_date() = DateOf(effective + 700);
    return a;
  }

  pv1::ActivityType Activity(bool children = false) {
    pv1::CreateActivityTypeRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(NewRequestId());
    pv1::ActivityType* t = req.mutable_activity_type();
    t->set_display_name("Kebersihan taman kota");
    t->set_category(pv1::ACTIVITY_CATEGORY_PUBLIC_FACILITIES);
    t->set_non_commercial_attested(true);
    t->set_non_degrading_attested(true);
    t->set_suitable_for_children(children);
    pv1::ActivityType out;
    grpc::Status s = stub_->CreateActivityType(Ctx(officer_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Monday to Friday 08:00-12:00, WITA.
  static cv1::WeeklySchedule Weekdays(int start = 8 * 60, int end = 12 * 60) {
    cv1::WeeklySchedule w;
    for (int d = cv1::WEEKDAY_MONDAY; d <= cv1::WEEKDAY_FRIDAY; ++d) {
      auto* slot = w.add_slots();
      slot->set_weekday(static_cast<cv1::Weekday>(d));
      slot->set_start_minute(start);
      slot->set_end_minute(end);
    }
    return w;
  }

  pv1::CreateSiteRequest SiteRequest(const pv1::CooperationAgreement& a,
                                     const pv1::ActivityType& t, int capacity) {
    pv1::CreateSiteRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(NewRequestId());
    pv1::Site* s = req.mutable_site();
    s->set_display_name("Taman Kota Tanah Grogot");
    s->set_agreement(a.name());
    s->set_host_kind(pv1::HOST_KIND_PUBLIC_SPACE);
    s->set_address("Jl. Jenderal Sudirman, Tanah Grogot");
    s->set_latitude(-1.91);
    s->set_longitude(116.19);
    auto* act = s->add_activities();
    act->set_activity_type(t.name());
    act->set_non_commercial_attested(true);
    act->set_non_degrading_attested(true);
    s->set_capacity(capacity);
    *s->mutable_schedule() = Weekdays(7 * 60, 15 * 60);
    s->add_staff()->set_principal_id("spv-taman-01");
    return req;
  }

  pv1::Site Site(const pv1::CooperationAgreement& a, const pv1::ActivityType& t,
                 int capacity) {
    pv1::Site out;
    grpc::Status s = stub_->CreateSite(Ctx(officer_).get(),
                                       SiteRequest(a, t, capacity), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static pv1::Placement PlacementInput(const std::string& case_name,
                                       const pv1::Site& site,
                                       const pv1::ActivityType& t) {
    pv1::Placement p;
    p.set_case_name(case_name);
    p.set_site(site.name());
    p.set_activity_type(t.name());
    *p.mutable_period()->mutable_start_date() = DateOf(Today());
    *p.mutable_period()->mutable_end_date() = DateOf(Today() + 60);
    *p.mutable_schedule() = Weekdays();
    return p;
  }

  grpc::Status Create(const pv1::Placement& p, pv1::Placement* out,
                      const std::string& token = "",
                      const std::string& request_id = "") {
    pv1::CreatePlacementRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(request_id.empty() ? NewRequestId() : request_id);
    *req.mutable_placement() = p;
    return stub_->CreatePlacement(Ctx(token.empty() ? officer_ : token).get(),
                                  req, out);
  }

  // A placement of a new handed-over case at `site`, created and started.
  pv1::Placement Started(const pv1::Site& site, const pv1::ActivityType& t) {
    pv1::Placement p;
    grpc::Status s = Create(PlacementInput(HandedOverCase(), site, t), &p);
    EXPECT_TRUE(s.ok()) << s.error_message();
    pv1::StartPlacementRequest start;
    start.set_name(p.name());
    start.set_etag(p.etag());
    start.set_request_id(NewRequestId());
    s = stub_->StartPlacement(Ctx(officer_).get(), start, &p);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return p;
  }

  // Keys (but the audit sealer's), feed length, audit length.
  struct Counts {
    std::set<std::string> keys;
    int64_t events = 0;
    int64_t audit = 0;
  };
  Counts CountsNow() {
    static const std::set<std::string> kSealer = {
        std::string(kPrefix) + "audit:chain",
        std::string(kPrefix) + "audit:sealed",
        std::string(kPrefix) + "audit:checkpoints"};
    Counts c;
    for (absl::string_view key :
         absl::StrSplit(redis_.Cli("--scan --pattern 'ks:*'"), '\n',
                        absl::SkipWhitespace())) {
      if (!kSealer.count(std::string(key))) c.keys.emplace(key);
    }
    c.events = std::stoll(redis_.Cli(absl::StrCat("XLEN ", kPrefix, "events")));
    c.audit =
        std::stoll(redis_.Cli(absl::StrCat("XLEN ", kPrefix, "audit:log")));
    return c;
  }

  // Every event of the placements feed.
  std::vector<cv1::Event> Feed() {
    std::vector<cv1::Event> out;
    absl::StatusOr<redis::Reply> r =
        pool_->Command({"XRANGE", absl::StrCat(kPrefix, "events"), "-", "+"});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return out;
    for (const redis::Reply& entry : r->elements) {
      const redis::Reply& fields = entry.elements[1];
      for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
        if (fields.elements[i].str != "event") continue;
        cv1::Event e;
        EXPECT_TRUE(e.ParseFromString(fields.elements[i + 1].str));
        out.push_back(std::move(e));
      }
    }
    return out;
  }
  // The feed's event types of aggregate `name`, in order.
  std::vector<std::string> EventsOf(const std::string& name) {
    std::vector<std::string> out;
    for (const cv1::Event& e : Feed()) {
      if (e.aggregate_name() == name) out.push_back(e.event_type());
    }
    return out;
  }

  CasesEnvironment cases_;
  ks::testing::RedisServer redis_;
  std::unique_ptr<redis::Pool> pool_;
  int port_ = 0;
  std::vector<std::string> args_;
  std::unique_ptr<ks::testing::Process> binary_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pv1::Placements::Stub> stub_;
  std::string token_file_;
  std::string officer_, other_officer_, jaksa_, pk_, other_pk_, supervisor_,
      service_;
  int cases_made_ = 0;
  int agreements_made_ = 0;
};

}  // namespace ks::placements::testing

#endif  // KS_TESTS_PLACEMENTS_PLACEMENTS_HARNESS_H_
