// ksctl's cases commands: the prosecutor's everyday work over
// kerjasosial.cases.v1.Cases.
//
// Mutations send a request_id (--request_id, else a fresh one, printed when
// the outcome is unknown so a retry is safe) and the etag of the version
// they change: --etag when given (a stale one is exit 5), else the current
// one, read first — the change then applies to whatever version is current.
// A retry must repeat both: the same request_id with another etag is another
// request (ALREADY_EXISTS, REQUEST_ID_REUSED), so the hint printed after a
// transient failure names both.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "tools/ksctl/commands.h"

namespace ks::ksctl {
namespace {

namespace v1 = ::kerjasosial::cases::v1;

constexpr char kService[] = "cases";

// The flags of every mutation of an existing case.
std::vector<Flag> MutationFlags(std::vector<Flag> own) {
  own.insert(own.begin(), {"name", "the case: regencies/{regency}/cases/{id}",
                           /*required=*/true});
  own.push_back({"etag",
                 "etag of the version to change (a stale one: exit 5); "
                 "default: the current one, read first"});
  own.push_back({"request_id",
                 "idempotency key: a retry with the same one answers the "
                 "first result; default: a fresh one"});
  return own;
}

// One case, FIELD/VALUE.
void PrintCase(Session& s, const v1::Case& c) {
  if (s.json()) return s.PrintJson(c);
  std::vector<std::pair<std::string, std::string>> rows = {
      {"name", c.name()},
      {"state", EnumName(v1::CaseState_descriptor(), c.state())},
      {"regency", c.regency_code()},
      {"person", c.person().full_name()},
      {"nik", c.person().nik()},
      {"decision", c.decision().decision_number()},
      {"kind", EnumName(kerjasosial::common::v1::SentenceKind_descriptor(),
                        c.sentence().kind())},
      {"basis", EnumName(v1::SentenceBasis_descriptor(), c.sentence().basis())},
      {"hours", absl::StrCat(c.sentence().hours())},
      {"execution order", c.execution_order().order_number()},
      {"handed over to", c.handover().bapas_office_code()},
      {"credited",
       c.has_progress() ? FormatMinutes(c.progress().credited_minutes()) : ""},
      {"owed",
       c.has_progress() ? FormatMinutes(c.progress().owed_minutes()) : ""},
      {"deadline", FormatTime(c.progress().deadline_time())},
      {"at risk", c.progress().at_risk() ? "yes" : ""},
      {"overdue", c.progress().overdue() ? "yes" : ""},
      {"breaches", c.breaches_size() ? absl::StrCat(c.breaches_size()) : ""},
      {"updated", FormatTime(c.update_time())},
      {"etag", c.etag()},
  };
  if (c.breaches_size() > 0) {
    const v1::Breach& b = c.breaches(c.breaches_size() - 1);
    rows.push_back(
        {"last breach",
         absl::StrCat(
             EnumName(v1::BreachReason_descriptor(), b.reason()),
             b.has_outcome()
                 ? " -> " + EnumName(v1::BreachOutcomeKind_descriptor(),
                                     b.outcome().kind())
                 : " (undecided)")});
  }
  PrintFields(s.out(), rows);
}

// The etag to send: --etag, else the case's current one.
int Etag(Session& s, v1::Cases::Stub& stub, const Args& args,
         std::string* etag) {
  if (args.Has("etag")) {
    *etag = args.Get("etag");
    return kExitOk;
  }
  v1::GetCaseRequest req;
  req.set_name(args.Get("name"));
  v1::Case current;
  grpc::Status status = stub.GetCase(s.Context().get(), req, &current);
  if (!status.ok()) return s.Fail(status);
  *etag = current.etag();
  return kExitOk;
}

// Runs a mutation of an existing case: fills name/etag/request_id of
// `Request`, lets `fill` set the rest, calls `rpc`, prints the case.
template <typename Request>
int Mutate(const Args& args, Session& s,
           const std::function<absl::Status(Request*)>& fill,
           grpc::Status (v1::Cases::Stub::*rpc)(grpc::ClientContext*,
                                                const Request&, v1::Case*)) {
  Request req;
  req.set_name(args.Get("name"));
  req.set_request_id(args.Get("request_id", NewRequestId()));
  if (absl::Status st = fill(&req); !st.ok()) return s.Fail(st);
  int error = kExitOk;
  auto stub = s.Connect<v1::Cases>(&error);
  if (!stub) return error;
  std::string etag;
  if (int code = Etag(s, *stub, args, &etag); code != kExitOk) return code;
  req.set_etag(etag);
  v1::Case out;
  grpc::Status status = ((*stub).*rpc)(s.Context().get(), req, &out);
  if (!status.ok()) {
    return s.Fail(status, absl::StrCat("--request_id=", req.request_id(),
                                       " --etag=", req.etag()));
  }
  PrintCase(s, out);
  return kExitOk;
}

// A date flag with today as the default.
absl::Status DateFlag(const Args& args, absl::string_view flag,
                      google::type::Date* out) {
  if (!args.Has(flag)) {
    *out = Today();
    return absl::OkStatus();
  }
  absl::StatusOr<google::type::Date> d = ParseDate(flag, args.Get(flag));
  if (!d.ok()) return d.status();
  *out = *d;
  return absl::OkStatus();
}

int Register(const Args& args, Session& s) {
  v1::CreateCaseRequest req;
  req.set_parent("regencies/" + args.Get("regency"));
  req.set_request_id(args.Get("request_id", NewRequestId()));
  req.set_validate_only(args.Has("validate_only"));
  if (absl::Status st = ReadJsonBody(args, req.mutable_case_data()); !st.ok()) {
    return s.Fail(st);
  }
  int error = kExitOk;
  auto stub = s.Connect<v1::Cases>(&error);
  if (!stub) return error;
  v1::Case out;
  grpc::Status status = stub->CreateCase(s.Context().get(), req, &out);
  if (!status.ok()) {
    return s.Fail(status, absl::StrCat("--request_id=", req.request_id()));
  }
  PrintCase(s, out);
  return kExitOk;
}

int Get(const Args& args, Session& s) {
  int error = kExitOk;
  auto stub = s.Connect<v1::Cases>(&error);
  if (!stub) return error;
  v1::GetCaseRequest req;
  req.set_name(args.Get("name"));
  v1::Case out;
  grpc::Status status = stub->GetCase(s.Context().get(), req, &out);
  if (!status.ok()) return s.Fail(status);
  PrintCase(s, out);
  return kExitOk;
}

int List(const Args& args, Session& s) {
  v1::ListCasesRequest req;
  req.set_parent("regencies/" + args.Get("regency", "-"));
  req.set_filter(args.Get("filter"));
  req.set_order_by(args.Get("order_by"));
  req.set_page_token(args.Get("page_token"));
  absl::StatusOr<int64_t> size = args.GetInt("page_size", 0);
  if (!size.ok()) return s.Fail(size.status());
  req.set_page_size(static_cast<int32_t>(*size));
  int error = kExitOk;
  auto stub = s.Connect<v1::Cases>(&error);
  if (!stub) return error;
  Table table({"NAME", "STATE", "KIND", "HOURS", "OWED", "DEADLINE"});
  v1::ListCasesResponse all;
  do {
    v1::ListCasesResponse page;
    grpc::Status status = stub->ListCases(s.Context().get(), req, &page);
    if (!status.ok()) return s.Fail(status);
    for (const v1::Case& x : page.cases()) {
      table.Add(
          {x.name(), EnumName(v1::CaseState_descriptor(), x.state()),
           EnumName(kerjasosial::common::v1::SentenceKind_descriptor(),
                    x.sentence().kind()),
           absl::StrCat(x.sentence().hours()),
           x.has_progress() ? FormatMinutes(x.progress().owed_minutes()) : "",
           FormatTime(x.progress().deadline_time())});
    }
    all.mutable_cases()->MergeFrom(page.cases());
    all.set_total_size(page.total_size());
    all.set_next_page_token(page.next_page_token());
    req.set_page_token(page.next_page_token());
  } while (args.Has("all") && !req.page_token().empty());
  if (s.json()) {
    s.PrintJson(all);
  } else {
    table.Print(s.out());
    if (!all.next_page_token().empty()) {
      s.out() << "more: --page_token=" << all.next_page_token()
              << " (or --all)\n";
    }
  }
  return kExitOk;
}

int Order(const Args& args, Session& s) {
  return Mutate<v1::IssueExecutionOrderRequest>(
      args, s,
      [&](v1::IssueExecutionOrderRequest* r) {
        v1::ExecutionOrder* o = r->mutable_execution_order();
        o->set_order_number(args.Get("order_number"));
        o->set_kejari_code(args.Get("kejari"));
        if (args.Has("document_uri")) {
          o->mutable_document()->set_uri(args.Get("document_uri"));
        }
        return DateFlag(args, "issued_date", o->mutable_issued_date());
      },
      &v1::Cases::Stub::IssueExecutionOrder);
}

int HandOver(const Args& args, Session& s) {
  return Mutate<v1::HandOverToBapasRequest>(
      args, s,
      [&](v1::HandOverToBapasRequest* r) {
        v1::Handover* h = r->mutable_handover();
        h->set_bapas_office_code(args.Get("bapas_office"));
        h->set_supervision_address(args.Get("supervision_address"));
        return DateFlag(args, "date", h->mutable_handover_date());
      },
      &v1::Cases::Stub::HandOverToBapas);
}

int Breach(const Args& args, Session& s) {
  return Mutate<v1::RecordBreachRequest>(
      args, s,
      [&](v1::RecordBreachRequest* r) -> absl::Status {
        absl::StatusOr<int> reason = ParseEnum(v1::BreachReason_descriptor(),
                                               "reason", args.Get("reason"));
        if (!reason.ok()) return reason.status();
        r->set_reason(static_cast<v1::BreachReason>(*reason));
        r->set_reason_code(args.Get("reason_code"));
        for (absl::string_view v : absl::StrSplit(args.Get("violations"), ',',
                                                  absl::SkipWhitespace())) {
          r->add_violations(std::string(v));
        }
        return absl::OkStatus();
      },
      &v1::Cases::Stub::RecordBreach);
}

int Decide(const Args& args, Session& s) {
  return Mutate<v1::DecideBreachOutcomeRequest>(
      args, s,
      [&](v1::DecideBreachOutcomeRequest* r) -> absl::Status {
        v1::BreachOutcome* o = r->mutable_outcome();
        if (args.Has("outcome_json")) {
          if (absl::Status st =
                  ParseJson("outcome_json", args.Get("outcome_json"), o);
              !st.ok()) {
            return st;
          }
        }
        if (args.Has("kind")) {
          absl::StatusOr<int> kind = ParseEnum(
              v1::BreachOutcomeKind_descriptor(), "kind", args.Get("kind"));
          if (!kind.ok()) return kind.status();
          o->set_kind(static_cast<v1::BreachOutcomeKind>(*kind));
        }
        if (o->kind() == v1::BREACH_OUTCOME_KIND_UNSPECIFIED) {
          return absl::InvalidArgumentError(
              "--kind (or kind in --outcome_json) is required");
        }
        if (args.Has("extent")) {
          absl::StatusOr<int> extent = ParseEnum(v1::OutcomeExtent_descriptor(),
                                                 "extent", args.Get("extent"));
          if (!extent.ok()) return extent.status();
          o->set_extent(static_cast<v1::OutcomeExtent>(*extent));
        }
        if (args.Has("valid_reason")) {
          o->mutable_excused()->set_valid_reason_code(args.Get("valid_reason"));
        }
        if (args.Has("repeat_hours") || args.Has("span_days") ||
            args.Has("judge_order")) {
          absl::StatusOr<int64_t> hours = args.GetInt("repeat_hours", 0);
          absl::StatusOr<int64_t> span = args.GetInt("span_days", 0);
          if (!hours.ok()) return hours.status();
          if (!span.ok()) return span.status();
          v1::RepeatOutcome* rep = o->mutable_repeat();
          if (*hours) rep->set_repeat_hours(static_cast<int32_t>(*hours));
          if (*span) rep->set_span_days(static_cast<int32_t>(*span));
          if (args.Has("judge_order")) {
            rep->set_judge_order_reference(args.Get("judge_order"));
          }
        }
        if (args.Has("decided_date") || !o->has_decided_date()) {
          return DateFlag(args, "decided_date", o->mutable_decided_date());
        }
        return absl::OkStatus();
      },
      &v1::Cases::Stub::DecideBreachOutcome);
}

int Complete(const Args& args, Session& s) {
  return Mutate<v1::ConfirmCompletionRequest>(
      args, s,
      [&](v1::ConfirmCompletionRequest* r) -> absl::Status {
        if (args.Has("certificate_number")) {
          r->mutable_certificate()->set_number(args.Get("certificate_number"));
        }
        if (args.Has("certificate_uri")) {
          r->mutable_certificate()->set_uri(args.Get("certificate_uri"));
        }
        return absl::OkStatus();
      },
      &v1::Cases::Stub::ConfirmCompletion);
}

}  // namespace

std::vector<Command> CasesCommands() {
  return {
      {kService,
       "register",
       "register a court decision as a case (CreateCase)",
       "Reads the case in protobuf's JSON mapping (a "
       "kerjasosial.cases.v1.Case:\n"
       "person, decision, offence, sentence, ...) from --file ('-': stdin).\n"
       "  ksctl cases register --regency=64.01 --file=case.json\n",
       {{"regency", "regency of the prosecuting Kejari, e.g. 64.01", true},
        {"file", "the case as JSON; '-' reads standard input", true},
        {"request_id", "idempotency key; default: a fresh one"},
        {"validate_only", "check and show the would-be case, write nothing",
         false, true}},
       Register},
      {kService,
       "get",
       "show one case (GetCase)",
       "  ksctl cases get --name=regencies/64.01/cases/01hq...\n",
       {{"name", "the case: regencies/{regency}/cases/{id}", true}},
       Get},
      {kService,
       "list",
       "list cases of a regency (ListCases)",
       "  ksctl cases list --regency=64.01 --filter='state = IN_PROGRESS' "
       "--all\n",
       {{"regency",
         "regency code, or '-' for every one you may see "
         "(default)"},
        {"filter",
         "AIP-160 filter, e.g. 'state = IN_PROGRESS AND "
         "progress.at_risk = true'"},
        {"order_by",
         "create_time (default), update_time or "
         "progress.deadline_time, optionally ' desc'"},
        {"page_size", "cases per page (server default 50, at most 500)"},
        {"page_token", "next_page_token of the previous page"},
        {"all", "follow every page", false, true}},
       List},
      {kService, "order", "issue the execution order (IssueExecutionOrder)",
       "  ksctl cases order --name=... --order_number=PRINT-01/O.4.13/2026 "
       "--kejari=kejari-64.01\n",
       MutationFlags({{"order_number", "number of the order", true},
                      {"kejari", "issuing Kejari, e.g. kejari-64.01", true},
                      {"issued_date", "YYYY-MM-DD; default today"},
                      {"document_uri", "where the order document is"}}),
       Order},
      {kService, "handover",
       "hand the person over to a Bapas (HandOverToBapas)",
       "  ksctl cases handover --name=... --bapas_office=bapas-balikpapan\n",
       MutationFlags({{"bapas_office", "receiving Bapas office code", true},
                      {"date", "handover date YYYY-MM-DD; default today"},
                      {"supervision_address",
                       "gRPC address of that Bapas's supervision "
                       "deployment"}}),
       HandOver},
      {kService, "breach", "record a breach (RecordBreach)",
       "  ksctl cases breach --name=... --reason=ABSENT_WITHOUT_REASON "
       "--violations=regencies/64.01/violations/01hq...\n",
       MutationFlags(
           {{"reason",
             "ABSENT_WITHOUT_REASON, FAILED_TO_COMPLY, DEADLINE_PASSED, "
             "WARNINGS_EXHAUSTED or OTHER",
             true},
            {"reason_code", "taxonomy code when --reason=OTHER"},
            {"violations", "comma-separated supervision violation names"}}),
       Breach},
      {kService, "decide",
       "decide the open breach's outcome (DecideBreachOutcome)",
       "Simple outcomes by flags, any outcome by --outcome_json (a\n"
       "kerjasosial.cases.v1.BreachOutcome; flags given as well override it).\n"
       "  ksctl cases decide --name=... --kind=EXCUSED "
       "--valid_reason=illness\n"
       "  ksctl cases decide --name=... --kind=REPEAT --extent=PART "
       "--repeat_hours=10 --span_days=60\n",
       MutationFlags(
           {{"kind", "REPEAT, SERVE_PRISON, PAY_FINE or EXCUSED"},
            {"extent", "ALL or PART (not for EXCUSED)"},
            {"valid_reason", "EXCUSED: the valid reason's taxonomy code"},
            {"repeat_hours", "REPEAT: hours to repeat"},
            {"span_days", "REPEAT: days to do them in"},
            {"judge_order", "REPEAT of a child: the supervising judge's order"},
            {"decided_date", "YYYY-MM-DD; default today"},
            {"outcome_json", "the whole outcome as JSON"}}),
       Decide},
      {kService, "complete",
       "confirm the sentence is served (ConfirmCompletion)",
       "  ksctl cases complete --name=... --certificate_number=SKET-01/2026\n",
       MutationFlags({{"certificate_number",
                       "number of the signed "
                       "certificate"},
                      {"certificate_uri", "where the certificate is"}}),
       Complete},
  };
}

}  // namespace ks::ksctl
