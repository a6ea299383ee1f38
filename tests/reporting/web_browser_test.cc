// The dashboard and the public page in headless Chromium, end to end: a real
// kerjasosial-cases serves a scripted feed (events XADDed into its outbox
// stream, served by common/feed's StreamEvents), a real
// kerjasosial-reporting consumes it and serves --http_listen, and Chromium
// renders the pages. Checked: the headline numbers equal the API's, the
// drill-down to a province shows its regencies as the API lists them, the
// language switch relabels the page, a small cell of the public page shows
// as suppressed, the CSV reads with Python's csv module and matches the
// API, and Chromium's network log holds no request to anything but the
// gateway. Clicks (drill-down, back, the language switch) go through the
// DevTools protocol (web_click.py). The screenshots stay in the build directory
// as artifacts.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/auth/token_file.h"
#include "common/ids/id.h"
#include "common/redis/client.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks {
namespace {

namespace cv1 = ::kerjasosial::cases::v1;
using google::protobuf::Struct;
using ::kerjasosial::common::v1::Event;

constexpr char kStream[] = "ks:{cases}:events";
constexpr char kChromium[] = "/usr/bin/chromium";

bool WaitFor(const std::function<bool()>& done) {
  const absl::Time end = absl::Now() + absl::Seconds(30);
  while (absl::Now() < end) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

// Cases per regency: registered, and how many of them completed.
struct Scripted {
  const char* regency;
  int registered;
  int completed;
};
// 65 (Kalimantan Utara) completes 2 cases: below the minimum cell size of 10,
// so the public page must suppress it (and a complement).
// Every scripted sentence replaced a fine of this much.
constexpr int64_t kFineRupiah = 250'000;
constexpr Scripted kScenario[] = {
    {"64.01", 15, 12}, {"64.02", 11, 0}, {"65.01", 3, 2}, {"72.01", 20, 14}};

class WebBrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (access(kChromium, X_OK) != 0) return;
    env_ = new Env();
    env_->Start();
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override {
    if (access(kChromium, X_OK) != 0) {
      GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh "
                      "installs Debian's chromium)";
    }
    ASSERT_TRUE(env_->ok) << env_->failure;
  }

  // Two real binaries, their redis-servers and tokens; the scenario
  // published and applied.
  struct Env {
    std::string dir;
    testing::RedisServer cases_redis, reporting_redis;
    std::unique_ptr<testing::Process> cases, reporting;
    std::string viewer, public_token;
    int http_port = 0;
    bool ok = false;
    std::string failure;

    ~Env() {
      if (reporting && reporting->running())
        reporting->Signal(SIGKILL, absl::Seconds(5));
      if (cases && cases->running()) cases->Signal(SIGKILL, absl::Seconds(5));
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }

    void Fail(std::string why) { failure = std::move(why); }

    void Start() {
      dir = ::testing::TempDir() + "ks_web_browser_" + std::to_string(getpid());
      std::filesystem::create_directories(dir);
      if (!cases_redis.Start().ok() || !reporting_redis.Start().ok()) {
        return Fail("redis-server did not start");
      }
      const std::string cases_tokens = dir + "/cases_tokens.tsv";
      const std::string reporting_tokens = dir + "/reporting_tokens.tsv";
      auto feed_token = auth::MintToken(
          cases_tokens,
          {"svc-reporting", "reporting", auth::Role::SERVICE, {"*"}});
      auto viewer_token = auth::MintToken(
          reporting_tokens,
          {"viewer", "kejagung", auth::Role::NATIONAL_VIEWER, {"*"}});
      auto public_svc = auth::MintToken(
          reporting_tokens,
          {"svc-publik", "kejagung", auth::Role::SERVICE, {"*"}});
      if (!feed_token.ok() || !viewer_token.ok() || !public_svc.ok()) {
        return Fail("minting tokens failed");
      }
      viewer = *viewer_token;
      public_token = *public_svc;
      std::ofstream(dir + "/credentials") << "cases " << *feed_token << "\n";
      std::ofstream(dir + "/public_token") << public_token << "\n";

      // The scripted feed, in the cases deployment's outbox stream.
      redis::Options options;
      options.port = cases_redis.port();
      redis::Pool pool(options);
      int n = 0;
      for (const Scripted& s : kScenario) {
        for (int i = 0; i < s.registered; ++i) {
          const std::string name =
              absl::StrCat("regencies/", s.regency, "/cases/c", ++n);
          if (!Publish(pool, name, s.regency, i < s.completed)) {
            return Fail("XADD failed");
          }
        }
      }

      const int cases_port = testing::PickFreePort();
      cases = std::make_unique<testing::Process>(
          KS_BIN_CASES,
          std::vector<std::string>{
              absl::StrCat("--listen=127.0.0.1:", cases_port),
              "--metrics_listen=127.0.0.1:0", "--token_file=" + cases_tokens,
              absl::StrCat("--redis_port=", cases_redis.port()),
              "--deployment_id=cases-web-e2e"});
      if (!cases->Start().ok()) return Fail("kerjasosial-cases did not start");

      std::ofstream(dir + "/upstreams.textproto")
          << "upstreams { name: \"upstreams/cases-e2e\" kind: "
             "UPSTREAM_KIND_CASES address: \"127.0.0.1:"
          << cases_port
          << "\" credential_name: \"cases\" display_name: \"Kejari uji\" }\n";
      http_port = testing::PickFreePort();
      reporting = std::make_unique<testing::Process>(
          KS_BIN_REPORTING,
          std::vector<std::string>{
              absl::StrCat("--listen=127.0.0.1:", testing::PickFreePort()),
              "--metrics_listen=127.0.0.1:0",
              "--token_file=" + reporting_tokens,
              absl::StrCat("--redis_port=", reporting_redis.port()),
              "--deployment_id=reporting-web-e2e",
              "--upstreams_file=" + dir + "/upstreams.textproto",
              "--upstream_credentials_file=" + dir + "/credentials",
              absl::StrCat("--http_listen=127.0.0.1:", http_port),
              "--http_public_token_file=" + dir + "/public_token"});
      if (!reporting->Start().ok()) {
        return Fail("kerjasosial-reporting did not start");
      }
      // Applied once the nation counts every scripted case.
      int registered = 0, completed = 0;
      for (const Scripted& s : kScenario) {
        registered += s.registered;
        completed += s.completed;
      }
      const bool applied = WaitFor([&] {
        Struct s;
        return GetJson("/api/v1/nation/summary", viewer, &s) &&
               s.fields()
                       .at("totals")
                       .struct_value()
                       .fields()
                       .at("cases_registered")
                       .string_value() == std::to_string(registered) &&
               s.fields()
                       .at("totals")
                       .struct_value()
                       .fields()
                       .at("cases_completed")
                       .string_value() == std::to_string(completed);
      });
      if (!applied) {
        return Fail("the scenario was not applied in 30 s; reporting log:\n" +
                    reporting->ReadLog());
      }
      ok = true;
    }

    bool Publish(redis::Pool& pool, const std::string& name,
                 const std::string& regency, bool completes) {
      const absl::Time now = absl::Now();
      cv1::CaseFacts facts;
      facts.set_regency_code(regency);
      facts.set_kind(kerjasosial::common::v1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
      facts.set_sentence_hours(40);
      facts.set_replaced_prison_days(30);
      facts.set_replaced_fine_rupiah(kFineRupiah);
      facts.set_state(cv1::CASE_STATE_REGISTERED);
      cv1::CaseRegistered registered;
      *registered.mutable_facts() = facts;
      const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
      registered.mutable_final_date()->set_year(static_cast<int>(today.year()));
      registered.mutable_final_date()->set_month(today.month());
      registered.mutable_final_date()->set_day(today.day());
      if (!Xadd(pool, name, regency, 1, registered, now)) return false;
      if (!completes) return true;
      cv1::CaseCompleted done;
      facts.set_previous_state(cv1::CASE_STATE_REGISTERED);
      facts.set_state(cv1::CASE_STATE_COMPLETED);
      *done.mutable_facts() = facts;
      done.set_credited_minutes(40 * 60);
      done.set_days_to_complete(40);
      return Xadd(pool, name, regency, 2, done, now);
    }

    bool Xadd(redis::Pool& pool, const std::string& name,
              const std::string& regency, int version,
              const google::protobuf::Message& payload, absl::Time now) {
      Event event;
      event.set_event_id(ids::NewId());
      event.set_aggregate_type("kerjasosial.cases.v1.Case");
      event.set_aggregate_name(name);
      event.set_aggregate_version(version);
      event.set_regency_code(regency);
      event.mutable_event_time()->set_seconds(absl::ToUnixSeconds(now));
      event.set_event_type(payload.GetDescriptor()->full_name());
      event.mutable_payload()->PackFrom(payload);
      return pool
          .Command({"XADD", kStream, "*", "event", event.SerializeAsString()})
          .ok();
    }

    bool Get(const std::string& path, const std::string& token,
             std::string* body) const {
      httplib::Client http("127.0.0.1", http_port);
      httplib::Headers h;
      if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
      auto r = http.Get(path, h);
      if (!r || r->status != 200) return false;
      *body = r->body;
      return true;
    }
    bool GetJson(const std::string& path, const std::string& token,
                 Struct* out) const {
      std::string body;
      return Get(path, token, &body) &&
             google::protobuf::util::JsonStringToMessage(body, out).ok();
    }
  };

  // Chromium's DOM of `url` after its scripts ran, with every host but
  // loopback unresolvable and its network log in `netlog`.
  static std::string Dom(const std::string& url, const std::string& netlog) {
    std::string out;
    const int rc = testing::RunCommand(
        absl::StrCat(kChromium,
                     " --headless --no-sandbox --disable-gpu "
                     "--no-first-run --disable-extensions "
                     "--disable-background-networking "
                     "--disable-component-update "
                     "--disable-sync --no-pings "
                     // Chromium's own calls (autofill queries for
                     // the token field, network time): not the
                     // page's, and not wanted offline.
                     "--disable-features=AutofillServerCommunication,"
                     "NetworkTimeServiceQuerying,OptimizationHints "
                     "--host-resolver-rules='MAP * ~NOTFOUND, "
                     "EXCLUDE 127.0.0.1' "
                     "--virtual-time-budget=15000 --user-data-dir=",
                     env_->dir, "/chromium --log-net-log=", netlog,
                     " --dump-dom '", url, "' 2>/dev/null"),
        &out);
    EXPECT_EQ(rc, 0) << out;
    return out;
  }
  static void Screenshot(const std::string& url, const std::string& file) {
    std::string out;
    testing::RunCommand(absl::StrCat(kChromium,
                                     " --headless --no-sandbox --disable-gpu "
                                     "--no-first-run --hide-scrollbars "
                                     "--host-resolver-rules='MAP * ~NOTFOUND, "
                                     "EXCLUDE 127.0.0.1' "
                                     "--virtual-time-budget=15000 "
                                     "--window-size=1280,2200 --user-data-dir=",
                                     env_->dir, "/chromium --screenshot=", file,
                                     " '", url, "' 2>/dev/null"),
                        &out);
  }

  static std::string Base() {
    return absl::StrCat("http://127.0.0.1:", env_->http_port);
  }

  // The data-value of the element whose `attr` is `value`, or "<absent>".
  // (Plain searches: std::regex recurses per character and overflows the
  // stack on a whole DOM.)
  static std::string DataValue(const std::string& dom, const std::string& attr,
                               const std::string& value) {
    const std::string start = Tag(dom, attr + "=\"" + value + "\"");
    const size_t at = start.find("data-value=\"");
    if (at == std::string::npos) return "<absent>";
    const size_t from = at + 12;
    return start.substr(from, start.find('"', from) - from);
  }
  // The start tag holding `needle`, or "".
  static std::string Tag(const std::string& dom, const std::string& needle) {
    const size_t at = dom.find(needle);
    if (at == std::string::npos) return "";
    const size_t open = dom.rfind('<', at);
    return dom.substr(open, dom.find('>', at) - open + 1);
  }
  // From the start tag holding `needle` to its element's "</tr>", or "".
  static std::string Row(const std::string& dom, const std::string& needle) {
    const size_t at = dom.find(needle);
    if (at == std::string::npos) return "";
    return dom.substr(at, dom.find("</tr>", at) - at);
  }

  static std::string Totals(const Struct& s, const std::string& key) {
    return s.fields()
        .at("totals")
        .struct_value()
        .fields()
        .at(key)
        .string_value();
  }

  static Env* env_;
};

WebBrowserTest::Env* WebBrowserTest::env_ = nullptr;

TEST_F(WebBrowserTest, HeadlineNumbersEqualTheApiAndNothingLeavesLoopback) {
  Struct nation;
  ASSERT_TRUE(env_->GetJson("/api/v1/nation/summary", env_->viewer, &nation));
  const std::string netlog = env_->dir + "/netlog_dashboard.json";
  const std::string dom = Dom(Base() + "/#token=" + env_->viewer, netlog);
  ASSERT_NE(dom.find("data-loaded=\"true\""), std::string::npos) << dom;
  for (const char* key : {"cases_registered", "cases_active", "cases_completed",
                          "prison_days_averted", "cases_at_risk"}) {
    EXPECT_EQ(DataValue(dom, "id", std::string("headline-") + key),
              Totals(nation, key))
        << key;
  }
  EXPECT_EQ(DataValue(dom, "id", "headline-cases_registered"), "49");
  // The supervision and placements tiles show the API's figures too (this
  // scenario has no such upstream: they must read 0, not be missing).
  EXPECT_EQ(DataValue(dom, "id", "headline-pk_assignments_active"),
            Totals(nation, "pk_assignments_active"));
  EXPECT_EQ(DataValue(dom, "id", "headline-sites_active"),
            nation.fields()
                .at("sites")
                .struct_value()
                .fields()
                .at("sites_active")
                .string_value());
  EXPECT_NE(dom.find("Beban kerja PK (klien aktif)"), std::string::npos)
      << "the new tile carries its Indonesian label";
  // The province table lists all 38, 64 with the API's figures.
  Struct p64;
  ASSERT_TRUE(
      env_->GetJson("/api/v1/provinces/64/summary", env_->viewer, &p64));
  EXPECT_NE(dom.find("<tr data-code=\"64\" class=\"drill\">"),
            std::string::npos);
  // Chart.js drew the trend (it sizes the canvas it draws on).
  EXPECT_NE(Tag(dom, "<canvas id=\"trend\"").find("height="), std::string::npos)
      << Tag(dom, "<canvas id=\"trend\"");
  // Default language: Bahasa Indonesia.
  EXPECT_NE(dom.find(">Angka utama<"), std::string::npos);

  std::ifstream in(netlog);
  std::stringstream log;
  log << in.rdbuf();
  ASSERT_FALSE(log.str().empty()) << "no network log";
  // Requests made on the page's behalf carry its site in their network
  // isolation key; the browser's own background traffic (component
  // updates, network time) carries none and is not the page's doing.
  Struct netlog_json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(log.str(), &netlog_json)
          .ok());
  int requests = 0;
  for (const auto& e :
       netlog_json.fields().at("events").list_value().values()) {
    const auto& fields = e.struct_value().fields();
    auto params = fields.find("params");
    if (params == fields.end()) continue;
    const auto& p = params->second.struct_value().fields();
    auto nik = p.find("network_isolation_key");
    auto url = p.find("url");
    if (nik == p.end() || url == p.end() ||
        nik->second.string_value().rfind("http://127.0.0.1 ", 0) != 0) {
      continue;
    }
    ++requests;
    EXPECT_EQ(url->second.string_value().rfind(Base() + "/", 0), 0u)
        << "the page requested " << url->second.string_value();
  }
  EXPECT_GT(requests, 5);
  Screenshot(Base() + "/#token=" + env_->viewer,
             std::string(KS_ARTIFACT_DIR) + "/reporting_dashboard.png");
  EXPECT_TRUE(std::filesystem::exists(std::string(KS_ARTIFACT_DIR) +
                                      "/reporting_dashboard.png"));
}

TEST_F(WebBrowserTest, DrillDownShowsTheProvincesRegenciesAsTheApiLists) {
  Struct list;
  ASSERT_TRUE(env_->GetJson("/api/v1/regencySummaries?parent=provinces/64",
                            env_->viewer, &list));
  const std::string dom =
      Dom(Base() + "/#token=" + env_->viewer + "&province=64",
          env_->dir + "/netlog_drill.json");
  ASSERT_NE(dom.find("data-loaded=\"true\""), std::string::npos);
  int rows = 0;
  for (const auto& v : list.fields().at("summaries").list_value().values()) {
    const auto& s = v.struct_value();
    const std::string name = s.fields().at("name").string_value();
    const std::string code = name.substr(10, 5);  // regencies/PP.RR/summary
    const std::string row = Row(dom, "<tr data-code=\"" + code + "\"");
    ASSERT_FALSE(row.empty()) << code;
    EXPECT_EQ(DataValue(row, "data-key", "cases_active"),
              Totals(s, "cases_active"))
        << code;
    EXPECT_EQ(DataValue(row, "data-key", "cases_completed"),
              Totals(s, "cases_completed"))
        << code;
    ++rows;
  }
  EXPECT_EQ(rows, 10);  // Kalimantan Timur's 7 regencies and 3 cities
  EXPECT_NE(dom.find("id=\"headline-cases_completed\" data-value=\"12\""),
            std::string::npos);
  EXPECT_NE(dom.find(">Kabupaten Paser<"), std::string::npos);
}

TEST_F(WebBrowserTest, PublicPageShowsTheSmallCellAsSuppressed) {
  Struct api;
  ASSERT_TRUE(env_->GetJson("/api/v1/publik", "", &api));
  const std::string dom =
      Dom(Base() + "/publik", env_->dir + "/netlog_public.json");
  ASSERT_NE(dom.find("data-loaded=\"true\""), std::string::npos) << dom;
  const std::string small =
      Row(dom, "<tr data-name=\"provinces/65/publicSummary\"");
  ASSERT_FALSE(small.empty());
  EXPECT_NE(small.find("data-cell=\"cases_completed\" "
                       "data-suppressed=\"true\""),
            std::string::npos)
      << small;
  EXPECT_EQ(small.find(">2<"), std::string::npos);  // the value is withheld
  // Its fines rest on the same 2 people: suppressed too.
  EXPECT_NE(small.find("data-cell=\"fines_replaced_rupiah\" "
                       "data-suppressed=\"true\""),
            std::string::npos)
      << small;
  // The nation's figure equals the API's.
  const std::string nation_row =
      Row(dom, "<tr data-name=\"nation/publicSummary\"");
  const auto& nation = api.fields().at("summaries").list_value().values(0);
  EXPECT_NE(nation_row.find("data-value=\"" +
                            nation.struct_value()
                                .fields()
                                .at("cases_completed")
                                .struct_value()
                                .fields()
                                .at("value")
                                .string_value() +
                            "\" data-cell=\"cases_completed\""),
            std::string::npos)
      << nation_row;
  // Fines replaced (Rp) are shown, equal to the API's and to the script's
  // (28 completed cases of kFineRupiah each).
  int completed = 0;
  for (const Scripted& s : kScenario) completed += s.completed;
  const std::string fines = nation.struct_value()
                                .fields()
                                .at("fines_replaced_rupiah")
                                .struct_value()
                                .fields()
                                .at("value")
                                .string_value();
  EXPECT_EQ(fines, std::to_string(completed * kFineRupiah));
  EXPECT_NE(nation_row.find("data-value=\"" + fines +
                            "\" data-cell=\"fines_replaced_rupiah\""),
            std::string::npos)
      << nation_row;
  Screenshot(Base() + "/publik",
             std::string(KS_ARTIFACT_DIR) + "/reporting_publik.png");
}

TEST_F(WebBrowserTest, CsvReadsWithPythonsCsvModuleAndMatchesTheApi) {
  std::string csv;
  ASSERT_TRUE(
      env_->Get("/v1/provinceSummaries.csv?lang=en", env_->viewer, &csv));
  const std::string file = env_->dir + "/provinces.csv";
  std::ofstream(file, std::ios::binary) << csv;
  std::string out;
  ASSERT_EQ(testing::RunCommand(
                "python3 -c 'import csv,sys\n"
                "rows = list(csv.DictReader(open(sys.argv[1], newline=\"\", "
                "encoding=\"utf-8\")))\n"
                "r = [x for x in rows if x[\"Region code\"] == \"64\"][0]\n"
                "print(len(rows), r[\"Region name\"], r[\"Cases registered\"], "
                "r[\"Cases completed\"], r[\"Cases active\"])' " +
                    file,
                &out),
            0)
      << out;
  Struct p64;
  ASSERT_TRUE(
      env_->GetJson("/api/v1/provinces/64/summary", env_->viewer, &p64));
  EXPECT_EQ(
      out, absl::StrCat("38 Kalimantan Timur ", Totals(p64, "cases_registered"),
                        " ", Totals(p64, "cases_completed"), " ",
                        Totals(p64, "cases_active"), "\n"));
}

TEST_F(WebBrowserTest, GetPublicSummaryAnswersEveryScopeAndRefusesUnknownOnes) {
  // The same suppression whichever scope is asked: 65's completed cases.
  Struct p65;
  ASSERT_TRUE(
      env_->GetJson("/api/v1/provinces/65/publicSummary", env_->viewer, &p65));
  const auto& cell = p65.fields().at("cases_completed").struct_value().fields();
  EXPECT_TRUE(cell.at("suppressed").bool_value());
  EXPECT_EQ(cell.at("value").string_value(), "0");
  Struct r6501;
  ASSERT_TRUE(env_->GetJson("/api/v1/regencies/65.01/publicSummary",
                            env_->viewer, &r6501));
  EXPECT_TRUE(r6501.fields()
                  .at("cases_completed")
                  .struct_value()
                  .fields()
                  .at("suppressed")
                  .bool_value());
  // A well-formed code that names no regency: NOT_FOUND.
  httplib::Client http("127.0.0.1", env_->http_port);
  auto unknown = http.Get("/api/v1/regencies/99.99/publicSummary",
                          {{"Authorization", "Bearer " + env_->viewer}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  EXPECT_NE(unknown->body.find(R"("code":5)"), std::string::npos);
  // Without a token: UNAUTHENTICATED from reporting, through the gateway.
  auto anonymous = http.Get("/api/v1/nation/publicSummary");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(WebBrowserTest, ClickingDrillsDownAndBackAndSwitchesLanguage) {
  // Real clicks over the DevTools protocol (web_click.py).
  std::string out;
  const std::string profile = env_->dir + "/chromium_clicks";
  ASSERT_EQ(
      testing::RunCommand(absl::StrCat("python3 ", KS_CLICK_SCRIPT, " ",
                                       kChromium, " ", profile, " '", Base(),
                                       "/#token=", env_->viewer, "' 2>&1"),
                          &out),
      0)
      << out;
  Struct seen;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &seen).ok())
      << out;
  const auto& f = seen.fields();
  Struct r6401;
  ASSERT_TRUE(
      env_->GetJson("/api/v1/regencies/64.01/summary", env_->viewer, &r6401));
  Struct p64;
  ASSERT_TRUE(
      env_->GetJson("/api/v1/provinces/64/summary", env_->viewer, &p64));
  EXPECT_EQ(f.at("provinces").number_value(), 38);
  EXPECT_EQ(f.at("hash").string_value(), "#province=64");
  EXPECT_EQ(f.at("regencies").number_value(), 10);
  EXPECT_EQ(f.at("r6401_active").string_value(), Totals(r6401, "cases_active"));
  EXPECT_EQ(f.at("headline_completed").string_value(),
            Totals(p64, "cases_completed"));
  EXPECT_EQ(f.at("table_title").string_value(), "Kabupaten/kota");
  EXPECT_EQ(f.at("back_rows").number_value(), 38);
  EXPECT_EQ(f.at("english").string_value(), "Headline figures");
  EXPECT_EQ(f.at("english_lang").string_value(), "en");
  EXPECT_EQ(f.at("indonesian").string_value(), "Angka utama");
}

TEST_F(WebBrowserTest, RankingAndComparisonCsvMatchTheApiAndKeepItsAccessRule) {
  const std::string range =
      "range.start_date=2026-01-01&range.end_date=2027-12-31";
  std::string rank;
  ASSERT_TRUE(
      env_->Get("/v1/rankScopes.csv?lang=en&level=PROVINCE&metric="
                "CASES_COMPLETED&" +
                    range,
                env_->viewer, &rank));
  // Highest first: Sulawesi Tengah (14), Kalimantan Timur (12), then 2.
  EXPECT_EQ(rank.rfind("Rank,Region code,Region name,Cases completed,Last "
                       "event\r\n1,72,Sulawesi Tengah,14,",
                       0),
            0u)
      << rank.substr(0, 300);
  EXPECT_NE(rank.find("\r\n2,64,Kalimantan Timur,12,"), std::string::npos);
  std::string compare;
  ASSERT_TRUE(
      env_->Get("/v1/compareScopes.csv?scope_a=provinces/64&scope_b="
                "provinces/72&metrics=CASES_COMPLETED&granularity="
                "MONTH&" +
                    range,
                env_->viewer, &compare));
  EXPECT_EQ(compare.rfind("Tanggal mulai,Tanggal akhir,64 — Perkara selesai,"
                          "72 — Perkara selesai\r\n",
                          0),
            0u)
      << compare.substr(0, 200);
  int64_t a = 0, b = 0;
  std::istringstream lines(compare);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::stringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
    ASSERT_EQ(f.size(), 4u) << line;
    a += std::stoll(f[2]);
    b += std::stoll(f[3]);
  }
  EXPECT_EQ(a, 12);
  EXPECT_EQ(b, 14);
  // Upstreams need ADMIN: the CSV route answers what the rpc answers.
  httplib::Client http("127.0.0.1", env_->http_port);
  auto denied = http.Get("/v1/upstreams.csv",
                         {{"Authorization", "Bearer " + env_->viewer}});
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
}

}  // namespace
}  // namespace ks
