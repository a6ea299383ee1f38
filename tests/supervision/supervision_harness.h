// Test harness for the supervision service end to end: the real
// kerjasosial-supervision and kerjasosial-cases binaries, each on its own
// real redis-server and following the other's feed, and placements' feed
// served by common/feed's FeedServer over a third redis-server into which
// the test XADDs scripted placements events (proto placements/v1/events),
// because placements is being built in parallel.
//
// Not thread-safe except the stubs, which gRPC makes thread-safe.
#ifndef KS_TESTS_SUPERVISION_SUPERVISION_HARNESS_H_
#define KS_TESTS_SUPERVISION_SUPERVISION_HARNESS_H_

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "tests/cases/cases_harness.h"

namespace ks::supervision::testing {

namespace sv1 = ::kerjasosial::supervision::v1;
namespace plv1 = ::kerjasosial::placements::v1;
namespace casesv1 = ::kerjasosial::cases::v1;
using ::ks::cases::testing::BadFields;
using ::ks::cases::testing::CasesEnvironment;
using ::ks::cases::testing::kBapasOffice;
using ::ks::cases::testing::NewRequestId;
using ::ks::cases::testing::Reason;

inline constexpr char kPlacementsStream[] = "ks:{placements}:events";
inline constexpr char kSupervisionPrefix[] = "ks:{supervision}:";
inline constexpr char kSite[] = "regencies/64.01/sites/site01";
inline constexpr char kZone[] = "Asia/Makassar";  // WITA, regency 64.01

// Placements' feed only: StreamEvents over a real FeedServer; every other
// method is gRPC's UNIMPLEMENTED.
class PlacementsFeedService final : public plv1::Placements::CallbackService {
 public:
  PlacementsFeedService(redis::Pool& pool, std::string token)
      : token_(std::move(token)),
        feed_(pool,
              feed::FeedServerOptions{kPlacementsStream, "placements-test"}) {}
  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    auto it = context->client_metadata().find("authorization");
    if (it == context->client_metadata().end() ||
        std::string(it->second.data(), it->second.size()) !=
            "Bearer " + token_) {
      return feed::FinishedStream(
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token"));
    }
    return feed_.Stream(
        context, request,
        auth::Principal{
            "svc-supervision", kBapasOffice, auth::Role::SERVICE, {"*"}});
  }
  feed::FeedServer& feed() { return feed_; }

 private:
  std::string token_;
  feed::FeedServer feed_;
};

class SupervisionEnvironment {
 public:
  // Starts cases (following supervision), the placements feed and
  // supervision (following both).
  void Start() {
    ASSERT_TRUE(redis_.Start().ok());
    ASSERT_TRUE(placements_redis_.Start().ok());
    cases_.before_binary_ = [this](CasesEnvironment& env) {
      site_supervisor_ = env.Mint("site-sup-01", "pemda-64.01-site",
                                  auth::Role::SITE_SUPERVISOR, {"64.01"});
      other_site_supervisor_ = env.Mint("site-sup-99", "pemda-64.01-other",
                                        auth::Role::SITE_SUPERVISOR, {"64.01"});
      other_office_pk_ =
          env.Mint("pk-mnd-01", "bapas-manado", auth::Role::PK_BAPAS, {"71"});
    };
    cases_.Start(/*with_feed=*/false);
    if (::testing::Test::HasFatalFailure()) return;

    // Every listener of the harness is bound before supervision's port is
    // picked, so no test server can take it.
    redis::Options pl;
    pl.port = placements_redis_.port();
    placements_pool_ = std::make_unique<redis::Pool>(pl);
    placements_service_ = std::make_unique<PlacementsFeedService>(
        *placements_pool_, cases_.service_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &placements_port_);
    builder.RegisterService(placements_service_.get());
    placements_server_ = builder.BuildAndStart();
    ASSERT_NE(placements_server_, nullptr);
    supervision_port_ = ks::testing::PickFreePort();

    // Restart cases so that it follows the supervision deployment.
    cases_.binary_->Signal(SIGTERM, absl::Seconds(10));
    cases_.binary_ = std::make_unique<ks::testing::Process>(
        KS_BIN_CASES,
        std::vector<std::string>{
            absl::StrCat("--listen=127.0.0.1:", cases_.cases_port_),
            "--metrics_listen=127.0.0.1:0",
            "--token_file=" + cases_.token_file_,
            absl::StrCat("--redis_port=", cases_.cases_redis_.port()),
            "--deployment_id=cases-e2e", "--shutdown_grace=2s",
            absl::StrCat("--supervision_address=127.0.0.1:", supervision_port_),
            "--service_token_file=" + cases_.service_token_file_});
    cases_.StartBinary();

    redis::Options own;
    own.port = redis_.port();
    pool_ = std::make_unique<redis::Pool>(own);
    binary_ = std::make_unique<ks::testing::Process>(KS_BIN_SUPERVISION,
                                                     SupervisionArgs());
    StartSupervision();
  }

