// ksctl's reporting commands: the national team's and dashboards' figures
// over kerjasosial.reporting.v1.Reporting. Read-only.
//
// `summary` shows one scope (nation, a province or a regency); `regencies`
// lists every regency's figures as a table, --json, or --csv for
// spreadsheets (one row per regency, every page).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/csv/csv.h"
#include "kerjasosial/reporting/v1/reporting_service.grpc.pb.h"
#include "tools/ksctl/commands.h"

namespace ks::ksctl {
namespace {

namespace v1 = ::kerjasosial::reporting::v1;

// The figures every output shows, in order: (column, value).
std::vector<std::pair<std::string, std::string>> Columns(const v1::Summary& s) {
  const v1::Figures& f = s.totals();
  return {
      {"scope", s.name()},
      {"province", s.region().province_code()},
      {"regency", s.region().regency_code()},
      {"registered", absl::StrCat(f.cases_registered())},
      {"active", absl::StrCat(f.cases_active())},
      {"completed", absl::StrCat(f.cases_completed())},
      {"at_risk", absl::StrCat(f.cases_at_risk())},
      {"overdue", absl::StrCat(f.cases_overdue())},
      {"breaches", absl::StrCat(f.breaches_recorded())},
      {"converted", absl::StrCat(f.cases_converted())},
      {"completion_rate", absl::StrFormat("%.3f", f.completion_rate())},
      {"sentenced_hours", absl::StrCat(f.sentenced_hours())},
      {"credited_hours", absl::StrCat(f.credited_minutes() / 60)},
      {"prison_days_averted", absl::StrCat(f.prison_days_averted())},
      {"fines_replaced_rupiah", absl::StrCat(f.fines_replaced_rupiah())},
      {"sessions", absl::StrCat(f.sessions_recorded())},
      {"violations", absl::StrCat(f.violations_recorded())},
      {"as_of", FormatTime(s.as_of_time())},
      {"stale", s.stale() ? "yes" : "no"},
  };
}

int Summary(const Args& args, Session& s) {
  if (args.Has("province") && args.Has("regency")) {
    return s.Usage("give --province or --regency, not both");
  }
  int error = kExitOk;
  auto stub = s.Connect<v1::Reporting>(&error);
  if (!stub) return error;
  v1::Summary out;
  grpc::Status status;
  if (args.Has("regency")) {
    v1::GetRegencySummaryRequest req;
    req.set_name("regencies/" + args.Get("regency") + "/summary");
    status = stub->GetRegencySummary(s.Context().get(), req, &out);
  } else if (args.Has("province")) {
    v1::GetProvinceSummaryRequest req;
    req.set_name("provinces/" + args.Get("province") + "/summary");
    status = stub->GetProvinceSummary(s.Context().get(), req, &out);
  } else {
    v1::GetNationalSummaryRequest req;
    req.set_name("nation/summary");
    status = stub->GetNationalSummary(s.Context().get(), req, &out);
  }
  if (!status.ok()) return s.Fail(status);
  if (s.json()) {
    s.PrintJson(out);
  } else {
    PrintFields(s.out(), Columns(out));
  }
  return kExitOk;
}

int Regencies(const Args& args, Session& s) {
  if (args.Has("csv") && s.json()) return s.Usage("give --csv or --json");
  v1::ListRegencySummariesRequest req;
  if (args.Has("province")) {
    req.set_parent("provinces/" + args.Get("province"));
  }
  req.set_order_by(args.Get("order_by"));
  absl::StatusOr<int64_t> size = args.GetInt("page_size", 0);
  if (!size.ok()) return s.Fail(size.status());
  req.set_page_size(static_cast<int32_t>(*size));
  int error = kExitOk;
  auto stub = s.Connect<v1::Reporting>(&error);
  if (!stub) return error;
  v1::ListRegencySummariesResponse all;
  do {
    v1::ListRegencySummariesResponse page;
    grpc::Status status =
        stub->ListRegencySummaries(s.Context().get(), req, &page);
    if (!status.ok()) return s.Fail(status);
    all.mutable_summaries()->MergeFrom(page.summaries());
    all.set_total_size(page.total_size());
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (s.json()) {
    s.PrintJson(all);
    return kExitOk;
  }
  if (args.Has("csv")) {
    std::vector<std::vector<std::string>> rows(1);
    for (const auto& [column, value] : Columns(v1::Summary())) {
      rows[0].push_back(column);
    }
    for (const v1::Summary& x : all.summaries()) {
      std::vector<std::string>& row = rows.emplace_back();
      for (const auto& [column, value] : Columns(x)) row.push_back(value);
    }
    s.out() << csv::Rows(rows);
    return kExitOk;
  }
  Table table({"REGENCY", "ACTIVE", "COMPLETED", "AT RISK", "BREACHES",
               "COMPLETION", "AS OF"});
  for (const v1::Summary& x : all.summaries()) {
    const v1::Figures& f = x.totals();
    table.Add({x.region().regency_code(), absl::StrCat(f.cases_active()),
               absl::StrCat(f.cases_completed()),
               absl::StrCat(f.cases_at_risk()),
               absl::StrCat(f.breaches_recorded()),
               absl::StrFormat("%.1f%%", 100 * f.completion_rate()),
               FormatTime(x.as_of_time())});
  }
  table.Print(s.out());
  return kExitOk;
}

}  // namespace

std::vector<Command> ReportingCommands() {
  return {
      {"reporting",
       "summary",
       "national, province or regency figures (Get*Summary)",
       "Without --province or --regency: the nation.\n"
       "  ksctl reporting summary\n"
       "  ksctl reporting summary --province=64\n"
       "  ksctl reporting summary --regency=64.01 --json\n",
       {{"province", "province code, e.g. 64"},
        {"regency", "regency code, e.g. 64.01"}},
       Summary},
      {"reporting",
       "regencies",
       "every regency's figures, as a table, --json or --csv "
       "(ListRegencySummaries)",
       "Follows every page.\n"
       "  ksctl reporting regencies --province=64\n"
       "  ksctl reporting regencies --csv > regencies.csv\n",
       {{"province", "only this province's regencies, e.g. 64"},
        {"order_by",
         "regency_code (default), totals.cases_active desc, "
         "totals.completion_rate, ..."},
        {"page_size", "regencies per call (server default 100)"},
        {"csv", "comma-separated values with a header row (RFC 4180)", false,
         true}},
       Regencies},
  };
}

}  // namespace ks::ksctl
