#include "services/cases/domain/privacy.h"

#include <algorithm>
#include <cstdint>

#include "common/time/clock.h"
#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/internal.h"

namespace ks::cases::domain {
namespace {
namespace v1 = ::kerjasosial::cases::v1;
// Characters of a NIK left visible: the province and regency digits (where
// the NIK was issued, already implied by the case's region) and the last two.
constexpr size_t kNikVisiblePrefix = 4;
constexpr size_t kNikVisibleSuffix = 2;
// Characters of a NIK a PersonSummary shows: the serial's last four, enough
// for a PK to match a person with a document in hand.
constexpr size_t kSummaryNikVisibleSuffix = 4;

// `s` with every character but the first `prefix` and the last `suffix`
// replaced by '*'; entirely masked when it is not longer than both.
std::string Mask(absl::string_view s, size_t prefix, size_t suffix) {
  std::string out(s.size(), '*');
  if (s.size() <= prefix + suffix) return out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i < prefix || i >= s.size() - suffix) out[i] = s[i];
  }
  return out;
}
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

v1::CaseStateSnapshot SnapshotOf(const v1::Case& c) {
  v1::CaseStateSnapshot s;
  s.set_name(c.name());
  s.set_regency_code(c.regency_code());
  s.set_kind(c.sentence().kind());
  s.set_state(c.state());
  s.set_sentence_hours(CurrentSentenceHours(c));
  const v1::Progress& p = c.progress();
  s.set_credited_minutes(p.credited_minutes());
  // Until supervision's ledger reports (or a repeat resets it), progress
  // holds no owed figure: everything the sentence orders is still owed.
  const bool reported = !p.source_cursor().empty() || p.owed_minutes() > 0;
  s.set_owed_minutes(reported ? p.owed_minutes()
                              : std::max<int64_t>(0, CurrentSentenceMinutes(c) -
                                                         p.credited_minutes()));
  if (p.has_deadline_time()) *s.mutable_deadline_time() = p.deadline_time();
  if (c.has_handover()) {
    s.set_bapas_office_code(c.handover().bapas_office_code());
  }
  s.set_version(c.version());
  return s;
}

std::string MaskNik(absl::string_view nik) {
  return Mask(nik, kNikVisiblePrefix, kNikVisibleSuffix);
}

std::string MaskNikButLast4(absl::string_view nik) {
  return Mask(nik, 0, kSummaryNikVisibleSuffix);
}

bool RoleSeesPersonSummary(auth::Role role) {
  return role == auth::Role::SERVICE || role == auth::Role::PK_BAPAS;
}

v1::PersonSummary SummaryOf(const v1::Case& c) {
  const v1::Person& p = c.person();
  v1::PersonSummary s;
  s.set_full_name(p.full_name());
  if (p.has_birth_date()) *s.mutable_birth_date() = p.birth_date();
  s.set_sex(p.sex());
  s.set_phone_number(p.phone_number());
  if (c.sentence().kind() ==
          kerjasosial::common::v1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT &&
      p.has_guardian()) {
    *s.mutable_guardian() = p.guardian();
  }
  if (!p.nik().empty()) s.set_nik_masked(MaskNikButLast4(p.nik()));
  return s;
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

v1::CaseForExecution ExecutionView(
    const v1::Case& c, auth::Role role,
    const kerjasosial::common::v1::PolicyVersion& policy, absl::TimeZone zone) {
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
  const internal::SpanDays span = internal::SpanOf(c, policy, zone);
  if (span.start) *x.mutable_span_start_date() = DateFromCivilDay(*span.start);
  if (span.last) *x.mutable_deadline_date() = DateFromCivilDay(*span.last);
  if (c.sentence().has_litmas()) *x.mutable_litmas() = c.sentence().litmas();
  if (RoleSeesPersonSummary(role)) *x.mutable_person() = SummaryOf(c);
  x.set_policy_version(c.sentence().policy_version());
  x.set_version(c.version());
  x.set_etag(c.etag());
  return x;
}

}  // namespace ks::cases::domain
