// Test harness for the cases service end to end: a real redis-server for
// cases, the real kerjasosial-cases binary (spawned, its log captured), a
// supervision feed served by common/feed's FeedServer over a second real
// redis-server (the test XADDs supervision events into it), tokens minted
// into a real token file, and builders of valid requests.
//
// Not thread-safe except the stub, which gRPC makes thread-safe.
#ifndef KS_TESTS_CASES_CASES_HARNESS_H_
#define KS_TESTS_CASES_CASES_HARNESS_H_

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/auth/token_file.h"
#include "common/feed/feed_server.h"
#include "common/ids/id.h"
#include "common/redis/client.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_binary.h"
#include "common/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::testing {

namespace v1 = ::kerjasosial::cases::v1;
namespace sv1 = ::kerjasosial::supervision::v1;
using ::kerjasosial::common::v1::Event;

inline constexpr char kCasesPrefix[] = "ks:{cases}:";
inline constexpr char kSupervisionStream[] = "ks:{supervision}:events";
inline constexpr char kBapasOffice[] = "bapas-balikpapan";

// The person of the fixtures, whose NIK, name and address the privacy
// checks search for (services/cases/domain/test_util.h).
inline constexpr const char* kNik = domain::testing::kNik;
inline constexpr const char* kPersonName = domain::testing::kName;
inline constexpr const char* kAddress = domain::testing::kAddress;

// A test Supervision service: only StreamEvents, served by a real
// FeedServer over the supervision redis-server; every other method is
// gRPC's UNIMPLEMENTED. Checks the SERVICE bearer token.
class SupervisionFeedService final : public sv1::Supervision::CallbackService {
 public:
  SupervisionFeedService(redis::Pool& pool, std::string token)
      : token_(std::move(token)),
        feed_(pool,
              feed::FeedServerOptions{kSupervisionStream, "supervision-test"}) {
  }
  grpc::ServerWriteReactor<Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    auto it = context->client_metadata().find("authorization");
    if (it == context->client_metadata().end() ||
        std::string(it->second.data(), it->second.size()) !=
            "Bearer " + token_) {
      return feed::FinishedStream(
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token"));
    }
    // The token checked above is cases' national SERVICE principal.
    return feed_.Stream(
        context, request,
        auth::Principal{"svc-cases", "kejaksaan", auth::Role::SERVICE, {"*"}});
  }
  feed::FeedServer& feed() { return feed_; }

 private:
  std::string token_;
  feed::FeedServer feed_;
};

class CasesEnvironment {
 public:
  // Starts both redis-servers, the supervision feed server and the cases
  // binary. `with_feed`: pass --supervision_address.
  void Start(bool with_feed) {
    dir_ = ::testing::TempDir() + "ks_cases_e2e_" + std::to_string(getpid()) +
           "_" + ids::NewId();
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(cases_redis_.Start().ok());
    ASSERT_TRUE(supervision_redis_.Start().ok());
    token_file_ = dir_ + "/tokens.tsv";
    jaksa_ = Mint("jaksa-6401", "kejari-64.01", auth::Role::JAKSA,
                  {"64.01", "64.02"});
    other_jaksa_ =
        Mint("jaksa-7101", "kejari-71.01", auth::Role::JAKSA, {"71.01"});
    pk_ = Mint("pk-bpp-01", kBapasOffice, auth::Role::PK_BAPAS, {"64"});
    service_ = Mint("svc-supervision", "bapas-balikpapan-svc",
                    auth::Role::SERVICE, {"*"});
    viewer_ = Mint("viewer-01", "kejagung", auth::Role::NATIONAL_VIEWER, {"*"});
    // One principal per role scoped to regency 64.01 alone; the PK and the
    // SERVICE belong to the handover office kBapasOffice (access tests).
    for (auth::Role role : auth::kAllRoles) {
      const bool bapas =
          role == auth::Role::PK_BAPAS || role == auth::Role::SERVICE;
      const std::string name =
          absl::AsciiStrToLower(std::string(auth::RoleName(role)));
      role_tokens_[role] =
          Mint("role-" + name, bapas ? kBapasOffice : "agency-" + name, role,
               {"64.01"});
    }
    // Callers outside 64.01 whom only the HANDOVER_OFFICE relation can
    // admit: a PK of another office, the handover office's SERVICE scoped
    // elsewhere, and another office's SERVICE scoped elsewhere.
    other_pk_ =
        Mint("pk-smd-01", "bapas-samarinda", auth::Role::PK_BAPAS, {"64"});
    office_service_abroad_ =
        Mint("svc-bpp-abroad", kBapasOffice, auth::Role::SERVICE, {"71.01"});
    foreign_service_ = Mint("svc-bapas-manado", "bapas-manado",
                            auth::Role::SERVICE, {"71.01"});
    service_token_file_ = dir_ + "/service.token";
    {
      std::FILE* f = std::fopen(service_token_file_.c_str(), "w");
      ASSERT_NE(f, nullptr);
      std::fputs((service_ + "\n").c_str(), f);
      std::fclose(f);
    }

    redis::Options sup;
    sup.port = supervision_redis_.port();
    supervision_pool_ = std::make_unique<redis::Pool>(sup);
    supervision_service_ =
        std::make_unique<SupervisionFeedService>(*supervision_pool_, service_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &supervision_port_);
    builder.RegisterService(supervision_service_.get());
    supervision_server_ = builder.BuildAndStart();
    ASSERT_NE(supervision_server_, nullptr);

    redis::Options own;
    own.port = cases_redis_.port();
    cases_pool_ = std::make_unique<redis::Pool>(own);
    cases_port_ = ks::testing::PickFreePort();
    std::vector<std::string> args = {
        absl::StrCat("--listen=127.0.0.1:", cases_port_),
        "--metrics_listen=127.0.0.1:0",
        "--token_file=" + token_file_,
        absl::StrCat("--redis_port=", cases_redis_.port()),
        "--deployment_id=cases-e2e",
        "--shutdown_grace=2s"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    if (before_binary_) before_binary_(*this);
    if (with_feed) {
      args.push_back(
          absl::StrCat("--supervision_address=127.0.0.1:", supervision_port_));
      args.push_back("--service_token_file=" + service_token_file_);
    }
    binary_ = std::make_unique<ks::testing::Process>(KS_BIN_CASES, args);
    StartBinary();
  }

  void StartBinary() {
    ASSERT_TRUE(binary_->Start().ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", cases_port_),
                                   grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel_->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(20)))
        << binary_->ReadLog();
    stub_ = v1::Cases::NewStub(channel_);
  }

