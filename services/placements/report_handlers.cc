// The periodic report rpcs of PlacementsService and the consumption of
// supervision's feed their figures come from (see placements_service.h).
#include <algorithm>

#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "services/placements/domain/periodic_report.h"
#include "services/placements/domain/report.h"
#include "services/placements/domain/supervision_counts.h"
#include "services/placements/service_impl.h"

namespace ks::placements {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace sv1 = ::kerjasosial::supervision::v1;
using pv1::PeriodicReport;

constexpr char kReportPattern[] =
    "regencies/{regency}/agreements/{agreement}/reports/{report}";
constexpr char kReportType[] = "kerjasosial.placements.v1.PeriodicReport";

// The agreement of a report name ("<agreement>/reports/<id>").
std::string AgreementOfReport(absl::string_view report) {
  const size_t at = report.rfind("/reports/");
  return std::string(report.substr(0, at));
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

// ---------------------------------------------------------------------------
// Figures.

absl::StatusOr<domain::AgreementReport> PlacementsService::AgreementReportOf(
    const pv1::CooperationAgreement& agreement,
    const kerjasosial::common::v1::DateRange& period) {
  std::vector<pv1::Site> sites;
  std::string after;
  do {
    KS_ASSIGN_OR_RETURN(
        outbox::IndexPageInfo page,
        store_.List<pv1::Site>(
            store::kSites, absl::StrCat("r:", agreement.regency_code()), after,
            500, {},
            [&](const pv1::Site& s) {
              return s.agreement() == agreement.name();
            },
            &sites));
    after = page.next_after;
  } while (!after.empty());
  std::vector<pv1::Placement> placements;
  std::vector<std::string> counter_keys;
  const std::vector<absl::CivilMonth> months = domain::MonthsOf(period);
  for (const pv1::Site& s : sites) {
    KS_ASSIGN_OR_RETURN(
        std::vector<pv1::Placement> at,
        PlacementsAt(s.name(), [](const pv1::Placement&) { return true; }));
    placements.insert(placements.end(), at.begin(), at.end());
    for (absl::CivilMonth m : months) {
      counter_keys.push_back(store::CounterKey(s.name(), domain::MonthKey(m)));
    }
  }
  KS_ASSIGN_OR_RETURN(auto hashes, store_.HashAllMany(counter_keys));
  domain::SiteCounters counters;
  for (size_t i = 0; i < hashes.size(); ++i) {
    const std::string& site = sites[i / months.size()].name();
    for (const auto& [field, value] : hashes[i]) {
      int64_t n = 0;
      if (absl::SimpleAtoi(value, &n)) {
        domain::AddCounter(field, n, &counters[site]);
      }
    }
  }
  absl::StatusOr<absl::TimeZone> zone =
      regions::Regions::Get().TimeZone(agreement.regency_code());
  return domain::ReportOf(
      sites, placements, period,
      zone.ok() ? *zone : options_.policy->default_time_zone(), counters);
}

absl::StatusOr<pv1::ReportFigures> PlacementsService::AgreementFigures(
    const pv1::CooperationAgreement& agreement,
    const kerjasosial::common::v1::DateRange& period) {
  KS_ASSIGN_OR_RETURN(domain::AgreementReport r,
                      AgreementReportOf(agreement, period));
  return std::move(r.figures);
}

absl::StatusOr<domain::AgreementReport> PlacementsService::ReportFiguresOf(
    const PeriodicReport& report) {
  KS_ASSIGN_OR_RETURN(pv1::CooperationAgreement agreement,
                      store_.Get<pv1::CooperationAgreement>(
                          AgreementOfReport(report.name()), "agreement"));
  return AgreementReportOf(agreement, report.period());
}

absl::StatusOr<PeriodicReport> PlacementsService::ReadReport(
    grpc::CallbackServerContext& ctx, absl::string_view method,
    const google::protobuf::Message& request) {
  KS_ASSIGN_OR_RETURN(
      PeriodicReport r,
      ReadOne<PeriodicReport>(ctx, method, request, kReportPattern, "report"));
  if (r.state() == pv1::REPORT_STATE_DRAFT) {
    KS_ASSIGN_OR_RETURN(domain::AgreementReport figures, ReportFiguresOf(r));
    domain::RefreshFigures(r, figures);
  }
  return r;
}

// ---------------------------------------------------------------------------
// Periodic reports.

grpc::ServerUnaryReactor* PlacementsService::CreatePeriodicReport(
    grpc::CallbackServerContext* ctx,
    const pv1::CreatePeriodicReportRequest* req, PeriodicReport* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        CreateOne<PeriodicReport>(
            *ctx, "CreatePeriodicReport", *req, kAgreementPattern,
            [=](const rpc::Call& call, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<PeriodicReport> {
              KS_ASSIGN_OR_RETURN(pv1::CooperationAgreement agreement,
                                  store_.Get<pv1::CooperationAgreement>(
                                      call.resource, "agreement"));
              // Figures of a period that is not one are never computed.
              Validator v;
              domain::CheckReportPeriod(
                  v, "report.period", req->report().period(),
                  domain::EffectiveReportingPeriod(agreement, *c.policy));
              KS_RETURN_IF_ERROR(v.Finish());
              KS_ASSIGN_OR_RETURN(
                  domain::AgreementReport figures,
                  AgreementReportOf(agreement, req->report().period()));
              KS_ASSIGN_OR_RETURN(
                  PeriodicReport r,
                  domain::NewPeriodicReport(
                      req->report(), agreement,
                      absl::StrCat(call.resource, "/reports/",
                                   domain::ReportId(req->report().period())),
                      figures, c));
              // Version 0: a second report of the period is ALREADY_EXISTS.
              batch.Put(r, 0);
              batch.IndexUnder(store::kReports, agreement.regency_code(),
                               call.resource, r.name());
              return r;
            },
            [=](Validator& v) {
              if (v.Required("report", req->has_report())) {
                v.Required("report.period", req->report().has_period());
              }
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetPeriodicReport(
    grpc::CallbackServerContext* ctx, const pv1::GetPeriodicReportRequest* req,
    PeriodicReport* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(ReadReport(*ctx, "GetPeriodicReport", *req), resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListPeriodicReports(
    grpc::CallbackServerContext* ctx,
    const pv1::ListPeriodicReportsRequest* req,
    pv1::ListPeriodicReportsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    int page_size = 24;
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(
            *ctx, "ListPeriodicReports", *req,
            rpc::Envelope("parent", kAgreementPattern,
                          /*allow_wildcard=*/true, [&](Validator& v) {
                            const int size =
                                v.PageSize("page_size", req->page_size(), 200);
                            if (req->page_size() != 0) {
                              page_size = size;
                            }
                          })));
    KS_ASSIGN_OR_RETURN(
        ListFilter filter,
        ListFilter::Compile(req->filter(), *PeriodicReport::descriptor()));
    const std::string regency = call.vars.at("regency");
    const bool every_agreement = call.vars.at("agreement") == "-";
    const std::string scope = every_agreement
                                  ? absl::StrCat("r:", regency)
                                  : absl::StrCat("p:", req->parent());
    const std::string hash = rpc::QueryHash({req->parent(), req->filter()});
    KS_ASSIGN_OR_RETURN(
        std::string after,
        rpc::DecodePageToken(req->page_token(), store::kReports, hash));
    // An agreement has a few reports a year: read them all and order them
    // newest period first, which the index (creation order) is not.
    std::vector<PeriodicReport> all;
    std::string scan_after;
    do {
      KS_ASSIGN_OR_RETURN(
          outbox::IndexPageInfo page,
          store_.List<PeriodicReport>(
              store::kReports, scope, scan_after, 500, {},
              [&](const PeriodicReport& r) { return filter.Matches(r); },
              &all));
      scan_after = page.next_after;
    } while (!scan_after.empty());
    std::sort(all.begin(), all.end(),
              [](const PeriodicReport& a, const PeriodicReport& b) {
                const std::string ka = domain::ReportId(a.period());
                const std::string kb = domain::ReportId(b.period());
                return ka != kb ? ka > kb : a.name() < b.name();
              });
    size_t from = 0;
    if (!after.empty()) {
      while (from < all.size() && all[from].name() != after) ++from;
      if (from < all.size()) ++from;
    }
    for (size_t i = from; i < all.size() && resp->reports_size() < page_size;
         ++i) {
      *resp->add_reports() = all[i];
    }
    if (from + resp->reports_size() < all.size()) {
      resp->set_next_page_token(
          rpc::EncodePageToken(store::kReports, hash,
                               resp->reports(resp->reports_size() - 1).name()));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::UpdatePeriodicReport(
    grpc::CallbackServerContext* ctx,
    const pv1::UpdatePeriodicReportRequest* req, PeriodicReport* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<PeriodicReport>(
            *ctx, "UpdatePeriodicReport", *req, "report.name", kReportPattern,
            "report",
            [=](const rpc::Call&, const PeriodicReport& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<PeriodicReport> {
              KS_ASSIGN_OR_RETURN(domain::AgreementReport figures,
                                  ReportFiguresOf(current));
              KS_ASSIGN_OR_RETURN(
                  PeriodicReport r,
                  domain::UpdatePeriodicReport(current, req->report(),
                                               req->update_mask(), figures, c));
              batch.Put(r, VersionOf(current));
              return r;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::SubmitPeriodicReport(
    grpc::CallbackServerContext* ctx,
    const pv1::SubmitPeriodicReportRequest* req, PeriodicReport* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<PeriodicReport>(
            *ctx, "SubmitPeriodicReport", *req, "name", kReportPattern,
            "report",
            [=](const rpc::Call& call, const PeriodicReport& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<PeriodicReport> {
              KS_ASSIGN_OR_RETURN(domain::AgreementReport figures,
                                  ReportFiguresOf(current));
              KS_ASSIGN_OR_RETURN(
                  PeriodicReport r,
                  domain::SubmitPeriodicReport(current, figures, c));
              const int64_t version = batch.Put(r, VersionOf(current));
              pv1::PeriodicReportSubmitted e;
              e.set_agreement(AgreementOfReport(r.name()));
              *e.mutable_period() = r.period();
              *e.mutable_figures() = r.figures();
              *e.mutable_due_date() = r.due_date();
              e.set_on_time(r.submitted_on_time());
              batch.Event(kReportType, r.name(), version,
                          call.vars.at("regency"), e);
              return r;
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Supervision's feed.

absl::StatusOr<feed::RedisOps> PlacementsService::IncrementsOf(
    const std::vector<domain::CounterDelta>& deltas) const {
  feed::RedisOps ops;
  for (const domain::CounterDelta& d : deltas) {
    ops.push_back(
        {"HINCRBY",
         store_.FullKey(store::CounterKey(d.site, domain::MonthKey(d.month))),
         domain::CounterField(d.activity_type, d.counter),
         absl::StrCat(d.delta)});
  }
  return ops;
}

absl::StatusOr<feed::RedisOps> PlacementsService::IncidentOps(
    const std::string& case_name, absl::Time at, absl::string_view counter) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names,
                      store_.Members(store::CasePlacementsKey(case_name)));
  // A case never placed here: another Pemda's.
  if (names.empty()) return feed::RedisOps{};
  KS_ASSIGN_OR_RETURN(auto records, store_.GetMany(names));
  std::vector<pv1::Placement> placements;
  for (const auto& [name, rec] : records) {
    KS_ASSIGN_OR_RETURN(
        pv1::Placement p,
        store::PlacementsStore::Parse<pv1::Placement>(rec, name));
    placements.push_back(std::move(p));
  }
  // The regency's zone (R14): the sites of a placement's regency share it.
  absl::StatusOr<absl::TimeZone> regency_zone =
      regions::Regions::Get().TimeZone(placements.front().regency_code());
  const absl::TimeZone zone =
      regency_zone.ok() ? *regency_zone : options_.policy->default_time_zone();
  const pv1::Placement* p = domain::PlacementAt(placements, at, zone);
  if (p == nullptr) return feed::RedisOps{};
  return IncrementsOf({domain::IncidentDelta(*p, at, zone, counter)});
}

absl::StatusOr<feed::RedisOps> PlacementsService::ApplySupervisionEvent(
    const kerjasosial::common::v1::Event& event) {
  // Snapshot events carry ledgers (current states), not the facts counted
  // here; counters come from the events alone.
  if (event.snapshot()) return feed::RedisOps{};
  const std::string& type = event.event_type();
  if (type == sv1::SessionRecorded::descriptor()->full_name()) {
    sv1::SessionRecorded s;
    if (!event.payload().UnpackTo(&s)) {
      return absl::InvalidArgumentError("SessionRecorded does not parse");
    }
    KS_ASSIGN_OR_RETURN(domain::SessionMemo memo, domain::MemoOf(s));
    absl::StatusOr<pv1::Site> site = store_.Get<pv1::Site>(s.site(), "site");
    if (absl::IsNotFound(site.status())) return feed::RedisOps{};
    KS_RETURN_IF_ERROR(site.status());
    KS_ASSIGN_OR_RETURN(
        feed::RedisOps ops,
        IncrementsOf(domain::SessionDeltas(memo, s.credited_minutes(), +1)));
    ops.push_back({"HSET", store_.FullKey(store::kSessionMemoKey),
                   s.work_session(), domain::EncodeMemo(memo)});
    return ops;
  }
  if (type == sv1::SessionVoided::descriptor()->full_name()) {
    sv1::SessionVoided s;
    if (!event.payload().UnpackTo(&s)) {
      return absl::InvalidArgumentError("SessionVoided does not parse");
    }
    KS_ASSIGN_OR_RETURN(std::string text, store_.HashGet(store::kSessionMemoKey,
                                                         s.work_session()));
    std::optional<domain::SessionMemo> memo = domain::DecodeMemo(text);
    // Not counted here (another Pemda's site): nothing to withdraw.
    if (!memo) return feed::RedisOps{};
    return IncrementsOf(
        domain::SessionDeltas(*memo, s.withdrawn_minutes(), -1));
  }
  if (type == sv1::ViolationRecorded::descriptor()->full_name()) {
    sv1::ViolationRecorded v;
    if (!event.payload().UnpackTo(&v)) {
      return absl::InvalidArgumentError("ViolationRecorded does not parse");
    }
    const absl::Time at = v.has_occur_time() ? TimeOf(v.occur_time())
                                             : TimeOf(event.event_time());
    return IncidentOps(v.case_name(), at, domain::kCounterViolations);
  }
  if (type == sv1::WarningIssued::descriptor()->full_name()) {
    sv1::WarningIssued w;
    if (!event.payload().UnpackTo(&w)) {
      return absl::InvalidArgumentError("WarningIssued does not parse");
    }
    return IncidentOps(w.case_name(), TimeOf(event.event_time()),
                       domain::kCounterWarnings);
  }
  return feed::RedisOps{};
}

}  // namespace ks::placements
