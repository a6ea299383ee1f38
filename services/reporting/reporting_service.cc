#include "services/reporting/reporting_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids/id.h"
#include "common/regions/regions.h"
#include "common/rpc/page_token.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/reporting/domain/summary_order.h"
#include "services/reporting/domain/suppression.h"
#include "services/reporting/domain/upstream_filter.h"

namespace ks::reporting {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;
using ::kerjasosial::common::v1::DateRange;

constexpr char kService[] = "kerjasosial.reporting.v1.Reporting";
constexpr char kUpstreamPattern[] = "upstreams/{upstream}";
constexpr char kUpstreamIndex[] = "upstreams";
// Maximum buckets of one time series (GetTimeSeries' contract).
constexpr int kMaxBuckets = 260;

std::string UpstreamKey(absl::string_view id) {
  return absl::StrCat("upstream:", id);
}
std::string AddressClaimKey(const rv1::Upstream& u) {
  return absl::StrCat("upstream-address:", static_cast<int>(u.kind()), ":",
                      u.address());
}
std::string IdOf(absl::string_view name) {
  return std::string(name.substr(name.find('/') + 1));
}

bool IsNational(const auth::Principal& p) {
  return p.role == auth::Role::NATIONAL_VIEWER || p.role == auth::Role::ADMIN ||
         std::find(p.regencies.begin(), p.regencies.end(), "*") !=
             p.regencies.end();
}

// Whether the caller may read `scope` ("N", "P:64", "R:64.01"):
// national roles everything; others their regencies and the provinces
// their scope names whole.
absl::Status CheckScope(const rpc::Call& call, const std::string& scope) {
  const auth::Principal& p = call.principal;
  if (IsNational(p)) return absl::OkStatus();
  bool ok = false;
  if (absl::StartsWith(scope, "R:")) {
    ok = p.MayActIn(scope.substr(2));
  } else if (absl::StartsWith(scope, "P:")) {
    ok = std::find(p.regencies.begin(), p.regencies.end(), scope.substr(2)) !=
         p.regencies.end();
  }
  if (ok) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "the scope is outside the caller's regencies");
}

// "nation" / "provinces/64" / "regencies/64.01" -> "N" / "P:64" / "R:64.01";
// INVALID_ARGUMENT naming `field` otherwise (unknown codes too).
absl::StatusOr<std::string> ParseScope(absl::string_view field,
                                       absl::string_view scope) {
  const regions::Regions& regions = regions::Regions::Get();
  if (scope == "nation") return std::string("N");
  if (absl::ConsumePrefix(&scope, "provinces/") &&
      regions.IsValidProvinceCode(scope)) {
    return absl::StrCat("P:", scope);
  }
  if (absl::ConsumePrefix(&scope, "regencies/") &&
      regions::Regions::IsWellFormedRegencyCode(scope) &&
      regions.ProvinceOf(scope).ok()) {
    return absl::StrCat("R:", scope);
  }
  Validator v;
  v.AddViolation(field,
                 "must be `nation`, `provinces/{province}` or "
                 "`regencies/{regency}` of a known code");
  return v.Finish();
}

absl::CivilDay DayOf(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

google::type::Date DateOf(absl::CivilDay d) {
  google::type::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

// Checks the metrics, granularity and range of a series request.
void CheckSeries(Validator& v, absl::string_view metrics_field,
                 const google::protobuf::RepeatedField<int>& metrics,
                 absl::string_view granularity_field, rv1::Granularity g,
                 absl::string_view range_field, bool has_range,
                 const DateRange& range) {
  if (metrics.empty() || metrics.size() > 20) {
    v.AddViolation(metrics_field, "must name 1 to 20 metrics");
  }
  for (int i = 0; i < metrics.size(); ++i) {
    if (metrics[i] == rv1::METRIC_UNSPECIFIED ||
        !rv1::Metric_IsValid(metrics[i])) {
      v.AddViolation(absl::StrCat(metrics_field, "[", i, "]"),
                     "must be a known metric");
    }
    for (int j = 0; j < i; ++j) {
      if (metrics[j] == metrics[i]) {
        v.AddViolation(absl::StrCat(metrics_field, "[", i, "]"),
                       "must not repeat a metric");
      }
    }
  }
  if (g == rv1::GRANULARITY_UNSPECIFIED) {
    v.AddViolation(granularity_field, "must be MONTH or WEEK");
  }
  if (!has_range || !range.has_start_date() || !range.has_end_date()) {
    v.AddViolation(range_field, "must have a start_date and an end_date");
    return;
  }
  if (!v.Date(absl::StrCat(range_field, ".start_date"), range.start_date()) ||
      !v.Date(absl::StrCat(range_field, ".end_date"), range.end_date())) {
    return;
  }
  const absl::CivilDay first = DayOf(range.start_date());
  const absl::CivilDay last = DayOf(range.end_date());
  if (last < first) {
    v.AddViolation(absl::StrCat(range_field, ".end_date"),
                   "must not be before start_date");
    return;
  }
  if (g != rv1::GRANULARITY_UNSPECIFIED) {
    int buckets = 0;
    for (absl::CivilDay d = domain::BucketStart(g, first);
         d <= last && buckets <= kMaxBuckets; d = domain::BucketEnd(g, d) + 1) {
      ++buckets;
    }
    if (buckets > kMaxBuckets) {
      v.AddViolation(range_field, absl::StrCat("must cover at most ",
                                               kMaxBuckets, " buckets"));
    }
  }
}

// The stored Upstream as the API shows it (config and etag only).
rv1::Upstream WithEtag(rv1::Upstream u, int64_t version) {
  u.set_etag(outbox::Etag(version));
  return u;
}

// Clears what the API computes at read time, so a stored record holds only
// its configuration.
rv1::Upstream ConfigOnly(rv1::Upstream u) {
  u.clear_cursor();
  u.clear_events_applied();
  u.clear_last_event_time();
  u.clear_lag_seconds();
  u.clear_state();
  u.clear_last_error();
  u.clear_last_error_time();
  u.clear_events_rejected();
  u.clear_etag();
  return u;
}

void CheckUpstreamConfig(Validator& v, const rv1::Upstream& u) {
  if (u.kind() == rv1::UPSTREAM_KIND_UNSPECIFIED) {
    v.AddViolation("upstream.kind", "must be CASES, PLACEMENTS or SUPERVISION");
  }
  const std::string& address = u.address();
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 ||
      port > 65535) {
    v.AddViolation("upstream.address", "must be host:port");
  } else if (!u.use_tls()) {
    const std::string host = address.substr(0, colon);
    if (host != "127.0.0.1" && host != "localhost" && host != "[::1]") {
      v.AddViolation("upstream.use_tls",
                     "must be true for a non-loopback address (DESIGN §6)");
    }
  }
  for (int i = 0; i < u.regency_codes_size(); ++i) {
    v.RegencyCode(absl::StrCat("upstream.regency_codes[", i, "]"),
                  u.regency_codes(i));
  }
}

}  // namespace

