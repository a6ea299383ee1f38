#include "services/reporting/web/csv.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv.h"
#include "common/regions/regions.h"
#include "google/protobuf/util/time_util.h"

namespace ks::reporting::web {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

std::string Date(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// RFC 3339 UTC; empty for an unset time (never 1970-01-01).
std::string Time(const Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return TimeUtil::ToString(t);
}

std::string Rate(double r) { return absl::StrFormat("%.4f", r); }

// Code and name of the region of a resource name ("nation/summary",
// "provinces/64", "regencies/64.01/publicSummary"): ("", "Nasional") for the
// nation; the name from the compiled-in regions table, or "" if unknown.
std::pair<std::string, std::string> RegionOf(absl::string_view resource,
                                             Language lang) {
  std::vector<absl::string_view> parts = absl::StrSplit(resource, '/');
  if (parts.size() >= 2 && parts[0] == "provinces") {
    const regions::Province* p = regions::Regions::Get().FindProvince(parts[1]);
    return {std::string(parts[1]), p ? p->name : ""};
  }
  if (parts.size() >= 2 && parts[0] == "regencies") {
    const regions::Regency* r = regions::Regions::Get().FindRegency(parts[1]);
    return {std::string(parts[1]), r ? r->name : ""};
  }
  return {"", Text("nation", lang)};
}

// Columns of SummariesCsv after the region: label key and value.
std::vector<std::pair<const char*, std::string>> SummaryColumns(
    const rv1::Summary& s) {
  const rv1::Figures& f = s.totals();
  const rv1::SiteFigures& x = s.sites();
  auto n = [](int64_t v) { return absl::StrCat(v); };
  return {
      {"cases_registered", n(f.cases_registered())},
      {"cases_active", n(f.cases_active())},
      {"cases_completed", n(f.cases_completed())},
      {"breaches_recorded", n(f.breaches_recorded())},
      {"cases_converted", n(f.cases_converted())},
      {"cases_at_risk", n(f.cases_at_risk())},
      {"cases_overdue", n(f.cases_overdue())},
      {"sentenced_hours", n(f.sentenced_hours())},
      {"credited_minutes", n(f.credited_minutes())},
      {"completion_rate", Rate(f.completion_rate())},
      {"prison_days_averted", n(f.prison_days_averted())},
      {"fines_replaced_rupiah", n(f.fines_replaced_rupiah())},
      {"sessions_recorded", n(f.sessions_recorded())},
      {"violations_recorded", n(f.violations_recorded())},
      {"sites_active", n(x.sites_active())},
      {"sites_suspended", n(x.sites_suspended())},
      {"capacity", n(x.capacity())},
      {"active_placements", n(x.active_placements())},
      {"utilisation", Rate(x.utilisation())},
      {"agreements_in_force", n(x.agreements_in_force())},
      {"periodic_reports_submitted", n(x.periodic_reports_submitted())},
      {"warnings_issued", n(f.warnings_issued())},
      {"pk_assignments_active", n(f.pk_assignments_active())},
      {"guidance_sessions", n(f.guidance_sessions())},
      {"referrals_made", n(f.referrals_made())},
      {"referrals_completed", n(f.referrals_completed())},
      {"litmas_submitted", n(f.litmas_submitted())},
      {"integrasi_clients", n(f.integrasi_clients())},
      {"as_of_time", Time(s.as_of_time())},
      {"stale", s.stale() ? "true" : "false"},
  };
}

// Rows of buckets for `series` (which share their buckets), with `headers`
// naming each series' column.
std::string SeriesRows(const std::vector<const rv1::TimeSeries*>& series,
                       const std::vector<std::string>& headers, Language lang) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {Text("start_date", lang),
                                     Text("end_date", lang)};
  header.insert(header.end(), headers.begin(), headers.end());
  rows.push_back(std::move(header));
  const int buckets = series.empty() ? 0 : series[0]->points_size();
  for (int b = 0; b < buckets; ++b) {
    const rv1::TimeSeriesPoint& first = series[0]->points(b);
    std::vector<std::string> row = {Date(first.start_date()),
                                    Date(first.end_date())};
    for (const rv1::TimeSeries* s : series) {
      row.push_back(b < s->points_size() ? absl::StrCat(s->points(b).value())
                                         : "");
    }
    rows.push_back(std::move(row));
  }
  return csv::Rows(rows);
}

}  // namespace

