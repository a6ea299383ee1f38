#include "services/cases/domain/test_util.h"

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "common/policy/policy.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"

namespace ks::cases::domain::testing {
namespace {
namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;

google::type::Date D(int y, int m, int d) {
  return DateFromCivilDay(absl::CivilDay(y, m, d));
}

Case Base(absl::CivilDay today, absl::string_view decision_number) {
  Case c;
  v1::Person* p = c.mutable_person();
  p->set_full_name(kName);
  p->set_nik(kNik);
  *p->mutable_birth_date() = D(1990, 5, 17);
  p->set_sex(v1::SEX_MALE);
  p->set_address(kAddress);
  p->set_phone_number(kPhone);
  p->set_livelihood("Petani");
  v1::CourtDecision* d = c.mutable_decision();
  d->set_court_name("Pengadilan Negeri Tanah Grogot");
  d->set_court_level(v1::COURT_LEVEL_FIRST_INSTANCE);
  d->set_decision_number(std::string(decision_number));
  *d->mutable_decided_date() = DateFromCivilDay(today - 28);
  *d->mutable_final_date() = DateFromCivilDay(today - 20);
  d->mutable_considerations()->set_consent_given(true);
  v1::Offence* o = c.mutable_offence();
  o->set_article("KUHP Pasal 476");
  o->set_category("theft");
  o->set_max_prison_threat_months(48);
  *o->mutable_offence_date() = DateFromCivilDay(today - 102);
  return c;
}

}  // namespace

const PolicyVersion& DefaultPolicy() {
  static const auto* kPolicy = [] {
    absl::StatusOr<policy::PolicySet> set = policy::PolicySet::Default();
    if (!set.ok()) {
      std::cerr << "default policy: " << set.status() << "\n";
      std::abort();
    }
    return new PolicyVersion(set->At(absl::CivilDay(2026, 3, 2)));
  }();
  return *kPolicy;
}

absl::CivilDay Today() { return absl::CivilDay(2026, 3, 2); }

CommandContext Ctx() {
  CommandContext ctx;
  ctx.now = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 3, 0, 0),
                            absl::UTCTimeZone());
  absl::LoadTimeZone("Asia/Makassar", &ctx.zone);
  ctx.actor.set_principal_id("jaksa-6401");
  ctx.actor.set_role(cv1::ROLE_JAKSA);
  ctx.actor.set_agency_code("kejari-64.01");
  ctx.request_id = "req-1";
  return ctx;
}

Case AdultCaseOn(absl::CivilDay today, absl::string_view decision_number) {
  Case c = Base(today, decision_number);
  v1::Sentence* s = c.mutable_sentence();
  s->set_kind(cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  s->set_basis(v1::SENTENCE_BASIS_PRINCIPAL);
  s->set_hours(120);
  s->set_imposed_prison_months(3);
  s->set_breach_consequence(v1::BREACH_CONSEQUENCE_SERVE_PRISON);
  return c;
}

Case ChildCaseOn(absl::CivilDay today, absl::string_view decision_number) {
  Case c = Base(today, decision_number);
  c.mutable_person()->set_full_name("Rina Anak");
  // Sixteen on today's year (10 March), so a child at the offence.
  *c.mutable_person()->mutable_birth_date() = D(today.year() - 16, 3, 10);
  c.mutable_person()->set_nik("6401015003100002");  // female, 10-03-2010
  c.mutable_person()->set_sex(v1::SEX_FEMALE);
  v1::Sentence* s = c.mutable_sentence();
  s->set_kind(cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT);
  s->set_basis(v1::SENTENCE_BASIS_PRINCIPAL);
  s->set_hours(60);
  s->set_breach_consequence(v1::BREACH_CONSEQUENCE_REPEAT);
  s->mutable_litmas()->set_number("LITMAS-17/2026");
  *s->mutable_litmas()->mutable_date() = DateFromCivilDay(today - 46);
  return c;
}

Case FineSubstituteCaseOn(absl::CivilDay today,
                          absl::string_view decision_number) {
  Case c = Base(today, decision_number);
  v1::Sentence* s = c.mutable_sentence();
  s->set_kind(cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  s->set_basis(v1::SENTENCE_BASIS_FINE_SUBSTITUTE);
  s->set_hours(20);
  v1::FineSubstitution* f = c.mutable_fine_substitution();
  f->set_fine_rupiah(1000000);
  f->set_rupiah_per_hour(50000);
  f->set_substitute_hours(20);
  return c;
}

Case AdultCase() { return AdultCaseOn(Today(), kDecisionNumber); }
Case ChildCase() { return ChildCaseOn(Today(), kDecisionNumber); }
Case FineSubstituteCase() {
  return FineSubstituteCaseOn(Today(), kDecisionNumber);
}

Case Registered(const Case& input) {
  absl::StatusOr<Transition> t =
      RegisterCase(input, "regencies/64.01/cases/c1", "64.01", DefaultPolicy(),
                   Ctx(), nullptr);
  if (!t.ok()) {
    std::cerr << "fixture does not register: " << t.status() << "\n";
    std::abort();
  }
  return t->after;
}

std::vector<std::string> ViolationFields(const absl::Status& s) {
  std::vector<std::string> out;
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest br;
    if (any.UnpackTo(&br)) {
      for (const auto& v : br.field_violations()) out.push_back(v.field());
    }
  }
  return out;
}

std::string ViolationOf(const absl::Status& s, const std::string& field) {
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest br;
    if (any.UnpackTo(&br)) {
      for (const auto& v : br.field_violations()) {
        if (v.field() == field) return v.description();
      }
    }
  }
  return "";
}

std::string ErrorReason(const absl::Status& s) {
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::map<std::string, std::string> ErrorMetadata(const absl::Status& s) {
  std::map<std::string, std::string> out;
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      for (const auto& [k, v] : info.metadata()) out[k] = v;
    }
  }
  return out;
}

}  // namespace ks::cases::domain::testing