ReportingService::ReportingService(server::Runtime& runtime,
                                   ReportingServiceOptions options)
    : runtime_(runtime),
      options_(std::move(options)),
      pipeline_(runtime.auth(), runtime.outbox(), kService),
      aggregates_(runtime.redis(), runtime.key_prefix()),
      runner_(runtime.redis(), aggregates_, runtime.key_prefix(),
              options_.credentials, options_.ca_file, SystemClock(),
              options_.upstream_workers) {}

ReportingService::~ReportingService() {
  {
    absl::MutexLock lock(&rebuild_mu_);
    stopping_ = true;
  }
  if (rebuild_thread_.joinable()) rebuild_thread_.join();
  runner_.StopAll();
}

absl::Status ReportingService::Start() {
  KS_ASSIGN_OR_RETURN(std::vector<rv1::Upstream> stored, LoadAllUpstreams());
  for (const rv1::Upstream& u : stored) runner_.Run(u);
  for (const rv1::Upstream& configured : options_.configured) {
    const std::string id = IdOf(configured.name());
    if (std::any_of(stored.begin(), stored.end(), [&](const rv1::Upstream& u) {
          return IdOf(u.name()) == id;
        })) {
      continue;  // the stored record wins over the file
    }
    rv1::CreateUpstreamRequest req;
    *req.mutable_upstream() = configured;
    req.mutable_upstream()->clear_name();
    req.set_upstream_id(id);
    req.set_request_id(absl::StrCat("config-", id));
    KS_RETURN_IF_ERROR(DoCreateUpstream(nullptr, req).status());
  }
  return absl::OkStatus();
}

// ---- Summaries ----

absl::StatusOr<std::vector<rv1::Summary>> ReportingService::SummariesOf(
    const std::vector<std::string>& scopes) {
  KS_ASSIGN_OR_RETURN(std::vector<store::AggregateStore::ScopeFigures> figures,
                      aggregates_.ReadScopes(scopes));
  std::vector<rv1::Summary> out(scopes.size());
  for (size_t i = 0; i < scopes.size(); ++i) {
    rv1::Summary& s = out[i];
    const std::string& scope = scopes[i];
    domain::FillSummary(figures[i].all, figures[i].at_risk, figures[i].overdue,
                        &s, figures[i].integrasi_clients);
    if (scope == "N") {
      s.set_name("nation/summary");
      s.set_scope(rv1::SUMMARY_SCOPE_NATION);
    } else if (absl::StartsWith(scope, "P:")) {
      const std::string code = scope.substr(2);
      s.set_name(absl::StrCat("provinces/", code, "/summary"));
      s.set_scope(rv1::SUMMARY_SCOPE_PROVINCE);
      s.mutable_region()->set_province_code(code);
    } else {
      const std::string code = scope.substr(2);
      s.set_name(absl::StrCat("regencies/", code, "/summary"));
      s.set_scope(rv1::SUMMARY_SCOPE_REGENCY);
      s.mutable_region()->set_regency_code(code);
      s.mutable_region()->set_province_code(code.substr(0, 2));
    }
    s.set_stale(runner_.Stale(scope));
    if (figures[i].last_received != absl::InfinitePast()) {
      s.mutable_as_of_time()->set_seconds(
          absl::ToUnixSeconds(figures[i].last_received));
    }
  }
  return out;
}

absl::StatusOr<rv1::Summary> ReportingService::SummaryOf(
    const std::string& scope) {
  KS_ASSIGN_OR_RETURN(std::vector<rv1::Summary> s, SummariesOf({scope}));
  return std::move(s.front());
}

grpc::ServerUnaryReactor* ReportingService::GetNationalSummary(
    grpc::CallbackServerContext* ctx, const rv1::GetNationalSummaryRequest* req,
    rv1::Summary* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(
            *ctx, "GetNationalSummary", *req,
            rpc::Envelope("", "", false, [&](Validator& v) {
              if (!req->name().empty() && req->name() != "nation/summary") {
                v.AddViolation("name", "must be `nation/summary` or empty");
              }
            })));
    if (!IsNational(call.principal)) {
      return absl::PermissionDeniedError(
          "the national summary needs a national scope");
    }
    return rpc::Answer(SummaryOf("N"), resp);
  });
}

grpc::ServerUnaryReactor* ReportingService::GetProvinceSummary(
    grpc::CallbackServerContext* ctx, const rv1::GetProvinceSummaryRequest* req,
    rv1::Summary* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "GetProvinceSummary", *req,
                        rpc::Envelope("name", "provinces/{province}/summary")));
    const std::string& code = call.vars["province"];
    if (!regions::Regions::Get().IsValidProvinceCode(code)) {
      Validator v;
      v.AddViolation("name", "must name a known province");
      return v.Finish();
    }
    const std::string scope = absl::StrCat("P:", code);
    KS_RETURN_IF_ERROR(CheckScope(call, scope));
    return rpc::Answer(SummaryOf(scope), resp);
  });
}

grpc::ServerUnaryReactor* ReportingService::GetRegencySummary(
    grpc::CallbackServerContext* ctx, const rv1::GetRegencySummaryRequest* req,
    rv1::Summary* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "GetRegencySummary", *req,
                        rpc::Envelope("name", "regencies/{regency}/summary")));
    const std::string& code = call.vars["regency"];
    if (!regions::Regions::Get().ProvinceOf(code).ok()) {
      Validator v;
      v.AddViolation("name", "must name a known regency");
      return v.Finish();
    }
    const std::string scope = absl::StrCat("R:", code);
    KS_RETURN_IF_ERROR(CheckScope(call, scope));
    return rpc::Answer(SummaryOf(scope), resp);
  });
}

