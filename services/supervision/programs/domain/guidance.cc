#include "services/supervision/programs/domain/guidance.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ks::supervision::programs::domain {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

// The facts of a session the client states (not the subject).
void CheckFacts(Validator& v, const v1::GuidanceSession& s,
                const Context& ctx) {
  const std::string p = "guidance_session.";
  if (v.Required(p + "interval", s.has_interval()) &&
      v.Required(p + "interval.start_time", s.interval().has_start_time()) &&
      v.Required(p + "interval.end_time", s.interval().has_end_time())) {
    const absl::Time start = FromProto(s.interval().start_time());
    const absl::Time end = FromProto(s.interval().end_time());
    if (end <= start) {
      v.AddViolation(p + "interval.end_time", "must be after start_time");
    } else if (end - start > absl::Hours(24)) {
      v.AddViolation(p + "interval.end_time",
                     "a session lasts at most 24 hours");
    }
    if (end > ctx.now + kClockSkew) {
      v.AddViolation(p + "interval.end_time",
                     "must not be in the future (a session is recorded after "
                     "it took place)");
    }
  }
  if (s.mode() == v1::GUIDANCE_MODE_UNSPECIFIED) {
    v.AddViolation(p + "mode", "is required");
  }
  if (s.topics_size() == 0) {
    v.AddViolation(p + "topics", "at least one topic is required");
  }
  std::set<int> seen;
  for (int i = 0; i < s.topics_size(); ++i) {
    const std::string f = absl::StrCat(p, "topics[", i, "]");
    if (s.topics(i) == v1::GUIDANCE_TOPIC_UNSPECIFIED) {
      v.AddViolation(f, "must be set");
    } else if (!seen.insert(s.topics(i)).second) {
      v.AddViolation(f, "is listed twice");
    }
  }
  if (s.attended()) {
    if (!s.reason_code().empty()) {
      v.AddViolation(p + "reason_code",
                     "must be empty when the client attended");
    }
  } else if (v.RequiredString(p + "reason_code", s.reason_code())) {
    CheckTaxonomy(v, ctx, p + "reason_code", "guidance_non_attendance",
                  s.reason_code());
  }
  if (s.has_next_session_date()) {
    v.Date(p + "next_session_date", s.next_session_date());
  }
  if (s.has_notes()) CheckDocument(v, p + "notes", s.notes());
}

kerjasosial::common::v1::Event RecordedEvent(const v1::GuidanceSession& s,
                                             int64_t version,
                                             absl::string_view regency,
                                             absl::Time now) {
  v1::GuidanceSessionRecorded e;
  e.set_case_name(s.case_name());
  e.set_client(s.client());
  e.set_mode(s.mode());
  e.set_attended(s.attended());
  for (int t : s.topics()) e.add_topics(static_cast<v1::GuidanceTopic>(t));
  return MakeEvent(kGuidanceAggregate, s.name(), version, regency, e, now);
}

}  // namespace

absl::StatusOr<Outcome<v1::GuidanceSession>> RecordGuidance(
    const v1::GuidanceSession& input, const Subject& subject,
    absl::string_view name, absl::string_view regency, const Context& ctx) {
  Validator v;
  CheckSubjectNames(v, "guidance_session.", input.case_name(), input.client(),
                    regency);
  CheckFacts(v, input, ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(CheckSubjectActive(subject));
  Outcome<v1::GuidanceSession> out;
  v1::GuidanceSession& s = out.after;
  s = input;
  s.set_name(std::string(name));
  s.set_pk_principal_id(ctx.actor.principal_id());
  *s.mutable_create_time() = ToProto(ctx.now);
  *s.mutable_update_time() = ToProto(ctx.now);
  s.clear_etag();
  out.events.push_back(RecordedEvent(s, 1, regency, ctx.now));
  return out;
}

absl::StatusOr<Outcome<v1::GuidanceSession>> CorrectGuidance(
    const v1::GuidanceSession& current, int64_t version,
    const v1::UpdateGuidanceSessionRequest& request, absl::string_view regency,
    const Context& ctx) {
  Validator v;
  CheckMask(v, request.update_mask(),
            {"interval", "mode", "topics", "attended", "reason_code",
             "next_session_date", "notes"});
  KS_RETURN_IF_ERROR(v.Finish());
  Outcome<v1::GuidanceSession> out;
  v1::GuidanceSession& s = out.after;
  s = current;
  ApplyMask(request.update_mask(), request.guidance_session(), s);
  CheckFacts(v, s, ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  *s.mutable_update_time() = ToProto(ctx.now);
  s.clear_etag();
  out.events.push_back(RecordedEvent(s, version + 1, regency, ctx.now));
  return out;
}

v1::GuidanceSession RedactGuidance(v1::GuidanceSession session) {
  session.clear_notes();
  return session;
}

}  // namespace ks::supervision::programs::domain
