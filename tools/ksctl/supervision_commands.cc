// ksctl's supervision commands: a PK's or site supervisor's everyday work
// over kerjasosial.supervision.v1.Supervision: record a work session (flags)
// or a group session (JSON), read the hours ledger, the at-risk list and the
// plan of the remaining sessions.
//
// Recording is idempotent: each invocation sends a request_id (--request_id,
// else a fresh one printed when the call fails transiently), so a retry
// after a lost reply credits the session once.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
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
  // Soonest deadline first: the server lists newest ledgers first (an
  // index by deadline would be rewritten on every credited session).
  std::sort(all.mutable_ledgers()->begin(), all.mutable_ledgers()->end(),
            [](const v1::HoursLedger& a, const v1::HoursLedger& b) {
              return a.deadline_time().seconds() < b.deadline_time().seconds();
            });
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

// Prints a recorded session: what was credited, and why the rest was not.
void PrintSession(Session& s, const v1::WorkSession& w) {
  if (s.json()) {
    s.PrintJson(w);
    return;
  }
  PrintFields(
      s.out(),
      {{"name", w.name()},
       {"case", w.case_name()},
       {"placement", w.placement()},
       {"start", FormatTime(w.start_time())},
       {"end", FormatTime(w.end_time())},
       {"outcome", EnumName(v1::AttendanceOutcome_descriptor(), w.outcome())},
       {"worked", FormatMinutes(w.worked_minutes())},
       {"credited", FormatMinutes(w.credited_minutes())},
       {"not credited",
        w.excess_minutes() > 0 ? FormatMinutes(w.excess_minutes()) : ""},
       {"state", EnumName(v1::WorkSessionState_descriptor(), w.state())},
       {"etag", w.etag()}});
}

int RecordSession(const Args& args, Session& s) {
  v1::RecordWorkSessionRequest req;
  req.set_parent("regencies/" + args.Get("regency"));
  req.set_request_id(args.Get("request_id", NewRequestId()));
  v1::WorkSession& w = *req.mutable_work_session();
  w.set_case_name(args.Get("case"));
  w.set_placement(args.Get("placement"));
  for (const char* flag : {"start", "end"}) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        ParseTimestamp(flag, args.Get(flag));
    if (!t.ok()) return s.Fail(t.status());
    *(flag[0] == 's' ? w.mutable_start_time() : w.mutable_end_time()) = *t;
  }
  absl::StatusOr<int> outcome =
      ParseEnum(v1::AttendanceOutcome_descriptor(), "outcome",
                args.Get("outcome", "ATTENDED_COMPLIED"));
  if (!outcome.ok()) return s.Fail(outcome.status());
  w.set_outcome(static_cast<v1::AttendanceOutcome>(*outcome));
  w.set_reason_code(args.Get("reason_code"));
  w.set_activity_type(args.Get("activity_type"));
  int error = kExitOk;
  auto stub = s.Connect<v1::Supervision>(&error);
  if (!stub) return error;
  v1::WorkSession out;
  grpc::Status status = stub->RecordWorkSession(s.Context().get(), req, &out);
  if (!status.ok()) {
    return s.Fail(status, absl::StrCat("--request_id=", req.request_id()));
  }
  PrintSession(s, out);
  return kExitOk;
}

int GroupSession(const Args& args, Session& s) {
  v1::RecordGroupSessionRequest req;
  req.set_parent("regencies/" + args.Get("regency"));
  req.set_request_id(args.Get("request_id", NewRequestId()));
  if (absl::Status st = ReadJsonBody(args, req.mutable_group_session());
      !st.ok()) {
    return s.Fail(st);
  }
  int error = kExitOk;
  auto stub = s.Connect<v1::Supervision>(&error);
  if (!stub) return error;
  v1::GroupSession out;
  grpc::Status status = stub->RecordGroupSession(s.Context().get(), req, &out);
  if (!status.ok()) {
    return s.Fail(status, absl::StrCat("--request_id=", req.request_id()));
  }
  if (s.json()) {
    s.PrintJson(out);
    return kExitOk;
  }
  PrintFields(s.out(), {{"name", out.name()},
                        {"site", out.site()},
                        {"start", FormatTime(out.start_time())},
                        {"end", FormatTime(out.end_time())}});
  Table t(
      {"CASE", "SESSION", "CREDITED", "NOT CREDITED", "VIOLATION", "REFUSED"});
  for (const v1::GroupAttendanceResult& r : out.results()) {
    // A refused attendee has no session: the rule that refused them, as
    // RecordWorkSession would have answered it.
    const std::string refused =
        r.has_refusal()
            ? absl::StrCat(
                  absl::StatusCodeToString(
                      static_cast<absl::StatusCode>(r.refusal().code())),
                  ": ", r.refusal().message())
            : "";
    t.Add({r.case_name(), r.work_session(),
           r.has_refusal() ? "" : FormatMinutes(r.credited_minutes()),
           r.excess_minutes() > 0 ? FormatMinutes(r.excess_minutes()) : "",
           r.violation(), refused});
  }
  s.out() << "\n";
  t.Print(s.out());
  return kExitOk;
}

}  // namespace

std::vector<Command> SupervisionCommands() {
  return {
      {"supervision",
       "record-session",
       "record one person's work session (RecordWorkSession)",
       "Credit is capped by the policy's daily cap, the minutes owed and the\n"
       "child rules; what is not credited is shown with the session.\n"
       "  ksctl supervision record-session --regency=64.01 "
       "--case=regencies/64.01/cases/<id>\n"
       "      --placement=regencies/64.01/placements/<id> "
       "--start=2026-11-30T08:00:00+08:00\n"
       "      --end=2026-11-30T12:00:00+08:00 --outcome=ATTENDED_COMPLIED\n",
       {{"regency", "regency of the case, e.g. 64.01", true},
        {"case", "the case's resource name", true},
        {"placement", "the placement worked at", true},
        {"start", "start, RFC 3339 with offset", true},
        {"end", "end, RFC 3339 with offset", true},
        {"outcome",
         "attendance outcome (default ATTENDED_COMPLIED; also "
         "FAILED_TO_COMPLY, SENT_HOME, ABSENT_ACCEPTABLE, "
         "ABSENT_UNACCEPTABLE)"},
        {"reason_code", "valid_reason code of an acceptable absence"},
        {"activity_type", "activity type worked (default: the placement's)"},
        {"request_id", "idempotency key; default: a fresh one"}},
       RecordSession},
      {"supervision",
       "group-session",
       "record everyone at one site session (RecordGroupSession)",
       "Reads the group session (a kerjasosial.supervision.v1.GroupSession:\n"
       "site, start_time, end_time, attendances) as JSON from --file ('-':\n"
       "stdin). Prints each person's result: credited minutes, or the rule\n"
       "that refused that person (the others are still recorded).\n"
       "  ksctl supervision group-session --regency=64.01 --file=group.json\n",
       {{"regency", "regency of the site", true},
        {"file", "the group session as JSON; '-' reads standard input", true},
        {"request_id", "idempotency key; default: a fresh one"}},
       GroupSession},
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
