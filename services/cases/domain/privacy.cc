#include "services/cases/domain/privacy.h"

#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/internal.h"

namespace ks::cases::domain {
namespace {
namespace v1 = ::kerjasosial::cases::v1;
// Characters of a NIK left visible: the province and regency digits (where
// the NIK was issued, already implied by the case's region) and the last two.
constexpr size_t kNikVisiblePrefix = 4;
constexpr size_t kNikVisibleSuffix = 2;
}  // namespace

v1::CaseFacts Facts(const v1::Case& c, v1::CaseState previous_state) {
  v1::CaseFacts f;
  f.set_regency_code(c.regency_code());
  f.set_kind(c.sentence().kind());
  f.set_basis(c.sentence().basis());
  f.set_offence_category(c.offence().category());
  f.set_sentence_hours(CurrentSentenceHours(c));
  f.set_replaced_prison_days(c.sentence().replaced_prison_days());
  f.set_replaced_fine_rupiah(ReplacedFineRupiah(c));
  f.set_state(c.state());
  f.set_previous_state(previous_state);
  return f;
}

std::string MaskNik(absl::string_view nik) {
  std::string out(nik.size(), '*');
  if (nik.size() <= kNikVisiblePrefix + kNikVisibleSuffix) return out;
  for (size_t i = 0; i < nik.size(); ++i) {
    if (i < kNikVisiblePrefix || i >= nik.size() - kNikVisibleSuffix) {
      out[i] = nik[i];
    }
  }
  return out;
}

bool RoleSeesNik(auth::Role role) {
  return role == auth::Role::JAKSA || role == auth::Role::ADMIN;
}

v1::Case MaskForRole(v1::Case c, auth::Role role) {
  if (!RoleSeesNik(role) && c.has_person() && !c.person().nik().empty()) {
    c.mutable_person()->set_nik(MaskNik(c.person().nik()));
  }
  return c;
}

v1::CaseForExecution ExecutionView(const v1::Case& c) {
  v1::CaseForExecution x;
  x.set_name(c.name());
  x.set_regency_code(c.regency_code());
  x.set_state(c.state());
  x.set_kind(c.sentence().kind());
  x.set_basis(c.sentence().basis());
  x.set_sentence_hours(CurrentSentenceHours(c));
  x.set_sentence_minutes(CurrentSentenceMinutes(c));
  if (c.sentence().has_constraints()) {
    *x.mutable_constraints() = c.sentence().constraints();
  }
  if (c.decision().has_final_date()) {
    *x.mutable_final_date() = c.decision().final_date();
  }
  if (c.execution_order().has_issued_date()) {
    *x.mutable_execution_order_date() = c.execution_order().issued_date();
  }
  if (c.has_handover()) {
    v1::Handover* h = x.mutable_handover();
    h->set_bapas_office_code(c.handover().bapas_office_code());
    h->set_supervision_address(c.handover().supervision_address());
    *h->mutable_handover_date() = c.handover().handover_date();
  }
  for (int i = c.breaches_size() - 1; i >= 0; --i) {
    const v1::BreachOutcome& o = c.breaches(i).outcome();
    if (o.kind() == v1::BREACH_OUTCOME_KIND_REPEAT && o.has_repeat()) {
      *x.mutable_latest_repeat() = o.repeat();
      *x.mutable_latest_repeat_date() = o.decided_date();
      break;
    }
  }
  x.set_policy_version(c.sentence().policy_version());
  x.set_version(c.version());
  x.set_etag(c.etag());
  return x;
}

}  // namespace ks::cases::domain
