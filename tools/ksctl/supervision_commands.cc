// ksctl's supervision commands: a PK's everyday reading of the hours ledger
// over kerjasosial.supervision.v1.Supervision. Read-only.
//
// Recording a work session or a group session is not here yet: it waits for
// the supervision service (the `ksctl supervision` commands report
// UNIMPLEMENTED, exit 8, until a deployment serves them).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "tools/ksctl/commands.h"

namespace ks::ksctl {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

int Ledger(const Args& args, Session& s) {
  int error = kExitOk;
  auto stub = s.Connect<v1::Supervision>(&error);
  if (!stub) return error;
  v1::GetHoursLedgerRequest req;
  req.set_name(args.Get("name"));
  req.set_include_days(args.Has("days"));
  v1::HoursLedger l;
  grpc::Status status = stub->GetHoursLedger(s.Context().get(), req, &l);
  if (!status.ok()) return s.Fail(status);
  if (s.json()) {
    s.PrintJson(l);
    return kExitOk;
  }
  PrintFields(s.out(),
              {{"ledger", l.name()},
               {"case", l.case_name()},
               {"state", EnumName(v1::LedgerState_descriptor(), l.state())},
               {"target", FormatMinutes(l.target_minutes())},
               {"credited", FormatMinutes(l.credited_minutes())},
               {"owed", FormatMinutes(l.owed_minutes())},
               {"sessions", absl::StrCat(l.sessions_count())},
               {"deadline", FormatTime(l.deadline_time())},
               {"at risk", l.at_risk() ? "yes" : "no"},
               {"overdue", l.overdue() ? "yes" : "no"},
               {"pk", l.pk_principal_id()},
               {"site", l.site()},
               {"etag", l.etag()}});
  if (l.days_size() > 0) {
    Table days({"DAY", "CREDITED"});
    for (const auto& d : l.days()) {
      days.Add(
          {FormatDate(d.local_date()), FormatMinutes(d.credited_minutes())});
    }
    s.out() << "\n";
    days.Print(s.out());
  }
  return kExitOk;
}

int AtRisk(const Args& args, Session& s) {
  int error = kExitOk;
  auto stub = s.Connect<v1::Supervision>(&error);
  if (!stub) return error;
  v1::ListHoursLedgersRequest req;
  req.set_parent("regencies/" + args.Get("regency", "-"));
  std::string filter = "at_risk = true";
  if (args.Has("pk")) {
    absl::StrAppend(&filter, " AND pk_principal_id = \"", args.Get("pk"), "\"");
  }
  req.set_filter(filter);
  req.set_order_by("deadline_time");
  v1::ListHoursLedgersResponse all;
  do {
    v1::ListHoursLedgersResponse page;
    grpc::Status status = stub->ListHoursLedgers(s.Context().get(), req, &page);
    if (!status.ok()) return s.Fail(status);
    all.mutable_ledgers()->MergeFrom(page.ledgers());
    all.set_total_size(page.total_size());
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (s.json()) {
    s.PrintJson(all);
    return kExitOk;
  }
  Table t({"CASE", "OWED", "DEADLINE", "PK", "OVERDUE"});
  for (const v1::HoursLedger& l : all.ledgers()) {
    t.Add({l.case_name(), FormatMinutes(l.owed_minutes()),
           FormatTime(l.deadline_time()), l.pk_principal_id(),
           l.overdue() ? "yes" : ""});
  }
  t.Print(s.out());
  return kExitOk;
}

int Plan(const Args& args, Session& s) {
  v1::PlanRemainingSessionsRequest req;
  req.set_ledger(args.Get("ledger"));
  if (args.Has("from")) {
    absl::StatusOr<google::type::Date> from =
        ParseDate("from", args.Get("from"));
    if (!from.ok()) return s.Fail(from.status());
    *req.mutable_from_date() = *from;
  }
  int error = kExitOk;
  auto stub = s.Connect<v1::Supervision>(&error);
  if (!stub) return error;
  v1::PlanRemainingSessionsResponse out;
  grpc::Status status =
      stub->PlanRemainingSessions(s.Context().get(), req, &out);
  if (!status.ok()) return s.Fail(status);
  if (s.json()) {
    s.PrintJson(out);
    return kExitOk;
  }
  Table t({"DAY", "START", "END", "CREDITS"});
  for (const v1::PlannedSession& p : out.sessions()) {
    t.Add({FormatDate(p.local_date()), FormatTime(p.start_time()),
           FormatTime(p.end_time()), FormatMinutes(p.credited_minutes())});
  }
  t.Print(s.out());
  s.out() << "owed " << FormatMinutes(out.owed_minutes()) << ", deadline "
          << FormatDate(out.deadline_date());
  if (out.shortfall_minutes() > 0) {
    s.out() << ", SHORT by " << FormatMinutes(out.shortfall_minutes())
            << " (at risk)";
  }
  s.out() << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Command> SupervisionCommands() {
  return {
      {"supervision",
       "ledger",
       "a case's hours ledger (GetHoursLedger)",
       "  ksctl supervision ledger --name=regencies/64.01/ledgers/<id> "
       "--days\n",
       {{"name", "the ledger: regencies/{regency}/ledgers/{ledger}", true},
        {"days", "also list the credited minutes of each day", false, true}},
       Ledger},
      {"supervision",
       "at-risk",
       "ledgers at risk of missing their deadline (ListHoursLedgers)",
       "Soonest deadline first; follows every page.\n"
       "  ksctl supervision at-risk --regency=64.01 --pk=pk-017\n",
       {{"regency", "regency code, or '-' for all you may see (default)"},
        {"pk", "only this PK's cases (principal id)"}},
       AtRisk},
      {"supervision",
       "plan",
       "sessions that would finish the owed hours in time "
       "(PlanRemainingSessions)",
       "  ksctl supervision plan --ledger=regencies/64.01/ledgers/<id>\n",
       {{"ledger", "the ledger's resource name", true},
        {"from", "first day to plan, YYYY-MM-DD (default tomorrow)"}},
       Plan},
  };
}

}  // namespace ks::ksctl