grpc::ServerUnaryReactor* ReportingService::ListRegencySummaries(
    grpc::CallbackServerContext* ctx,
    const rv1::ListRegencySummariesRequest* req,
    rv1::ListRegencySummariesResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "ListRegencySummaries", *req,
                        rpc::Envelope("", "", false, [&](Validator& v) {
                          if (!req->parent().empty() &&
                              !ParseScope("parent", req->parent()).ok()) {
                            v.AddViolation("parent",
                                           "must be `provinces/{province}` of "
                                           "a known province, or empty");
                          }
                          v.PageSize("page_size", req->page_size(), 600);
                        })));
    std::string province;
    if (!req->parent().empty()) {
      KS_ASSIGN_OR_RETURN(std::string scope,
                          ParseScope("parent", req->parent()));
      if (!absl::StartsWith(scope, "P:")) {
        Validator v;
        v.AddViolation("parent", "must be `provinces/{province}` or empty");
        return v.Finish();
      }
      province = scope.substr(2);
    }
    std::vector<std::string> scopes;
    for (const regions::Province& p : regions::Regions::Get().provinces()) {
      if (!province.empty() && p.code != province) continue;
      for (const regions::Regency* r :
           regions::Regions::Get().RegenciesOf(p.code)) {
        const std::string scope = absl::StrCat("R:", r->code);
        if (CheckScope(call, scope).ok()) scopes.push_back(scope);
      }
    }
    KS_ASSIGN_OR_RETURN(
        SummaryPage page,
        PageOf(std::move(scopes), req->order_by(), "regency_code", "rs",
               rpc::QueryHash({req->parent(), req->order_by()}),
               req->page_token(),
               req->page_size() > 0 ? req->page_size() : 100));
    for (rv1::Summary& s : page.summaries) {
      *resp->add_summaries() = std::move(s);
    }
    resp->set_total_size(page.total);
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::ListProvinceSummaries(
    grpc::CallbackServerContext* ctx,
    const rv1::ListProvinceSummariesRequest* req,
    rv1::ListProvinceSummariesResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "ListProvinceSummaries", *req,
                        rpc::Envelope("", "", false, [&](Validator& v) {
                          v.PageSize("page_size", req->page_size(), 100);
                        })));
    std::vector<std::string> scopes;
    for (const regions::Province& p : regions::Regions::Get().provinces()) {
      const std::string scope = absl::StrCat("P:", p.code);
      if (CheckScope(call, scope).ok()) scopes.push_back(scope);
    }
    KS_ASSIGN_OR_RETURN(
        SummaryPage page,
        PageOf(std::move(scopes), req->order_by(), "name", "ps",
               rpc::QueryHash({req->order_by()}), req->page_token(),
               req->page_size() > 0 ? req->page_size() : 50));
    for (rv1::Summary& s : page.summaries) {
      *resp->add_summaries() = std::move(s);
    }
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

absl::StatusOr<ReportingService::SummaryPage> ReportingService::PageOf(
    std::vector<std::string> scopes, const std::string& order_by,
    absl::string_view default_key, absl::string_view token_kind,
    const std::string& hash, const std::string& page_token, int64_t size) {
  KS_ASSIGN_OR_RETURN(domain::SummaryLess less,
                      domain::ParseSummaryOrder(order_by, default_key));
  KS_ASSIGN_OR_RETURN(int64_t offset,
                      rpc::DecodeIntPageToken(page_token, token_kind, hash));
  std::sort(scopes.begin(), scopes.end());
  SummaryPage out;
  out.total = static_cast<int32_t>(scopes.size());
  std::vector<rv1::Summary> all;
  const bool by_name = order_by.empty() || order_by == default_key;
  if (by_name) {
    // Names sort as the scopes do: read only the page.
    std::vector<std::string> page;
    for (int64_t i = offset;
         i < static_cast<int64_t>(scopes.size()) && i < offset + size; ++i) {
      page.push_back(scopes[i]);
    }
    KS_ASSIGN_OR_RETURN(out.summaries, SummariesOf(page));
  } else {
    // Ordered by a figure: every summary of the parent (at most 514, one
    // pipelined read each), sorted, then the page.
    KS_ASSIGN_OR_RETURN(all, SummariesOf(scopes));
    std::stable_sort(all.begin(), all.end(), less);
    for (int64_t i = offset;
         i < static_cast<int64_t>(all.size()) && i < offset + size; ++i) {
      out.summaries.push_back(std::move(all[i]));
    }
  }
  if (offset + size < static_cast<int64_t>(scopes.size())) {
    out.next_page_token =
        rpc::EncodePageToken(token_kind, hash, absl::StrCat(offset + size));
  }
  return out;
}

// ---- Time series ----

absl::StatusOr<std::vector<rv1::TimeSeries>> ReportingService::Series(
    const std::string& scope,
    const google::protobuf::RepeatedField<int>& metrics, rv1::Granularity g,
    const DateRange& range, std::optional<int> kind) {
  for (int m : metrics) {
    KS_RETURN_IF_ERROR(domain::FigureOf(static_cast<rv1::Metric>(m)).status());
  }
  KS_ASSIGN_OR_RETURN(
      std::vector<store::AggregateStore::Bucket> buckets,
      aggregates_.ReadSeries(scope, g, DayOf(range.start_date()),
                             DayOf(range.end_date())));
  std::vector<rv1::TimeSeries> out;
  for (int m : metrics) {
    rv1::TimeSeries& s = out.emplace_back();
    s.set_metric(static_cast<rv1::Metric>(m));
    if (kind) {
      s.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(*kind));
    }
    for (const auto& b : buckets) {
      rv1::TimeSeriesPoint* p = s.add_points();
      *p->mutable_start_date() = DateOf(b.start);
      *p->mutable_end_date() = DateOf(b.end);
      p->set_value(
          domain::MetricValue(static_cast<rv1::Metric>(m), b.counters, kind));
    }
  }
  return out;
}

