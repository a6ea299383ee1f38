// UpdateCase (lifecycle.h): which paths may change, in which state.
#include <functional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"
#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/lifecycle.h"
#include "services/cases/domain/privacy.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;

struct MutablePath {
  const char* path;
  // May change after handover (contact data the schedule and guidance need).
  bool after_handover;
  std::function<void(const Case& from, Case& to)> copy;
};

#define KS_SET(msg, field)                               \
  [](const Case& from, Case& to) {                       \
    to.mutable_##msg()->set_##field(from.msg().field()); \
  }
#define KS_MSG(msg, field)                                         \
  [](const Case& from, Case& to) {                                 \
    if (from.msg().has_##field()) {                                \
      *to.mutable_##msg()->mutable_##field() = from.msg().field(); \
    } else {                                                       \
      to.mutable_##msg()->clear_##field();                         \
    }                                                              \
  }

const std::vector<MutablePath>& MutablePaths() {
  static const auto* kPaths = new std::vector<MutablePath>{
      {"person.full_name", false, KS_SET(person, full_name)},
      {"person.nik", false, KS_SET(person, nik)},
      {"person.birth_date", false, KS_MSG(person, birth_date)},
      {"person.sex", false, KS_SET(person, sex)},
      {"person.address", true, KS_SET(person, address)},
      {"person.phone_number", true, KS_SET(person, phone_number)},
      {"person.livelihood", true, KS_SET(person, livelihood)},
      {"decision.court_name", false, KS_SET(decision, court_name)},
      {"decision.court_level", false, KS_SET(decision, court_level)},
      {"decision.decision_number", false, KS_SET(decision, decision_number)},
      {"decision.decided_date", false, KS_MSG(decision, decided_date)},
      {"decision.final_date", false, KS_MSG(decision, final_date)},
      {"decision.considerations", false, KS_MSG(decision, considerations)},
      {"decision.document", false, KS_MSG(decision, document)},
      {"offence.article", false, KS_SET(offence, article)},
      {"offence.category", false, KS_SET(offence, category)},
      {"offence.max_prison_threat_months", false,
       KS_SET(offence, max_prison_threat_months)},
      {"offence.offence_date", false, KS_MSG(offence, offence_date)},
      {"offence.first_offender", false, KS_SET(offence, first_offender)},
      {"sentence.hours", false, KS_SET(sentence, hours)},
      {"sentence.imposed_prison_months", false,
       KS_SET(sentence, imposed_prison_months)},
      {"sentence.imposed_prison_days", false,
       KS_SET(sentence, imposed_prison_days)},
      {"sentence.imposed_fine_rupiah", false,
       KS_SET(sentence, imposed_fine_rupiah)},
      {"sentence.constraints", false, KS_MSG(sentence, constraints)},
      {"sentence.breach_consequence", false,
       KS_SET(sentence, breach_consequence)},
      {"sentence.litmas", false, KS_MSG(sentence, litmas)},
      {"fine_substitution.fine_rupiah", false,
       KS_SET(fine_substitution, fine_rupiah)},
      {"fine_substitution.rupiah_per_hour", false,
       KS_SET(fine_substitution, rupiah_per_hour)},
      {"fine_substitution.substitute_hours", false,
       KS_SET(fine_substitution, substitute_hours)},
  };
  return *kPaths;
}

#undef KS_SET
#undef KS_MSG

// Immutable or Output-only paths a client might name (and their prefixes).
bool IsReadOnly(absl::string_view path) {
  static constexpr const char* kReadOnly[] = {
      "name",
      "regency_code",
      "state",
      "sentence.kind",
      "sentence.basis",
      "sentence.replaced_prison_days",
      "sentence.policy_version",
      "person.nik_date_mismatch",
      "fine_substitution.paid_rupiah",
      "fine_substitution.remaining_minutes",
      "execution_order",
      "handover",
      "progress",
      "breaches",
      "fine_payments",
      "completion",
      "transfer",
      "transferred_from",
      "cancellation",
      "create_time",
      "update_time",
      "version",
      "etag"};
  for (const char* p : kReadOnly) {
    if (path == p || absl::StartsWith(path, absl::StrCat(p, "."))) return true;
  }
  return false;
}

bool IsLateState(v1::CaseState s) {
  return s == v1::CASE_STATE_HANDED_OVER || s == v1::CASE_STATE_IN_PROGRESS ||
         s == v1::CASE_STATE_COMPLETION_PENDING || s == v1::CASE_STATE_BREACHED;
}

}  // namespace

absl::StatusOr<Transition> UpdateCase(const Case& c,
                                      const v1::UpdateCaseRequest& req,
                                      const PolicyVersion& policy,
                                      const CommandContext& ctx,
                                      std::vector<std::string>* warnings) {
  absl::Status st = CheckTransition(c.state(), Action::kUpdate, c.name());
  if (!st.ok()) return st;
  const auto& paths = req.update_mask().paths();
  if (paths.empty()) {
    return InvalidArgumentError(
        {{"update_mask", "is required: name the paths to change"}});
  }
  std::vector<FieldViolation> bad;
  std::vector<const MutablePath*> chosen;
  std::set<std::string> seen;
  for (const std::string& path : paths) {
    if (!seen.insert(path).second) continue;
    const MutablePath* found = nullptr;
    for (const MutablePath& m : MutablePaths()) {
      if (path == m.path) found = &m;
    }
    if (found != nullptr) {
      chosen.push_back(found);
    } else if (IsReadOnly(path)) {
      bad.push_back(
          {"update_mask",
           absl::StrCat("path \"", path, "\" is Immutable or Output only")});
    } else {
      bad.push_back(
          {"update_mask", absl::StrCat("unknown path \"", path, "\"")});
    }
  }
  if (!bad.empty()) return InvalidArgumentError(bad);
  if (IsLateState(c.state())) {
    for (const MutablePath* m : chosen) {
      if (!m->after_handover) {
        absl::Status fp = FailedPreconditionError(
            absl::StrCat("path \"", m->path, "\" may not change in state ",
                         StateName(c.state()),
                         " (after handover only person.address, "
                         "person.phone_number and person.livelihood)"),
            "STATE", c.name(), "PATH_NOT_MUTABLE_IN_STATE");
        return WithErrorInfo(
            std::move(fp), "PATH_NOT_MUTABLE_IN_STATE",
            {{"path", m->path}, {"state", StateName(c.state())}});
      }
    }
  }
  Case merged = c;
  for (const MutablePath* m : chosen) m->copy(req.case_data(), merged);
  st = ValidateNewCase(merged, policy, LocalDay(ctx.now, ctx.zone), warnings);
  if (!st.ok()) return st;
  merged = WithDerivedFields(std::move(merged), policy);

  Transition t =
      internal::Begin(merged, absl::StrCat(kMethodPrefix, "UpdateCase"),
                      ctx.request_id, &ctx.actor, ctx.now);
  v1::CaseCorrected ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  std::set<std::string> reported;
  for (const MutablePath* m : chosen) {
    t.history.add_changed_fields(m->path);
    const std::string shown =
        absl::StartsWith(m->path, "person.") ? "person" : m->path;
    if (reported.insert(shown).second) ev.add_changed_fields(shown);
  }
  internal::AddEvent(t, ev, ctx.now);
  return t;
}

}  // namespace ks::cases::domain
