#include "services/reporting/web/gateway.h"

#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/http/http_side.h"
#include "common/log/log.h"
#include "common/regions/regions.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "kerjasosial/reporting/v1/reporting_service.grpc.pb.h"
#include "services/reporting/web/csv.h"
#include "services/reporting/web/labels.h"
#include "services/reporting/web/query.h"

namespace ks::embedded {
extern const std::string_view kDashboardHtml;
extern const std::string_view kDashboardJs;
extern const std::string_view kCommonJs;
extern const std::string_view kPublicHtml;
extern const std::string_view kPublicJs;
extern const std::string_view kStyleCss;
}  // namespace ks::embedded

namespace ks::reporting::web {
namespace {

using google::protobuf::Message;
using http::ReplyCsv;
using http::ReplyError;
using Stub = rv1::Reporting::StubInterface;
template <typename Req, typename Resp>
using Rpc = grpc::Status (Stub::*)(grpc::ClientContext*, const Req&, Resp*);

// Scope path segments: nation, provinces/PP, regencies/PP.RR.
constexpr char kScope[] =
    R"((nation|provinces/[0-9]{2}|regencies/[0-9]{2}\.[0-9]{2}))";
// Pages fetched for a whole-table CSV; every list's page size makes the
// largest table (514 regencies) a handful of pages.
constexpr int kMaxCsvPages = 64;

std::string ToJson(const Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  // Field names as in the proto (the label keys) and zeros printed, so a
  // headline of 0 shows as 0 rather than as a missing field.
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(m, &json, options);
  if (!status.ok()) {
    // Only an Any of an unknown type fails; reporting sends none.
    return R"({"code":13,"message":"the answer could not be written as JSON"})";
  }
  return json;
}

void ReplyJson(httplib::Response& res, const Message& m) {
  res.status = 200;
  res.set_content(ToJson(m), "application/json");
}

// The query parameters of `req` but `lang`.
std::multimap<std::string, std::string> QueryOf(const httplib::Request& req) {
  std::multimap<std::string, std::string> out;
  for (const auto& [k, v] : req.params) {
    if (k != "lang") out.emplace(k, v);
  }
  return out;
}

absl::StatusOr<Language> LanguageOf(const httplib::Request& req) {
  const std::string code = req.get_param_value("lang");
  std::optional<Language> lang = ParseLanguage(code);
  if (!lang) {
    return InvalidArgumentError(
        {{"lang",
          absl::StrCat("must be \"id\" or \"en\", got \"", code, "\"")}});
  }
  return *lang;
}

std::string RegionsJson() {
  google::protobuf::Struct out;
  auto* provinces = (*out.mutable_fields())["provinces"].mutable_list_value();
  for (const regions::Province& p : regions::Regions::Get().provinces()) {
    auto* f = provinces->add_values()->mutable_struct_value()->mutable_fields();
    (*f)["code"].set_string_value(p.code);
    (*f)["name"].set_string_value(p.name);
    (*f)["time_zone"].set_string_value(p.time_zone);
  }
  auto* regencies = (*out.mutable_fields())["regencies"].mutable_list_value();
  for (const regions::Regency& r : regions::Regions::Get().regencies()) {
    auto* f = regencies->add_values()->mutable_struct_value()->mutable_fields();
    (*f)["code"].set_string_value(r.code);
    (*f)["province_code"].set_string_value(r.province_code);
    (*f)["name"].set_string_value(r.name);
  }
  return ToJson(out);
}

}  // namespace

// The handlers, with what they share: the stub, the options, Chart.js and
// the public page's cache.
class Gateway::Routes {
 public:
  Routes(GatewayOptions options, std::string chartjs)
      : options_(std::move(options)),
        stub_(rv1::Reporting::NewStub(options_.reporting)),
        chartjs_(std::move(chartjs)),
        regions_json_(RegionsJson()),
        labels_json_(LabelsJson()) {}

  void Register(httplib::Server& s);