grpc::ServerUnaryReactor* ReportingService::GetTimeSeries(
    grpc::CallbackServerContext* ctx, const rv1::GetTimeSeriesRequest* req,
    rv1::GetTimeSeriesResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(
            *ctx, "GetTimeSeries", *req,
            rpc::Envelope("", "", false, [&](Validator& v) {
              if (!ParseScope("scope", req->scope()).ok()) {
                v.AddViolation("scope",
                               "must be `nation`, `provinces/{province}` or "
                               "`regencies/{regency}` of a known code");
              }
              CheckSeries(v, "metrics", req->metrics(), "granularity",
                          req->granularity(), "range", req->has_range(),
                          req->range());
              if (req->has_kind() &&
                  req->kind() ==
                      kerjasosial::common::v1::SENTENCE_KIND_UNSPECIFIED) {
                v.AddViolation("kind", "must be ADULT or CHILD when set");
              }
            })));
    KS_ASSIGN_OR_RETURN(std::string scope, ParseScope("scope", req->scope()));
    KS_RETURN_IF_ERROR(CheckScope(call, scope));
    std::optional<int> kind;
    if (req->has_kind()) kind = req->kind();
    KS_ASSIGN_OR_RETURN(
        std::vector<rv1::TimeSeries> series,
        Series(scope, req->metrics(), req->granularity(), req->range(), kind));
    for (rv1::TimeSeries& s : series) *resp->add_series() = std::move(s);
    resp->set_granularity(req->granularity());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::CompareScopes(
    grpc::CallbackServerContext* ctx, const rv1::CompareScopesRequest* req,
    rv1::CompareScopesResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "CompareScopes", *req,
                        rpc::Envelope("", "", false, [&](Validator& v) {
                          for (const auto& [field, value] :
                               {std::pair<const char*, const std::string*>{
                                    "scope_a", &req->scope_a()},
                                {"scope_b", &req->scope_b()}}) {
                            if (!ParseScope(field, *value).ok()) {
                              v.AddViolation(
                                  field,
                                  "must be `nation`, `provinces/{province}` "
                                  "or `regencies/{regency}` of a known code");
                            }
                          }
                          CheckSeries(v, "metrics", req->metrics(),
                                      "granularity", req->granularity(),
                                      "range", req->has_range(), req->range());
                        })));
    KS_ASSIGN_OR_RETURN(std::string a, ParseScope("scope_a", req->scope_a()));
    KS_ASSIGN_OR_RETURN(std::string b, ParseScope("scope_b", req->scope_b()));
    KS_RETURN_IF_ERROR(CheckScope(call, a));
    KS_RETURN_IF_ERROR(CheckScope(call, b));
    KS_ASSIGN_OR_RETURN(std::vector<rv1::TimeSeries> sa,
                        Series(a, req->metrics(), req->granularity(),
                               req->range(), std::nullopt));
    KS_ASSIGN_OR_RETURN(std::vector<rv1::TimeSeries> sb,
                        Series(b, req->metrics(), req->granularity(),
                               req->range(), std::nullopt));
    for (rv1::TimeSeries& s : sa) *resp->add_series_a() = std::move(s);
    for (rv1::TimeSeries& s : sb) *resp->add_series_b() = std::move(s);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::RankScopes(
    grpc::CallbackServerContext* ctx, const rv1::RankScopesRequest* req,
    rv1::RankScopesResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(
            *ctx, "RankScopes", *req,
            rpc::Envelope("", "", false, [&](Validator& v) {
              if (req->level() != rv1::SUMMARY_SCOPE_PROVINCE &&
                  req->level() != rv1::SUMMARY_SCOPE_REGENCY) {
                v.AddViolation("level", "must be PROVINCE or REGENCY");
              }
              if (!req->within().empty()) {
                absl::StatusOr<std::string> w =
                    ParseScope("within", req->within());
                if (!w.ok() || absl::StartsWith(*w, "R:")) {
                  v.AddViolation("within",
                                 "must be `nation` or `provinces/{province}` "
                                 "of a known province");
                }
              }
              google::protobuf::RepeatedField<int> one;
              one.Add(req->metric());
              CheckSeries(v, "metric", one, "level", rv1::GRANULARITY_MONTH,
                          "range", req->has_range(), req->range());
              v.PageSize("page_size", req->page_size(), 514);
            })));
    KS_RETURN_IF_ERROR(domain::FigureOf(req->metric()).status());
    std::string within = "N";
    if (!req->within().empty()) {
      KS_ASSIGN_OR_RETURN(within, ParseScope("within", req->within()));
    }
    // The candidates the caller may read, inside `within`.
    std::vector<std::string> scopes;
    const regions::Regions& regions = regions::Regions::Get();
    for (const regions::Province& p : regions.provinces()) {
      if (within != "N" && within != "P:" + p.code) continue;
      if (req->level() == rv1::SUMMARY_SCOPE_PROVINCE) {
        scopes.push_back("P:" + p.code);
        continue;
      }
      for (const regions::Regency* r : regions.RegenciesOf(p.code)) {
        scopes.push_back("R:" + r->code);
      }
    }
    scopes.erase(std::remove_if(scopes.begin(), scopes.end(),
                                [&](const std::string& s) {
                                  return !CheckScope(call, s).ok();
                                }),
                 scopes.end());
    KS_ASSIGN_OR_RETURN(auto fresh, aggregates_.Freshness());
    struct Row {
      std::string scope;
      int64_t value;
      absl::Time last;
    };
    std::vector<Row> rows;
    const absl::Time silent_since =
        req->has_silent_since()
            ? absl::FromUnixSeconds(req->silent_since().seconds())
            : absl::InfiniteFuture();
    const rv1::Metric metric = req->metric();
    for (const std::string& scope : scopes) {
      auto it = fresh.find(scope);
      const absl::Time last =
          it == fresh.end() ? absl::InfinitePast() : it->second;
      if (req->has_silent_since() && last >= silent_since) continue;
      // Monthly buckets over the range: a flow sums them, a stock is its
      // value at the range's end. The cost is per scope and month, never
      // per case.
      KS_ASSIGN_OR_RETURN(
          std::vector<store::AggregateStore::Bucket> buckets,
          aggregates_.ReadSeries(scope, rv1::GRANULARITY_MONTH,
                                 DayOf(req->range().start_date()),
                                 DayOf(req->range().end_date())));
      int64_t value = 0;
      if (domain::IsStock(metric)) {
        value =
            domain::MetricValue(metric, buckets.back().counters, std::nullopt);
      } else if (metric == rv1::METRIC_MEDIAN_DAYS_TO_COMPLETE) {
        domain::Counters sum;
        for (const auto& b : buckets) {
          for (const auto& [field, v] : b.counters) sum[field] += v;
        }
        value = domain::MetricValue(metric, sum, std::nullopt);
      } else {
        for (const auto& b : buckets) {
          value += domain::MetricValue(metric, b.counters, std::nullopt);
        }
      }
      rows.push_back(Row{scope, value, last});
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      if (a.value != b.value) {
        return req->ascending() ? a.value < b.value : a.value > b.value;
      }
      return a.scope < b.scope;
    });
    const std::string hash = rpc::QueryHash(
        {req->within(),
         absl::StrCat(req->level(), ":", req->metric(), ":", req->ascending()),
         req->range().SerializeAsString(),
         req->silent_since().SerializeAsString()});
    KS_ASSIGN_OR_RETURN(int64_t offset,
                        rpc::DecodeIntPageToken(req->page_token(), "rk", hash));
    const int64_t size = req->page_size() > 0 ? req->page_size() : 50;
    for (int64_t i = offset;
         i < static_cast<int64_t>(rows.size()) && i < offset + size; ++i) {
      rv1::RankedScope* r = resp->add_ranked();
      const Row& row = rows[i];
      r->set_scope(absl::StrCat(
          absl::StartsWith(row.scope, "P:") ? "provinces/" : "regencies/",
          row.scope.substr(2)));
      r->set_value(row.value);
      r->set_rank(static_cast<int32_t>(i + 1));
      if (row.last != absl::InfinitePast()) {
        r->mutable_last_event_time()->set_seconds(
            absl::ToUnixSeconds(row.last));
      }
    }
    if (offset + size < static_cast<int64_t>(rows.size())) {
      resp->set_next_page_token(
          rpc::EncodePageToken("rk", hash, absl::StrCat(offset + size)));
    }
    return absl::OkStatus();
  });
}