  void Stop() {
    if (binary_ && binary_->running())
      binary_->Signal(SIGTERM, absl::Seconds(10));
    if (supervision_server_) {
      supervision_service_->feed().Shutdown();
      supervision_server_->Shutdown(std::chrono::system_clock::now() +
                                    std::chrono::seconds(2));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Mint(const std::string& id, const std::string& agency,
                   auth::Role role, std::vector<std::string> regencies) {
    return ks::testing::MintFor(token_file_, id, agency, role,
                                std::move(regencies));
  }

  // A ClientContext carrying `token` (empty: none) and a deadline.
  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return ks::testing::CallContext(token);
  }

  // The lifecycle steps the scenarios start from, as the prosecutor of
  // 64.01 (`jaksa_`); each expects success. CreateCase registers `data` in
  // 64.01.
  v1::Case CreateCase(const v1::Case& data);
  v1::Case Order(const v1::Case& c);
  v1::Case HandOver(const v1::Case& c);

  // GetCase as `token` (default: jaksa_); expects success.
  v1::Case GetCase(const std::string& name, const std::string& token = "") {
    v1::GetCaseRequest req;
    req.set_name(name);
    v1::Case out;
    grpc::Status s =
        stub_->GetCase(Ctx(token.empty() ? jaksa_ : token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  // Polls GetCase until `pred` holds (the feed is asynchronous); fails the
  // test after 20 s.
  v1::Case WaitFor(const std::string& name,
                   const std::function<bool(const v1::Case&)>& pred) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    v1::Case c;
    while (absl::Now() < deadline) {
      c = GetCase(name);
      if (pred(c)) return c;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "condition not reached for " << name << ": "
                  << c.ShortDebugString().substr(0, 400);
    return c;
  }

  // A ledger snapshot of case `c` with `credited` minutes.
  static sv1::LedgerSnapshot Ledger(const v1::Case& c, int64_t credited,
                                    int32_t sessions) {
    sv1::LedgerSnapshot l;
    l.set_case_name(c.name());
    l.set_ledger(c.name() + "/ledger");
    l.set_kind(c.sentence().kind());
    l.set_target_minutes(int64_t{c.sentence().hours()} * 60);
    l.set_credited_minutes(credited);
    l.set_owed_minutes(l.target_minutes() - credited);
    l.set_sessions_count(sessions);
    l.set_time_zone("Asia/Makassar");
    return l;
  }

  // XADDs one supervision event (serialized Event, no cursor) to the
  // supervision feed.
  void PublishSupervision(const google::protobuf::Message& payload,
                          const std::string& aggregate_name,
                          const std::string& regency) {
    Event e;
    e.set_event_id(ids::NewId());
    e.set_aggregate_type("kerjasosial.supervision.v1.HoursLedger");
    e.set_aggregate_name(aggregate_name);
    e.set_aggregate_version(++supervision_version_);
    e.set_regency_code(regency);
    *e.mutable_event_time() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    e.set_event_type(payload.GetDescriptor()->full_name());
    e.mutable_payload()->PackFrom(payload);
    e.set_source("supervision-test");
    absl::StatusOr<redis::Reply> r = supervision_pool_->Command(
        {"XADD", kSupervisionStream, "*", "event", e.SerializeAsString()});
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Raw counts of the cases Redis (for "nothing written" checks): the keys
  // by name, the feed's and the audit log's lengths.
  struct Counts {
    std::set<std::string> keys;
    int64_t events = 0, audit = 0;
    bool operator==(const Counts& o) const {
      return keys == o.keys && events == o.events && audit == o.audit;
    }
    // So a failed "nothing written" check shows what changed.
    friend std::ostream& operator<<(std::ostream& out, const Counts& c) {
      out << "{events " << c.events << ", audit " << c.audit << ", keys";
      for (const std::string& k : c.keys) out << " " << k;
      return out << "}";
    }
    // Nothing was committed between the two counts: every commit appends to
    // the feed and the audit log. Weaker than ==: it ignores keys a feed
    // consumer keeps on its own schedule (for tests that run one).
    bool SameWrites(const Counts& o) const {
      return events == o.events && audit == o.audit;
    }
  };
  Counts CountsNow() {
    Counts c;
    // The audit sealer's own keys (the sealed chain, its head, checkpoints)
    // appear in the background when it first seals, whatever the call under
    // test did: they are not the call's writes.
    static const std::set<std::string> kSealer = {
        std::string(kCasesPrefix) + "audit:chain",
        std::string(kCasesPrefix) + "audit:sealed",
        std::string(kCasesPrefix) + "audit:checkpoints"};
    for (absl::string_view key :
         absl::StrSplit(cases_redis_.Cli("--scan --pattern 'ks:*'"), '\n',
                        absl::SkipWhitespace())) {
      if (kSealer.count(std::string(key)) == 0) c.keys.emplace(key);
    }
    c.events = std::stoll(
        cases_redis_.Cli(absl::StrCat("XLEN ", kCasesPrefix, "events")));
    c.audit = std::stoll(
        cases_redis_.Cli(absl::StrCat("XLEN ", kCasesPrefix, "audit:log")));
    return c;
  }

  // Cases stored in the deployment (the deployment-wide creation index).
  int64_t CountCases() {
    return std::stoll(cases_redis_.Cli(
        absl::StrCat("ZCARD ", kCasesPrefix, "idx:g:created")));
  }

  // Every entry of the cases feed, as raw bytes and parsed.
  std::vector<std::pair<std::string, Event>> FeedEntries() {
    std::vector<std::pair<std::string, Event>> out;
    absl::StatusOr<redis::Reply> r = cases_pool_->Command(
        {"XRANGE", absl::StrCat(kCasesPrefix, "events"), "-", "+"});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return out;
    for (const redis::Reply& entry : r->elements) {
      const redis::Reply& fields = entry.elements[1];
      for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
        if (fields.elements[i].str != "event") continue;
        Event e;
        EXPECT_TRUE(e.ParseFromString(fields.elements[i + 1].str));
        out.emplace_back(fields.elements[i + 1].str, e);
      }
    }
    return out;
  }

  ks::testing::RedisServer cases_redis_;
  ks::testing::RedisServer supervision_redis_;
  std::unique_ptr<redis::Pool> cases_pool_;
  std::unique_ptr<redis::Pool> supervision_pool_;
  std::unique_ptr<SupervisionFeedService> supervision_service_;
  std::unique_ptr<grpc::Server> supervision_server_;
  int supervision_port_ = 0;
  int cases_port_ = 0;
  std::unique_ptr<ks::testing::Process> binary_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Cases::Stub> stub_;
  std::string dir_, token_file_, service_token_file_;
  std::string jaksa_, other_jaksa_, pk_, service_, viewer_;
  std::string other_pk_, office_service_abroad_, foreign_service_;
  // A token per role, scope {"64.01"}; PK_BAPAS and SERVICE of kBapasOffice.
  std::map<auth::Role, std::string> role_tokens_;
  int64_t supervision_version_ = 0;
  // Flags appended to the binary's by Start() (served regencies, routes).
  std::vector<std::string> extra_args_;
  // Run by Start() once the token file exists, before the binary starts
  // (e.g. to mint a peer's token).
  std::function<void(CasesEnvironment&)> before_binary_;
};

inline google::type::Date DateOf(absl::CivilDay d) {
  return DateFromCivilDay(d);
}

// Today in Kalimantan Timur (WITA), the zone of regency 64.01.
inline absl::CivilDay Today() {
  absl::TimeZone zone;
  absl::LoadTimeZone("Asia/Makassar", &zone);
  return LocalDay(absl::Now(), zone);
}

// The shared fixtures (services/cases/domain/test_util.h) on the real
// today, shaped for the end-to-end scenarios: an adult principal case of 40
// hours replacing 3 months of prison or Rp5,000,000 (so every breach
// consequence applies); the decision names `consequence`.
inline v1::Case AdultCase(
    const std::string& decision_number,
    v1::BreachConsequence consequence = v1::BREACH_CONSEQUENCE_REPEAT) {
  v1::Case c = domain::testing::AdultCaseOn(Today(), decision_number);
  v1::Sentence* s = c.mutable_sentence();
  s->set_hours(40);
  s->set_imposed_fine_rupiah(5000000);
  s->set_breach_consequence(consequence);
  return c;
}

// A fine-substitute case (R10, KUHP Pasal 82): Rp1,000,000 at Rp50,000 an
// hour = 20 hours.
inline v1::Case FineSubstituteCase(const std::string& decision_number) {
  return domain::testing::FineSubstituteCaseOn(Today(), decision_number);
}

// A child case (R11) of 20 hours, its Litmas by the handover office.
inline v1::Case ChildCase(const std::string& decision_number) {
  v1::Case c = domain::testing::ChildCaseOn(Today(), decision_number);
  c.mutable_sentence()->set_hours(20);
  c.mutable_sentence()->mutable_litmas()->set_bapas_office_code(kBapasOffice);
  return c;
}

// The steps every scenario starts with, as `token` (a JAKSA of the
// regency) calls them; each expects success and the state it reaches.
inline std::string NewRequestId() { return "r" + ids::NewId(); }

inline v1::Case CreateCaseIn(v1::Cases::Stub& stub, const std::string& token,
                             const std::string& regency, const v1::Case& data) {
  v1::CreateCaseRequest req;
  req.set_parent("regencies/" + regency);
  *req.mutable_case_data() = data;
  req.set_request_id(NewRequestId());
  v1::Case out;
  grpc::Status s =
      stub.CreateCase(CasesEnvironment::Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_REGISTERED);
  return out;
}

inline v1::Case IssueOrder(v1::Cases::Stub& stub, const std::string& token,
                           const v1::Case& c) {
  v1::IssueExecutionOrderRequest req;
  req.set_name(c.name());
  req.set_etag(c.etag());
  req.set_request_id(NewRequestId());
  req.mutable_execution_order()->set_order_number("PRINT-01/O.4.13/2026");
  *req.mutable_execution_order()->mutable_issued_date() = DateOf(Today() - 5);
  req.mutable_execution_order()->set_kejari_code("kejari-" + c.regency_code());
  v1::Case out;
  grpc::Status s =
      stub.IssueExecutionOrder(CasesEnvironment::Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_EXECUTION_ORDERED);
  return out;
}

inline v1::Case HandOverTo(v1::Cases::Stub& stub, const std::string& token,
                           const v1::Case& c, const std::string& office) {
  v1::HandOverToBapasRequest req;
  req.set_name(c.name());
  req.set_etag(c.etag());
  req.set_request_id(NewRequestId());
  req.mutable_handover()->set_bapas_office_code(office);
  *req.mutable_handover()->mutable_handover_date() = DateOf(Today() - 3);
  v1::Case out;
  grpc::Status s =
      stub.HandOverToBapas(CasesEnvironment::Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_HANDED_OVER);
  return out;
}

inline v1::Case CasesEnvironment::CreateCase(const v1::Case& data) {
  return CreateCaseIn(*stub_, jaksa_, "64.01", data);
}
inline v1::Case CasesEnvironment::Order(const v1::Case& c) {
  return IssueOrder(*stub_, jaksa_, c);
}
inline v1::Case CasesEnvironment::HandOver(const v1::Case& c) {
  return HandOverTo(*stub_, jaksa_, c, kBapasOffice);
}

// The field paths of the google.rpc.BadRequest in `status`.
inline std::vector<std::string> BadFields(const grpc::Status& status) {
  google::rpc::BadRequest bad;
  std::vector<std::string> fields;
  if (!GetDetail(status, &bad)) return fields;
  for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  return fields;
}

// The ErrorInfo reason in `status` ("" if none).
inline std::string Reason(const grpc::Status& status) {
  google::rpc::ErrorInfo info;
  return GetDetail(status, &info) ? info.reason() : "";
}

// One ErrorInfo metadata value in `status` ("" if none).
inline std::string ErrorMetadata(const grpc::Status& status,
                                 const std::string& key) {
  google::rpc::ErrorInfo info;
  if (!GetDetail(status, &info)) return "";
  auto it = info.metadata().find(key);
  return it == info.metadata().end() ? "" : it->second;
}

}  // namespace ks::cases::testing

#endif  // KS_TESTS_CASES_CASES_HARNESS_H_