 private:
  // One rpc with the caller's Authorization header forwarded.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Call(Rpc<Req, Resp> rpc, const Req& request,
                            const std::string& authorization) const {
    grpc::ClientContext context;
    http::AddAuthorization(authorization, &context);
    // gRPC deadlines are wall-clock; the injectable clock only ages caches.
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
    Resp response;
    const grpc::Status status =
        (stub_.get()->*rpc)(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  // GET `pattern` answers `rpc` in JSON: the query fills the request, then
  // `from_path` sets the fields the path names.
  template <typename Req, typename Resp>
  void Json(httplib::Server& s, const std::string& pattern, Rpc<Req, Resp> rpc,
            std::function<void(const httplib::Match&, Req*)> from_path = {}) {
    s.Get(pattern, [this, rpc, from_path](const httplib::Request& req,
                                          httplib::Response& res) {
      Req request;
      if (absl::Status st = FillFromQuery(QueryOf(req), &request); !st.ok()) {
        return ReplyError(res, st);
      }
      if (from_path) from_path(req.matches, &request);
      absl::StatusOr<Resp> r =
          Call(rpc, request, req.get_header_value("Authorization"));
      if (!r.ok()) return ReplyError(res, r.status());
      ReplyJson(res, *r);
    });
  }

  // Every page of a list rpc, following next_page_token.
  template <typename Req, typename Resp, typename Item>
  absl::Status AllPages(
      Rpc<Req, Resp> rpc, Req request, const std::string& authorization,
      const google::protobuf::RepeatedPtrField<Item>& (Resp::*items)() const,
      std::vector<Item>* out) const {
    for (int page = 0; page < kMaxCsvPages; ++page) {
      KS_ASSIGN_OR_RETURN(Resp r, Call(rpc, request, authorization));
      for (const Item& item : (r.*items)()) out->push_back(item);
      if (r.next_page_token().empty()) return absl::OkStatus();
      request.set_page_token(r.next_page_token());
    }
    return absl::ResourceExhaustedError(
        absl::StrCat("more than ", kMaxCsvPages,
                     " pages; ask for a smaller "
                     "table"));
  }

  // The public figures of the nation and every province, from the cache when
  // fresh enough.
  absl::StatusOr<std::vector<rv1::PublicSummary>> PublicFigures();

  // GET `pattern` (with `lang`) renders CSV with `render`.
  void Csv(httplib::Server& s, const std::string& pattern,
           std::function<absl::StatusOr<std::string>(
               const httplib::Request&, Language, std::string* filename)>
               render) {
    s.Get(pattern,
          [render](const httplib::Request& req, httplib::Response& res) {
            absl::StatusOr<Language> lang = LanguageOf(req);
            if (!lang.ok()) return ReplyError(res, lang.status());
            std::string filename;
            absl::StatusOr<std::string> body = render(req, *lang, &filename);
            if (!body.ok()) return ReplyError(res, body.status());
            ReplyCsv(res, *std::move(body), filename);
          });
  }

  void RegisterPages(httplib::Server& s);
  void RegisterJson(httplib::Server& s);
  void RegisterCsv(httplib::Server& s);

  const GatewayOptions options_;
  const std::unique_ptr<Stub> stub_;
  const std::string chartjs_;
  const std::string regions_json_;
  const std::string labels_json_;

  absl::Mutex mu_;
  absl::Time public_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::vector<rv1::PublicSummary> public_ ABSL_GUARDED_BY(mu_);
};

void Gateway::Routes::Register(httplib::Server& s) {
  RegisterPages(s);
  RegisterJson(s);
  RegisterCsv(s);
}

void Gateway::Routes::RegisterPages(httplib::Server& s) {
  auto serve = [&s](const std::string& path, std::string_view body,
                    const char* type) {
    s.Get(path, [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(body), type);
    });
  };
  serve("/", embedded::kDashboardHtml, "text/html; charset=utf-8");
  serve("/static/app.js", embedded::kDashboardJs,
        "text/javascript; charset=utf-8");
  serve("/static/common.js", embedded::kCommonJs,
        "text/javascript; charset=utf-8");
  serve("/static/public.js", embedded::kPublicJs,
        "text/javascript; charset=utf-8");
  serve("/static/style.css", embedded::kStyleCss, "text/css; charset=utf-8");
  serve("/static/chart.min.js", chartjs_, "text/javascript; charset=utf-8");
  if (!options_.public_token.empty()) {
    serve("/publik", embedded::kPublicHtml, "text/html; charset=utf-8");
  }
  serve("/api/v1/labels", labels_json_, "application/json");
  serve("/api/v1/regions", regions_json_, "application/json");
}

void Gateway::Routes::RegisterJson(httplib::Server& s) {
  using Match = httplib::Match;
  Json<rv1::GetNationalSummaryRequest, rv1::Summary>(
      s, "/api/v1/nation/summary", &Stub::GetNationalSummary,
      [](const Match&, rv1::GetNationalSummaryRequest* r) {
        r->set_name("nation/summary");
      });
  Json<rv1::GetProvinceSummaryRequest, rv1::Summary>(
      s, R"(/api/v1/provinces/([0-9]{2})/summary)", &Stub::GetProvinceSummary,
      [](const Match& m, rv1::GetProvinceSummaryRequest* r) {
        r->set_name(absl::StrCat("provinces/", m[1].str(), "/summary"));
      });
  Json<rv1::GetRegencySummaryRequest, rv1::Summary>(
      s, R"(/api/v1/regencies/([0-9]{2}\.[0-9]{2})/summary)",
      &Stub::GetRegencySummary,
      [](const Match& m, rv1::GetRegencySummaryRequest* r) {
        r->set_name(absl::StrCat("regencies/", m[1].str(), "/summary"));
      });
  Json<rv1::ListProvinceSummariesRequest, rv1::ListProvinceSummariesResponse>(
      s, "/api/v1/provinceSummaries", &Stub::ListProvinceSummaries);
  Json<rv1::ListRegencySummariesRequest, rv1::ListRegencySummariesResponse>(
      s, "/api/v1/regencySummaries", &Stub::ListRegencySummaries);
  Json<rv1::GetTimeSeriesRequest, rv1::GetTimeSeriesResponse>(
      s, absl::StrCat("/api/v1/", kScope, "/timeSeries"), &Stub::GetTimeSeries,
      [](const Match& m, rv1::GetTimeSeriesRequest* r) {
        r->set_scope(m[1].str());
      });
  Json<rv1::CompareScopesRequest, rv1::CompareScopesResponse>(
      s, "/api/v1/compareScopes", &Stub::CompareScopes);
  Json<rv1::RankScopesRequest, rv1::RankScopesResponse>(s, "/api/v1/rankScopes",
                                                        &Stub::RankScopes);
  Json<rv1::ListUpstreamsRequest, rv1::ListUpstreamsResponse>(
      s, "/api/v1/upstreams", &Stub::ListUpstreams);
  Json<rv1::GetUpstreamRequest, rv1::Upstream>(
      s, R"(/api/v1/upstreams/([a-z0-9-]+))", &Stub::GetUpstream,
      [](const Match& m, rv1::GetUpstreamRequest* r) {
        r->set_name(absl::StrCat("upstreams/", m[1].str()));
      });
  Json<rv1::ListRebuildsRequest, rv1::ListRebuildsResponse>(
      s, "/api/v1/rebuilds", &Stub::ListRebuilds);
  Json<rv1::GetRebuildRequest, rv1::Rebuild>(
      s, R"(/api/v1/rebuilds/([A-Za-z0-9_-]+))", &Stub::GetRebuild,
      [](const Match& m, rv1::GetRebuildRequest* r) {
        r->set_name(absl::StrCat("rebuilds/", m[1].str()));
      });
  Json<rv1::GetPublicSummaryRequest, rv1::PublicSummary>(
      s, absl::StrCat("/api/v1/", kScope, "/publicSummary"),
      &Stub::GetPublicSummary,
      [](const Match& m, rv1::GetPublicSummaryRequest* r) {
        r->set_name(absl::StrCat(m[1].str(), "/publicSummary"));
      });
  if (!options_.public_token.empty()) {
    s.Get("/api/v1/publik", [this](const httplib::Request&,
                                   httplib::Response& res) {
      absl::StatusOr<std::vector<rv1::PublicSummary>> figures = PublicFigures();
      if (!figures.ok()) return ReplyError(res, figures.status());
      std::vector<std::string> parts;
      for (const rv1::PublicSummary& p : *figures) parts.push_back(ToJson(p));
      res.set_content(
          absl::StrCat(R"({"summaries":[)", absl::StrJoin(parts, ","), "]}"),
          "application/json");
    });
  }
}

void Gateway::Routes::RegisterCsv(httplib::Server& s) {
  using Req = httplib::Request;
  Csv(s, absl::StrCat("/v1/", kScope, "/timeSeries.csv"),
      [this](const Req& req, Language lang,
             std::string* filename) -> absl::StatusOr<std::string> {
        rv1::GetTimeSeriesRequest request;
        KS_RETURN_IF_ERROR(FillFromQuery(QueryOf(req), &request));
        request.set_scope(req.matches[1].str());
        KS_ASSIGN_OR_RETURN(auto r,
                            Call(&Stub::GetTimeSeries, request,
                                 req.get_header_value("Authorization")));
        *filename = "timeSeries.csv";
        return TimeSeriesCsv(r, lang);
      });
  Csv(s, R"(/v1/(nation|provinces/[0-9]{2})/regencySummaries.csv)",
      [this](const Req& req, Language lang,
             std::string* filename) -> absl::StatusOr<std::string> {
        rv1::ListRegencySummariesRequest request;
        KS_RETURN_IF_ERROR(FillFromQuery(QueryOf(req), &request));
        if (req.matches[1].str() != "nation") {
          request.set_parent(req.matches[1].str());
        }
        request.set_page_size(600);
        std::vector<rv1::Summary> all;
        KS_RETURN_IF_ERROR(
            AllPages(&Stub::ListRegencySummaries, request,
                     req.get_header_value("Authorization"),
                     &rv1::ListRegencySummariesResponse::summaries, &all));
        *filename = "regencySummaries.csv";
        return SummariesCsv(all, lang);
      });
  Csv(s, "/v1/provinceSummaries.csv",
      [this](const Req& req, Language lang,
             std::string* filename) -> absl::StatusOr<std::string> {
        rv1::ListProvinceSummariesRequest request;
        KS_RETURN_IF_ERROR(FillFromQuery(QueryOf(req), &request));
        request.set_page_size(100);
        std::vector<rv1::Summary> all;
        KS_RETURN_IF_ERROR(
            AllPages(&Stub::ListProvinceSummaries, request,
                     req.get_header_value("Authorization"),
                     &rv1::ListProvinceSummariesResponse::summaries, &all));
        *filename = "provinceSummaries.csv";
        return SummariesCsv(all, lang);
      });
  Csv(s, "/v1/compareScopes.csv",
      [this](const Req& req, Language lang,
             std::string* filename) -> absl::StatusOr<std::string> {
        rv1::CompareScopesRequest request;
        KS_RETURN_IF_ERROR(FillFromQuery(QueryOf(req), &request));
        KS_ASSIGN_OR_RETURN(auto r,
                            Call(&Stub::CompareScopes, request,
                                 req.get_header_value("Authorization")));
        *filename = "compareScopes.csv";
        return CompareCsv(r, request.scope_a(), request.scope_b(), lang);
      });
  Csv(s, "/v1/rankScopes.csv",
      [this](const Req& req, Language lang,
             std::string* filename) -> absl::StatusOr<std::string> {
        rv1::RankScopesRequest request;
        KS_RETURN_IF_ERROR(FillFromQuery(QueryOf(req), &request));
        request.set_page_size(514);
        rv1::RankScopesResponse all;
        std::vector<rv1::RankedScope> ranked;
        KS_RETURN_IF_ERROR(AllPages(&Stub::RankScopes, request,
                                    req.get_header_value("Authorization"),
                                    &rv1::RankScopesResponse::ranked, &ranked));
        for (auto& r : ranked) *all.add_ranked() = std::move(r);
        *filename = "rankScopes.csv";
        return RankingCsv(all, request.metric(), lang);
      });
  Csv(s, "/v1/upstreams.csv",
      [this](const Req& req, Language lang,
             std::string* filename) -> absl::StatusOr<std::string> {
        rv1::ListUpstreamsRequest request;
        KS_RETURN_IF_ERROR(FillFromQuery(QueryOf(req), &request));
        request.set_page_size(1000);
        std::vector<rv1::Upstream> all;
        KS_RETURN_IF_ERROR(AllPages(&Stub::ListUpstreams, request,
                                    req.get_header_value("Authorization"),
                                    &rv1::ListUpstreamsResponse::upstreams,
                                    &all));
        *filename = "upstreams.csv";
        return UpstreamsCsv(all, lang);
      });
  if (!options_.public_token.empty()) {
    Csv(s, "/v1/publik.csv",
        [this](const Req&, Language lang,
               std::string* filename) -> absl::StatusOr<std::string> {
          KS_ASSIGN_OR_RETURN(auto figures, PublicFigures());
          *filename = "publik.csv";
          return PublicCsv(figures, lang);
        });
  }
}

absl::StatusOr<std::vector<rv1::PublicSummary>>
Gateway::Routes::PublicFigures() {
  const absl::Time now = options_.clock->Now();
  {
    absl::MutexLock lock(&mu_);
    if (now - public_at_ < options_.public_cache_for) return public_;
  }
  // Fetched outside the lock: a slow reporting must not block the readers
  // of a fresh cache; two refreshes racing both store the same figures.
  std::vector<std::string> names = {"nation/publicSummary"};
  for (const regions::Province& p : regions::Regions::Get().provinces()) {
    names.push_back(absl::StrCat("provinces/", p.code, "/publicSummary"));
  }
  const std::string authorization =
      absl::StrCat("Bearer ", options_.public_token);
  std::vector<rv1::PublicSummary> figures;
  for (const std::string& name : names) {
    rv1::GetPublicSummaryRequest request;
    request.set_name(name);
    KS_ASSIGN_OR_RETURN(rv1::PublicSummary p,
                        Call(&Stub::GetPublicSummary, request, authorization));
    figures.push_back(std::move(p));
  }
  absl::MutexLock lock(&mu_);
  public_ = figures;
  public_at_ = now;
  return figures;
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(
    GatewayOptions options) {
  if (options.reporting == nullptr || options.threads < 1) {
    return InvalidArgumentError(
        {{options.reporting == nullptr ? "reporting" : "threads",
          "the gateway needs a channel to reporting and at least one thread"}});
  }
  std::ifstream in(options.chartjs_file, std::ios::binary);
  std::stringstream chartjs;
  chartjs << in.rdbuf();
  if (!in || chartjs.str().empty()) {
    return absl::NotFoundError(absl::StrCat(
        "Chart.js not found at ", options.chartjs_file,
        " (install Debian's libjs-chart.js, or set --chartjs_file)"));
  }
  std::unique_ptr<Gateway> g(new Gateway());
  auto server = std::make_unique<httplib::Server>();
  httplib::Server& s = *server;
  const int threads = options.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // A worker serves one connection at a time, idle keep-alive included: a
  // browser holds up to six, so a long keep-alive starves the pool and
  // every further request waits for an idle one to time out.
  s.set_keep_alive_timeout(1);
  s.set_default_headers({
      // No other origin: no CDN, no beacon, no font; the pages work offline.
      {"Content-Security-Policy",
       "default-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
  });
  const std::string host = options.host;
  const int port = options.port;
  g->routes_ = std::make_unique<Routes>(std::move(options), chartjs.str());
  g->routes_->Register(s);
  KS_ASSIGN_OR_RETURN(g->side_,
                      http::HttpSide::Serve(std::move(server), host, port));
  return g;
}

Gateway::~Gateway() {
  // The server stops (its handlers finish) before the routes they use go.
  side_.reset();
}

int Gateway::port() const { return side_->port(); }

}  // namespace ks::reporting::web