// ---- Upstreams ----

absl::StatusOr<rv1::Upstream> ReportingService::LoadUpstream(
    const std::string& name) const {
  absl::StatusOr<outbox::StoredRecord> r =
      runtime_.outbox().Get(UpstreamKey(IdOf(name)));
  if (absl::IsNotFound(r.status())) {
    return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  }
  KS_RETURN_IF_ERROR(r.status());
  rv1::Upstream u;
  if (!u.ParseFromString(r->data)) {
    return absl::DataLossError("a stored upstream does not parse");
  }
  return WithEtag(std::move(u), r->version);
}

absl::StatusOr<std::vector<rv1::Upstream>> ReportingService::LoadAllUpstreams()
    const {
  KS_ASSIGN_OR_RETURN(redis::Reply ids,
                      runtime_.redis().Command(
                          {"SMEMBERS", runtime_.outbox().Key(kUpstreamIndex)}));
  KS_RETURN_IF_ERROR(ids.ToStatus());
  std::vector<std::string> keys;
  for (const redis::Reply& id : ids.elements) {
    keys.push_back(UpstreamKey(id.str));
  }
  std::sort(keys.begin(), keys.end());
  KS_ASSIGN_OR_RETURN(std::vector<std::optional<outbox::StoredRecord>> records,
                      runtime_.outbox().GetMany(keys));
  std::vector<rv1::Upstream> out;
  for (const auto& r : records) {
    if (!r) continue;
    rv1::Upstream u;
    if (!u.ParseFromString(r->data)) {
      return absl::DataLossError("a stored upstream does not parse");
    }
    out.push_back(WithEtag(std::move(u), r->version));
  }
  return out;
}

absl::StatusOr<rv1::Upstream> ReportingService::DoCreateUpstream(
    const grpc::ServerContextBase* ctx, const rv1::CreateUpstreamRequest& req) {
  rpc::MutationSteps<rv1::Upstream> steps;
  steps.plan =
      [&](const rpc::Call& call,
          const rv1::Upstream*) -> absl::StatusOr<rpc::Plan<rv1::Upstream>> {
    const std::string id = req.upstream_id().empty()
                               ? absl::AsciiStrToLower(ids::NewId())
                               : req.upstream_id();
    rv1::Upstream u = ConfigOnly(req.upstream());
    u.set_name(absl::StrCat("upstreams/", id));
    u.mutable_create_time()->set_seconds(absl::ToUnixSeconds(call.now));
    *u.mutable_update_time() = u.create_time();
    rpc::Plan<rv1::Upstream> plan;
    plan.txn.records.emplace_back(
        UpstreamKey(id), 0, u.SerializeAsString(),
        outbox::Conflict{"UPSTREAM_EXISTS",
                         absl::StrCat(u.name(), " already exists"),
                         {{"upstream", u.name()}},
                         ""});
    plan.txn.records.emplace_back(
        AddressClaimKey(u), 0, u.name(),
        outbox::Conflict{"UPSTREAM_ADDRESS_EXISTS",
                         "an upstream of this kind and address exists",
                         {},
                         "upstream"});
    plan.txn.index_ops.push_back(outbox::IndexOp::SAdd(kUpstreamIndex, id));
    plan.txn.response = WithEtag(u, 1).SerializeAsString();
    plan.audit_resource = u.name();
    return plan;
  };
  auto checks = [&](Validator& v) {
    v.Required("upstream", req.has_upstream());
    v.RequestId("request_id", req.request_id());
    if (!req.upstream_id().empty()) {
      bool ok = req.upstream_id().size() >= 4 && req.upstream_id().size() <= 63;
      for (char c : req.upstream_id()) {
        ok = ok &&
             ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
      }
      if (!ok) {
        v.AddViolation("upstream_id", "must be 4-63 characters of [a-z0-9-]");
      }
    }
    if (req.has_upstream()) CheckUpstreamConfig(v, req.upstream());
  };
  absl::StatusOr<rv1::Upstream> out;
  if (ctx == nullptr) {
    // From the config file at start: no caller; commit directly.
    Validator v;
    checks(v);
    KS_RETURN_IF_ERROR(v.Finish());
    rpc::Call call;
    call.now = absl::Now();
    KS_ASSIGN_OR_RETURN(rpc::Plan<rv1::Upstream> plan,
                        steps.plan(call, nullptr));
    plan.txn.request_id = req.request_id();
    plan.txn.request_fingerprint = outbox::Fingerprint(req);
    absl::StatusOr<outbox::CommitResult> r = runtime_.outbox().Commit(plan.txn);
    KS_RETURN_IF_ERROR(r.status());
    rv1::Upstream u;
    u.ParseFromString(r->response);
    out = u;
  } else {
    out = pipeline_.Mutate(*ctx, "CreateUpstream", req,
                           rpc::Envelope("", "", false, checks), steps);
  }
  if (out.ok()) runner_.Run(*out);
  return out;
}