  std::vector<std::string> SupervisionArgs() const {
    return {absl::StrCat("--listen=127.0.0.1:", supervision_port_),
            "--metrics_listen=127.0.0.1:0",
            "--token_file=" + cases_.token_file_,
            absl::StrCat("--redis_port=", redis_.port()),
            "--deployment_id=supervision-e2e",
            "--shutdown_grace=2s",
            absl::StrCat("--cases_address=127.0.0.1:", cases_.cases_port_),
            absl::StrCat("--placements_address=127.0.0.1:", placements_port_),
            "--service_token_file=" + cases_.service_token_file_};
  }

  void StartSupervision() {
    ASSERT_TRUE(binary_->Start().ok());
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", supervision_port_),
                            grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel_->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(20)))
        << binary_->ReadLog();
    stub_ = sv1::Supervision::NewStub(channel_);
  }

  void Stop() {
    if (binary_ && binary_->running()) {
      binary_->Signal(SIGTERM, absl::Seconds(10));
    }
    if (placements_server_) {
      placements_service_->feed().Shutdown();
      placements_server_->Shutdown(std::chrono::system_clock::now() +
                                   std::chrono::seconds(2));
    }
    cases_.Stop();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return CasesEnvironment::Ctx(token);
  }
  const std::string& pk() const { return cases_.pk_; }

  // A case of `hours` hours handed over to kBapasOffice.
  casesv1::Case HandedOverCase(const std::string& decision, int hours) {
    casesv1::Case data = ks::cases::testing::AdultCase(decision);
    data.mutable_sentence()->set_hours(hours);
    return cases_.HandOver(cases_.Order(cases_.CreateCase(data)));
  }

  // CreatePkAssignment as the PK; expects success.
  sv1::PkAssignment Assign(const casesv1::Case& c) {
    sv1::CreatePkAssignmentRequest req;
    req.set_parent("regencies/64.01");
    req.mutable_pk_assignment()->set_case_name(c.name());
    req.mutable_pk_assignment()->set_bapas_office_code(kBapasOffice);
    req.mutable_pk_assignment()->set_pk_principal_id("pk-bpp-01");
    req.set_request_id(NewRequestId());
    sv1::PkAssignment out;
    grpc::Status s = stub_->CreatePkAssignment(Ctx(pk()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  // Publishes one placements event.
  void PublishPlacements(const google::protobuf::Message& payload,
                         const std::string& aggregate, int64_t version) {
    kerjasosial::common::v1::Event e;
    e.set_event_id(ids::NewId());
    e.set_aggregate_name(aggregate);
    e.set_aggregate_version(version);
    e.set_regency_code("64.01");
    *e.mutable_event_time() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    e.set_event_type(payload.GetDescriptor()->full_name());
    e.mutable_payload()->PackFrom(payload);
    absl::StatusOr<redis::Reply> r = placements_pool_->Command(
        {"XADD", kPlacementsStream, "*", "event", e.SerializeAsString()});
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // The site (staff: site-sup-01) and an ACTIVE placement of `case_name`
  // from `first` to `last` (local days of WITA). Returns the placement name.
  std::string PlaceCase(const std::string& case_name, absl::CivilDay first,
                        absl::CivilDay last, const std::string& id) {
    if (!site_published_) {
      plv1::SiteChanged site;
      site.set_time_zone(kZone);
      site.set_state(plv1::SITE_STATE_ACTIVE);
      site.add_staff_principal_ids("site-sup-01");
      site.mutable_schedule()->set_time_zone(kZone);
      PublishPlacements(site, kSite, 1);
      site_published_ = true;
    }
    const std::string name = "regencies/64.01/placements/" + id;
    plv1::PlacementFacts facts;
    facts.set_case_name(case_name);
    facts.set_site(kSite);
    facts.set_activity_type("regencies/64.01/activityTypes/clean");
    facts.set_kind(kerjasosial::common::v1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
    *facts.mutable_period()->mutable_start_date() = DateFromCivilDay(first);
    *facts.mutable_period()->mutable_end_date() = DateFromCivilDay(last);
    facts.mutable_schedule()->set_time_zone(kZone);
    // Every day 08:00-12:00 local.
    for (int d = kerjasosial::common::v1::WEEKDAY_MONDAY;
         d <= kerjasosial::common::v1::WEEKDAY_SUNDAY; ++d) {
      kerjasosial::common::v1::ScheduleSlot* slot =
          facts.mutable_schedule()->add_slots();
      slot->set_weekday(static_cast<kerjasosial::common::v1::Weekday>(d));
      slot->set_start_minute(8 * 60);
      slot->set_end_minute(12 * 60);
    }
    facts.set_state(plv1::PLACEMENT_STATE_PLANNED);
    plv1::PlacementCreated created;
    *created.mutable_facts() = facts;
    PublishPlacements(created, name, 1);
    facts.set_state(plv1::PLACEMENT_STATE_ACTIVE);
    facts.set_previous_state(plv1::PLACEMENT_STATE_PLANNED);
    plv1::PlacementStarted started;
    *started.mutable_facts() = facts;
    PublishPlacements(started, name, 2);
    WaitApplied(absl::StrCat("rm:pl:", name), 2);
    WaitApplied(absl::StrCat("rm:site:", kSite), 1);
    return name;
  }

  // Waits (at most 20 s) until supervision's read model holds version
  // `version` of the aggregate whose hash is `key` (relative).
  void WaitApplied(const std::string& key, int64_t version) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      absl::StatusOr<redis::Reply> r =
          pool_->Command({"HGET", absl::StrCat(kSupervisionPrefix, key), "v"});
      if (r.ok() && r->is_string() && std::stoll(r->str) >= version) return;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "the read model never applied " << key << " v" << version;
  }

  // A session request of `case_name` at `placement`, local WITA times.
  static sv1::RecordWorkSessionRequest Session(
      const std::string& case_name, const std::string& placement,
      absl::CivilMinute start, absl::CivilMinute end,
      sv1::AttendanceOutcome outcome =
          sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED) {
    absl::TimeZone zone;
    absl::LoadTimeZone(kZone, &zone);
    sv1::RecordWorkSessionRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(NewRequestId());
    sv1::WorkSession* s = req.mutable_work_session();
    s->set_case_name(case_name);
    s->set_placement(placement);
    *s->mutable_start_time() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(
            absl::ToUnixSeconds(absl::FromCivil(start, zone)));
    *s->mutable_end_time() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(
            absl::ToUnixSeconds(absl::FromCivil(end, zone)));
    s->set_outcome(outcome);
    return req;
  }

  // RecordWorkSession as `token`, retrying while the placement is not yet
  // in supervision's read model (the feed is asynchronous; bounded by 20 s).
  grpc::Status Record(const sv1::RecordWorkSessionRequest& req,
                      sv1::WorkSession* out, const std::string& token = "") {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    grpc::Status s;
    do {
      s = stub_->RecordWorkSession(Ctx(token.empty() ? pk() : token).get(), req,
                                   out);
      if (Reason(s) != "PLACEMENT_NOT_YET_KNOWN") return s;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    return s;
  }

  sv1::HoursLedger Ledger(const std::string& name) {
    sv1::GetHoursLedgerRequest req;
    req.set_name(name);
    req.set_include_days(true);
    sv1::HoursLedger out;
    grpc::Status s = stub_->GetHoursLedger(Ctx(pk()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  // Events of supervision's feed of payload type `type` (short name).
  std::vector<kerjasosial::common::v1::Event> FeedEvents(
      const std::string& type) {
    std::vector<kerjasosial::common::v1::Event> out;
    absl::StatusOr<redis::Reply> r = pool_->Command(
        {"XRANGE", absl::StrCat(kSupervisionPrefix, "events"), "-", "+"});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return out;
    for (const redis::Reply& entry : r->elements) {
      const redis::Reply& fields = entry.elements[1];
      for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
        if (fields.elements[i].str != "event") continue;
        kerjasosial::common::v1::Event e;
        EXPECT_TRUE(e.ParseFromString(fields.elements[i + 1].str));
        if (e.event_type() == "kerjasosial.supervision.v1." + type) {
          out.push_back(e);
        }
      }
    }
    return out;
  }

  CasesEnvironment cases_;
  ks::testing::RedisServer redis_;
  ks::testing::RedisServer placements_redis_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<redis::Pool> placements_pool_;
  std::unique_ptr<PlacementsFeedService> placements_service_;
  std::unique_ptr<grpc::Server> placements_server_;
  int placements_port_ = 0;
  int supervision_port_ = 0;
  std::unique_ptr<ks::testing::Process> binary_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<sv1::Supervision::Stub> stub_;
  std::string site_supervisor_, other_site_supervisor_, other_office_pk_;
  bool site_published_ = false;
};

// Today in WITA (regency 64.01).
inline absl::CivilDay Today() { return ks::cases::testing::Today(); }

}  // namespace ks::supervision::testing

#endif  // KS_TESTS_SUPERVISION_SUPERVISION_HARNESS_H_