std::string TimeSeriesCsv(const rv1::GetTimeSeriesResponse& response,
                          Language lang) {
  std::vector<const rv1::TimeSeries*> series;
  std::vector<std::string> headers;
  for (const rv1::TimeSeries& s : response.series()) {
    series.push_back(&s);
    headers.push_back(Text(rv1::Metric_Name(s.metric()), lang));
  }
  return SeriesRows(series, headers, lang);
}

std::string CompareCsv(const rv1::CompareScopesResponse& response,
                       absl::string_view scope_a, absl::string_view scope_b,
                       Language lang) {
  std::vector<const rv1::TimeSeries*> series;
  std::vector<std::string> headers;
  for (const auto& [scope, list] : {std::pair{scope_a, &response.series_a()},
                                    std::pair{scope_b, &response.series_b()}}) {
    const auto [code, name] = RegionOf(scope, lang);
    for (const rv1::TimeSeries& s : *list) {
      series.push_back(&s);
      headers.push_back(absl::StrCat(code.empty() ? name : code, " — ",
                                     Text(rv1::Metric_Name(s.metric()), lang)));
    }
  }
  return SeriesRows(series, headers, lang);
}

std::string SummariesCsv(const std::vector<rv1::Summary>& summaries,
                         Language lang) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {Text("region_code", lang),
                                     Text("region_name", lang)};
  for (const auto& [key, value] : SummaryColumns(rv1::Summary())) {
    header.push_back(Text(key, lang));
  }
  rows.push_back(std::move(header));
  for (const rv1::Summary& s : summaries) {
    const auto [code, name] = RegionOf(s.name(), lang);
    std::vector<std::string> row = {code, name};
    for (auto& [key, value] : SummaryColumns(s)) row.push_back(value);
    rows.push_back(std::move(row));
  }
  return csv::Rows(rows);
}

std::string RankingCsv(const rv1::RankScopesResponse& response,
                       rv1::Metric metric, Language lang) {
  std::vector<std::vector<std::string>> rows = {
      {Text("rank", lang), Text("region_code", lang), Text("region_name", lang),
       Text(rv1::Metric_Name(metric), lang), Text("last_event_time", lang)}};
  for (const rv1::RankedScope& r : response.ranked()) {
    const auto [code, name] = RegionOf(r.scope(), lang);
    rows.push_back({absl::StrCat(r.rank()), code, name, absl::StrCat(r.value()),
                    Time(r.last_event_time())});
  }
  return csv::Rows(rows);
}

std::string UpstreamsCsv(const std::vector<rv1::Upstream>& upstreams,
                         Language lang) {
  std::vector<std::vector<std::string>> rows = {
      {Text("name", lang), Text("display_name", lang), Text("kind", lang),
       Text("state", lang), Text("events_applied", lang),
       Text("events_rejected", lang), Text("last_event_time", lang),
       Text("lag_seconds", lang), Text("last_error", lang)}};
  for (const rv1::Upstream& u : upstreams) {
    rows.push_back({u.name(), u.display_name(),
                    Text(rv1::UpstreamKind_Name(u.kind()), lang),
                    Text(rv1::UpstreamState_Name(u.state()), lang),
                    absl::StrCat(u.events_applied()),
                    absl::StrCat(u.events_rejected()),
                    Time(u.last_event_time()), absl::StrCat(u.lag_seconds()),
                    u.last_error()});
  }
  return csv::Rows(rows);
}

std::string PublicCsv(const std::vector<rv1::PublicSummary>& summaries,
                      Language lang) {
  static constexpr const char* kCells[] = {
      "cases_completed",     "cases_in_progress", "credited_hours",
      "prison_days_averted", "active_sites",      "fines_replaced_rupiah"};
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {Text("region_code", lang),
                                     Text("region_name", lang)};
  for (const char* key : kCells) {
    header.push_back(Text(key, lang));
    header.push_back(
        absl::StrCat(Text(key, lang), " ", Text("suppressed", lang)));
  }
  header.push_back(Text("as_of_time", lang));
  rows.push_back(std::move(header));
  for (const rv1::PublicSummary& p : summaries) {
    const auto [code, name] = RegionOf(p.name(), lang);
    std::vector<std::string> row = {code, name};
    for (const rv1::PublicCell* c :
         {&p.cases_completed(), &p.cases_in_progress(), &p.credited_hours(),
          &p.prison_days_averted(), &p.active_sites(),
          &p.fines_replaced_rupiah()}) {
      row.push_back(c->suppressed() ? "" : absl::StrCat(c->value()));
      row.push_back(c->suppressed() ? "true" : "false");
    }
    row.push_back(Time(p.as_of_time()));
    rows.push_back(std::move(row));
  }
  return csv::Rows(rows);
}

}  // namespace ks::reporting::web