grpc::ServerUnaryReactor* ReportingService::CreateUpstream(
    grpc::CallbackServerContext* ctx, const rv1::CreateUpstreamRequest* req,
    rv1::Upstream* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(rv1::Upstream u, DoCreateUpstream(ctx, *req));
    runner_.FillStatus(&u);
    *resp = std::move(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::GetUpstream(
    grpc::CallbackServerContext* ctx, const rv1::GetUpstreamRequest* req,
    rv1::Upstream* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_RETURN_IF_ERROR(pipeline_
                           .Begin(*ctx, "GetUpstream", *req,
                                  rpc::Envelope("name", kUpstreamPattern))
                           .status());
    KS_ASSIGN_OR_RETURN(rv1::Upstream u, LoadUpstream(req->name()));
    runner_.FillStatus(&u);
    *resp = std::move(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::ListUpstreams(
    grpc::CallbackServerContext* ctx, const rv1::ListUpstreamsRequest* req,
    rv1::ListUpstreamsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_RETURN_IF_ERROR(pipeline_
                           .Begin(*ctx, "ListUpstreams", *req,
                                  rpc::Envelope("", "", false,
                                                [&](Validator& v) {
                                                  v.PageSize("page_size",
                                                             req->page_size(),
                                                             1000);
                                                }))
                           .status());
    KS_ASSIGN_OR_RETURN(domain::UpstreamPredicate keep,
                        domain::ParseUpstreamFilter(req->filter()));
    KS_ASSIGN_OR_RETURN(std::vector<rv1::Upstream> stored, LoadAllUpstreams());
    // Status first: the filter may name state and lag.
    std::vector<rv1::Upstream> all;
    for (rv1::Upstream& u : stored) {
      runner_.FillStatus(&u);
      if (keep(u)) all.push_back(std::move(u));
    }
    const std::string hash = rpc::QueryHash({req->filter()});
    KS_ASSIGN_OR_RETURN(int64_t offset,
                        rpc::DecodeIntPageToken(req->page_token(), "up", hash));
    const int64_t size = req->page_size() > 0 ? req->page_size() : 100;
    for (int64_t i = offset;
         i < static_cast<int64_t>(all.size()) && i < offset + size; ++i) {
      *resp->add_upstreams() = all[i];
    }
    resp->set_total_size(static_cast<int32_t>(all.size()));
    if (offset + size < static_cast<int64_t>(all.size())) {
      resp->set_next_page_token(
          rpc::EncodePageToken("up", hash, absl::StrCat(offset + size)));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::UpdateUpstream(
    grpc::CallbackServerContext* ctx, const rv1::UpdateUpstreamRequest* req,
    rv1::Upstream* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    rpc::MutationSteps<rv1::Upstream> steps;
    steps.load = [&](const rpc::Call& call) {
      return LoadUpstream(call.resource);
    };
    steps.version = [](const rv1::Upstream& u) {
      return outbox::VersionFromEtag(u.etag()).value_or(0);
    };
    steps.plan = [&](const rpc::Call& call, const rv1::Upstream* current)
        -> absl::StatusOr<rpc::Plan<rv1::Upstream>> {
      rv1::Upstream u = ConfigOnly(*current);
      const int64_t version = steps.version(*current);
      for (const std::string& path : req->update_mask().paths()) {
        if (path == "address") {
          u.set_address(req->upstream().address());
        } else if (path == "use_tls") {
          u.set_use_tls(req->upstream().use_tls());
        } else if (path == "tls_server_name") {
          u.set_tls_server_name(req->upstream().tls_server_name());
        } else if (path == "credential_name") {
          u.set_credential_name(req->upstream().credential_name());
        } else if (path == "display_name") {
          u.set_display_name(req->upstream().display_name());
        } else {
          Validator v;
          v.AddViolation("update_mask",
                         absl::StrCat("path `", path,
                                      "` is immutable or unknown (address, "
                                      "use_tls, tls_server_name, "
                                      "credential_name, display_name)"));
          return v.Finish();
        }
      }
      Validator v;
      CheckUpstreamConfig(v, u);
      KS_RETURN_IF_ERROR(v.Finish());
      u.mutable_update_time()->set_seconds(absl::ToUnixSeconds(call.now));
      rpc::Plan<rv1::Upstream> plan;
      plan.txn.records.emplace_back(UpstreamKey(IdOf(u.name())), version,
                                    u.SerializeAsString());
      if (u.address() != current->address()) {
        plan.txn.index_ops.push_back(
            outbox::IndexOp::Del(AddressClaimKey(*current)));
        plan.txn.records.emplace_back(
            AddressClaimKey(u), 0, u.name(),
            outbox::Conflict{"UPSTREAM_ADDRESS_EXISTS",
                             "an upstream of this kind and address exists",
                             {},
                             "upstream"});
      }
      plan.txn.response = WithEtag(u, version + 1).SerializeAsString();
      return plan;
    };
    KS_ASSIGN_OR_RETURN(
        rv1::Upstream u,
        pipeline_.Mutate(
            *ctx, "UpdateUpstream", *req,
            rpc::Envelope("upstream.name", kUpstreamPattern, false,
                          [&](Validator& v) {
                            v.Required("update_mask",
                                       req->has_update_mask() &&
                                           req->update_mask().paths_size() > 0);
                          }),
            steps));
    runner_.Run(u);  // the same cursor: consumption resumes where it stopped
    runner_.FillStatus(&u);
    *resp = std::move(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReportingService::DeleteUpstream(
    grpc::CallbackServerContext* ctx, const rv1::DeleteUpstreamRequest* req,
    google::protobuf::Empty* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    rpc::MutationSteps<google::protobuf::Empty> steps;
    std::string deleted;
    steps.plan = [&](const rpc::Call& call, const google::protobuf::Empty*)
        -> absl::StatusOr<rpc::Plan<google::protobuf::Empty>> {
      KS_ASSIGN_OR_RETURN(rv1::Upstream current, LoadUpstream(call.resource));
      KS_RETURN_IF_ERROR(rpc::Pipeline::CheckEtag(
          call, outbox::VersionFromEtag(current.etag()).value_or(0)));
      const std::string id = IdOf(current.name());
      rpc::Plan<google::protobuf::Empty> plan;
      plan.txn.index_ops.push_back(outbox::IndexOp::Del(UpstreamKey(id)));
      plan.txn.index_ops.push_back(
          outbox::IndexOp::Del(AddressClaimKey(current)));
      plan.txn.index_ops.push_back(outbox::IndexOp::SRem(kUpstreamIndex, id));
      // Forget the cursor (and its dedupe window): a new upstream at the
      // same address starts from the beginning of its retained feed.
      for (const char* part : {":cursor", ":seen", ":dead", ":applied",
                               ":rejected", ":last_rejection"}) {
        plan.txn.index_ops.push_back(
            outbox::IndexOp::Del(absl::StrCat("consumer:", id, part)));
      }
      plan.txn.response = google::protobuf::Empty().SerializeAsString();
      deleted = current.name();
      return plan;
    };
    if (RebuildRunning()) {
      return absl::FailedPreconditionError(
          "a rebuild is running; delete the upstream after it ended");
    }
    // Stop consuming first, so no event commits after the cursor is gone.
    runner_.Stop(req->name());
    absl::StatusOr<google::protobuf::Empty> out =
        pipeline_.Mutate(*ctx, "DeleteUpstream", *req,
                         rpc::Envelope("name", kUpstreamPattern), steps);
    if (!out.ok() && deleted.empty()) {
      // Not deleted (NOT_FOUND, stale etag...): keep following it.
      if (absl::StatusOr<rv1::Upstream> u = LoadUpstream(req->name()); u.ok()) {
        runner_.Run(*u);
      }
    }
    return rpc::Answer(std::move(out), resp);
  });
}

// ---- Rebuilds ----

namespace {

std::string RebuildKey(absl::string_view id) {
  return absl::StrCat("rebuild:", id);
}
constexpr char kRebuildIndex[] = "rebuilds";

}  // namespace

bool ReportingService::RebuildRunning() const {
  absl::MutexLock lock(&rebuild_mu_);
  return !rebuild_running_.empty();
}

absl::StatusOr<rv1::Rebuild> ReportingService::LoadRebuild(
    const std::string& name) const {
  absl::StatusOr<outbox::StoredRecord> r =
      runtime_.outbox().Get(RebuildKey(IdOf(name)));
  if (absl::IsNotFound(r.status())) {
    return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  }
  KS_RETURN_IF_ERROR(r.status());
  rv1::Rebuild out;
  if (!out.ParseFromString(r->data)) {
    return absl::DataLossError("a stored rebuild does not parse");
  }
  return out;
}

grpc::ServerUnaryReactor* ReportingService::StartRebuild(
    grpc::CallbackServerContext* ctx, const rv1::StartRebuildRequest* req,
    rv1::Rebuild* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    rpc::MutationSteps<rv1::Rebuild> steps;
    bool created = false;
    steps.plan =
        [&](const rpc::Call& call,
            const rv1::Rebuild*) -> absl::StatusOr<rpc::Plan<rv1::Rebuild>> {
      if (RebuildRunning()) {
        return absl::FailedPreconditionError("a rebuild is running");
      }
      KS_ASSIGN_OR_RETURN(std::vector<rv1::Upstream> upstreams,
                          LoadAllUpstreams());
      const std::string id = absl::AsciiStrToLower(ids::NewId());
      rv1::Rebuild r;
      r.set_name(absl::StrCat("rebuilds/", id));
      r.set_state(rv1::REBUILD_STATE_PENDING);
      for (const rv1::Upstream& u : upstreams) r.add_upstreams(u.name());
      r.mutable_start_time()->set_seconds(absl::ToUnixSeconds(call.now));
      r.mutable_requested_by()->set_principal_id(call.principal.id);
      r.mutable_requested_by()->set_agency_code(call.principal.agency);
      rpc::Plan<rv1::Rebuild> plan;
      plan.txn.records.emplace_back(RebuildKey(id), 0, r.SerializeAsString());
      plan.txn.index_ops.push_back(outbox::IndexOp::ZAdd(
          kRebuildIndex, static_cast<double>(absl::ToUnixMillis(call.now)),
          id));
      plan.txn.response = r.SerializeAsString();
      plan.audit_resource = r.name();
      created = true;
      return plan;
    };
    KS_ASSIGN_OR_RETURN(rv1::Rebuild r,
                        pipeline_.Mutate(*ctx, "StartRebuild", *req,
                                         rpc::Envelope("", "", false,
                                                       [&](Validator& v) {
                                                         v.RequestId(
                                                             "request_id",
                                                             req->request_id());
                                                       }),
                                         steps));
    if (created) {
      absl::MutexLock lock(&rebuild_mu_);
      if (rebuild_running_.empty() && !stopping_) {
        rebuild_running_ = r.name();
        if (rebuild_thread_.joinable()) rebuild_thread_.join();
        rebuild_thread_ = std::thread(
            [this, r] { RunRebuild(IdOf(r.name()), /*version=*/1, r); });
      }
    }
    *resp = std::move(r);
    return absl::OkStatus();
  });
}

void ReportingService::RunRebuild(std::string id, int64_t version,
                                  rv1::Rebuild rebuild) {
  auto save = [&]() {
    outbox::Transaction txn;
    txn.records.emplace_back(RebuildKey(id), version,
                             rebuild.SerializeAsString());
    if (runtime_.outbox().Commit(txn).ok()) ++version;
  };
  auto fail = [&](const absl::Status& status) {
    rebuild.set_state(rv1::REBUILD_STATE_FAILED);
    rebuild.set_error_message(absl::StrCat(
        absl::StatusCodeToString(status.code()), ": ", status.message()));
    rebuild.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    save();
  };
  rebuild.set_state(rv1::REBUILD_STATE_RUNNING);
  save();
  absl::StatusOr<std::vector<rv1::Upstream>> upstreams = LoadAllUpstreams();
  absl::Status status = upstreams.status();
  if (status.ok()) {
    runner_.StopAll();
    status = aggregates_.Clear();
  }
  if (status.ok()) {
    // Every cursor and dedupe window goes too: each feed replays from its
    // start into the empty aggregates.
    std::vector<std::vector<std::string>> dels;
    for (const rv1::Upstream& u : *upstreams) {
      const std::string prefix = runner_.ConsumerPrefix(u.name());
      dels.push_back({"DEL", prefix + ":cursor", prefix + ":seen",
                      prefix + ":dead", prefix + ":applied",
                      prefix + ":rejected", prefix + ":last_rejection"});
    }
    if (!dels.empty()) status = runtime_.redis().Pipeline(dels).status();
  }
  if (!status.ok()) {
    fail(status);
    // Whatever happened, consumption resumes.
    if (upstreams.ok()) {
      for (const rv1::Upstream& u : *upstreams) runner_.Run(u);
    }
    absl::MutexLock lock(&rebuild_mu_);
    rebuild_running_.clear();
    return;
  }
  for (const rv1::Upstream& u : *upstreams) runner_.Run(u);
  std::map<std::string, std::pair<std::string, int>> still;  // cursor, polls
  const absl::Time deadline = absl::Now() + absl::Hours(6);
  while (true) {
    {
      absl::MutexLock lock(&rebuild_mu_);
      if (stopping_) break;
    }
    rebuild.clear_progress();
    int64_t applied = 0;
    int done = 0;
    for (const rv1::Upstream& configured : *upstreams) {
      rv1::Upstream u = configured;
      runner_.FillStatus(&u);
      rv1::UpstreamProgress* p = rebuild.add_progress();
      p->set_upstream(u.name());
      p->set_events_applied(u.events_applied() + u.events_rejected());
      p->set_cursor(u.cursor());
      *p->mutable_event_time() = u.last_event_time();
      auto& [cursor, polls] = still[u.name()];
      polls = (u.state() == rv1::UPSTREAM_STATE_LIVE && cursor == u.cursor())
                  ? polls + 1
                  : 0;
      cursor = u.cursor();
      p->set_done(polls >= 5);
      done += p->done() ? 1 : 0;
      applied += p->events_applied();
    }
    rebuild.set_events_applied(applied);
    rebuild.set_fraction_done(upstreams->empty() ? 1.0
                                                 : static_cast<double>(done) /
                                                       upstreams->size());
    if (done == static_cast<int>(upstreams->size())) {
      rebuild.set_state(rv1::REBUILD_STATE_SUCCEEDED);
      rebuild.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
      save();
      break;
    }
    if (absl::Now() > deadline) {
      fail(absl::DeadlineExceededError("the feeds did not settle in 6 h"));
      break;
    }
    save();
    absl::SleepFor(absl::Milliseconds(200));
  }
  absl::MutexLock lock(&rebuild_mu_);
  rebuild_running_.clear();
}

grpc::ServerUnaryReactor* ReportingService::GetRebuild(
    grpc::CallbackServerContext* ctx, const rv1::GetRebuildRequest* req,
    rv1::Rebuild* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_RETURN_IF_ERROR(pipeline_
                           .Begin(*ctx, "GetRebuild", *req,
                                  rpc::Envelope("name", "rebuilds/{rebuild}"))
                           .status());
    return rpc::Answer(LoadRebuild(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* ReportingService::ListRebuilds(
    grpc::CallbackServerContext* ctx, const rv1::ListRebuildsRequest* req,
    rv1::ListRebuildsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_RETURN_IF_ERROR(pipeline_
                           .Begin(*ctx, "ListRebuilds", *req,
                                  rpc::Envelope("", "", false,
                                                [&](Validator& v) {
                                                  v.PageSize("page_size",
                                                             req->page_size(),
                                                             100);
                                                }))
                           .status());
    const std::string hash = rpc::QueryHash({});
    KS_ASSIGN_OR_RETURN(int64_t offset,
                        rpc::DecodeIntPageToken(req->page_token(), "rb", hash));
    const int64_t size = req->page_size() > 0 ? req->page_size() : 20;
    KS_ASSIGN_OR_RETURN(
        redis::Reply ids,
        runtime_.redis().Command(
            {"ZREVRANGE", runtime_.outbox().Key(kRebuildIndex),
             absl::StrCat(offset), absl::StrCat(offset + size)}));
    KS_RETURN_IF_ERROR(ids.ToStatus());
    std::vector<std::string> keys;
    for (size_t i = 0; i < ids.elements.size() && i < static_cast<size_t>(size);
         ++i) {
      keys.push_back(RebuildKey(ids.elements[i].str));
    }
    KS_ASSIGN_OR_RETURN(auto records, runtime_.outbox().GetMany(keys));
    for (const auto& r : records) {
      if (r) resp->add_rebuilds()->ParseFromString(r->data);
    }
    if (ids.elements.size() > static_cast<size_t>(size)) {
      resp->set_next_page_token(
          rpc::EncodePageToken("rb", hash, absl::StrCat(offset + size)));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::shared_ptr<const PublicFigures>>
ReportingService::CurrentPublicFigures() {
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&public_mu_);
    if (public_ != nullptr && now - public_at_ < kPublicFiguresFor) {
      return public_;
    }
  }
  // Computed over every scope at once (a fixed 553 aggregate reads), so a
  // cell is suppressed the same whichever scope is asked and no two answers
  // combine into a value either one withholds. Outside the lock: two callers
  // racing on a stale cache both compute and store equal figures.
  const regions::Regions& regions = regions::Regions::Get();
  std::vector<std::string> scopes = {"N"};
  for (const regions::Province& p : regions.provinces()) {
    scopes.push_back(absl::StrCat("P:", p.code));
  }
  for (const regions::Regency& r : regions.regencies()) {
    scopes.push_back(absl::StrCat("R:", r.code));
  }
  KS_ASSIGN_OR_RETURN(std::vector<rv1::Summary> summaries, SummariesOf(scopes));
  PublicInput input;
  input.nation = std::move(summaries[0]);
  const size_t provinces = regions.provinces().size();
  for (size_t i = 1; i < summaries.size(); ++i) {
    (i <= provinces ? input.provinces : input.regencies)
        .push_back(std::move(summaries[i]));
  }
  const int min_cell_size = runtime_.policy()
                                .Current(*SystemClock())
                                .public_figures()
                                .min_cell_size();
  KS_ASSIGN_OR_RETURN(PublicFigures figures,
                      BuildPublicFigures(input, min_cell_size, now));
  auto shared = std::make_shared<const PublicFigures>(std::move(figures));
  absl::MutexLock lock(&public_mu_);
  public_ = shared;
  public_at_ = now;
  return shared;
}

grpc::ServerUnaryReactor* ReportingService::GetPublicSummary(
    grpc::CallbackServerContext* ctx, const rv1::GetPublicSummaryRequest* req,
    rv1::PublicSummary* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    constexpr absl::string_view kSuffix = "/publicSummary";
    KS_RETURN_IF_ERROR(
        pipeline_
            .Begin(*ctx, "GetPublicSummary", *req,
                   rpc::Envelope("", "", false,
                                 [&](Validator& v) {
                                   if (!absl::EndsWith(req->name(), kSuffix)) {
                                     v.AddViolation(
                                         "name",
                                         "must be `nation/publicSummary`, "
                                         "`provinces/{province}/publicSummary`"
                                         " or `regencies/{regency}/"
                                         "publicSummary`");
                                   }
                                 }))
            .status());
    // No scope check beyond the access option: the figures are public, and
    // suppressed (below) exactly as the public page shows them.
    absl::string_view scope = req->name();
    absl::ConsumeSuffix(&scope, kSuffix);
    if (!ParseScope("name", scope).ok()) {
      return absl::NotFoundError(
          absl::StrCat("no public figures named `", req->name(),
                       "`: not the nation, a province or a regency"));
    }
    KS_ASSIGN_OR_RETURN(std::shared_ptr<const PublicFigures> figures,
                        CurrentPublicFigures());
    const PublicSummary* found = figures->Find(req->name());
    if (found == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no public figures named `", req->name(), "`"));
    }
    *resp = *found;
    return absl::OkStatus();
  });
}

}  // namespace ks::reporting
