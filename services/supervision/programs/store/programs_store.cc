#include "services/supervision/programs/store/programs_store.h"

#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"
#include "common/validation/validator.h"

namespace ks::supervision::programs::store {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

std::string FinalKey(const Key& case_key) {
  return absl::StrCat("pgc:evalfinal:", case_key.regency, ":", case_key.id);
}

std::string SeatsKey(absl::string_view regency) {
  return absl::StrCat("pgseat:", regency);
}

outbox::RecordWrite Claim(std::string key, absl::string_view holder,
                          absl::string_view reason, absl::string_view message,
                          absl::string_view holder_as) {
  outbox::Conflict conflict;
  conflict.reason = std::string(reason);
  conflict.message = std::string(message);
  conflict.existing_data_as = std::string(holder_as);
  return outbox::RecordWrite(std::move(key), 0, std::string(holder),
                             std::move(conflict));
}

}  // namespace

absl::StatusOr<Key> ParseKey(absl::string_view name,
                             absl::string_view collection,
                             absl::string_view field) {
  Validator v;
  std::map<std::string, std::string> vars;
  if (!v.ResourceName(field, name,
                      absl::StrCat("regencies/{regency}/", collection, "/{id}"),
                      &vars)) {
    return v.Finish();
  }
  return Key{vars["regency"], vars["id"]};
}

ProgramsStore::ProgramsStore(redis::Pool& pool, outbox::Writer& writer)
    : guidance(pool, writer, "guid", "guidance session", "guidanceSessions"),
      agreements(pool, writer, "agr", "partner agreement", "partnerAgreements"),
      programs(pool, writer, "prog", "partner program", "partnerPrograms"),
      referrals(pool, writer, "ref", "referral", "referrals"),
      evaluations(pool, writer, "eval", "evaluation", "evaluations"),
      incidents(pool, writer, "inc", "safety incident", "safetyIncidents"),
      clients(pool, writer, "icl", "integration client", "integrationClients"),
      pool_(pool),
      writer_(writer) {}

absl::StatusOr<v1::PartnerProgram> ProgramsStore::GetProgram(
    const Key& key) const {
  KS_ASSIGN_OR_RETURN(v1::PartnerProgram p, programs.Get(key));
  std::vector<v1::PartnerProgram> one{std::move(p)};
  KS_RETURN_IF_ERROR(FillSeats(one));
  return std::move(one.front());
}

absl::Status ProgramsStore::FillSeats(
    std::vector<v1::PartnerProgram>& page) const {
  // One HMGET per regency of the page (a page of `regencies/-` may span
  // several; most pages hold one).
  std::map<std::string, std::vector<size_t>> by_regency;
  std::vector<Key> keys;
  for (size_t i = 0; i < page.size(); ++i) {
    KS_ASSIGN_OR_RETURN(Key k, ParseKey(page[i].name(), "partnerPrograms",
                                        "partner_program.name"));
    by_regency[k.regency].push_back(i);
    keys.push_back(std::move(k));
  }
  for (const auto& [regency, indexes] : by_regency) {
    std::vector<std::string> cmd{"HMGET", writer_.Key(SeatsKey(regency))};
    for (size_t i : indexes) cmd.push_back(keys[i].id);
    KS_ASSIGN_OR_RETURN(redis::Reply reply, pool_.Command(cmd));
    for (size_t j = 0; j < indexes.size() && j < reply.elements.size(); ++j) {
      int64_t held = 0;
      if (!reply.elements[j].str.empty() &&
          !absl::SimpleAtoi(reply.elements[j].str, &held)) {
        return absl::DataLossError("a program's seat count does not parse");
      }
      page[indexes[j]].set_active_referrals(static_cast<int32_t>(held));
    }
  }
  return absl::OkStatus();
}

outbox::Reservation ProgramsStore::Seats(const Key& program,
                                         absl::string_view name, int64_t delta,
                                         int64_t limit) {
  outbox::Reservation r;
  r.key = SeatsKey(program.regency);
  r.field = program.id;
  r.delta = delta;
  r.limit = limit;
  r.on_full.reason = "PROGRAM_FULL";
  r.on_full.message = "the program has no free seat";
  r.on_full.metadata = {{"program", std::string(name)}};
  return r;
}

outbox::RecordWrite ProgramsStore::AgreementNumberClaim(
    absl::string_view regency, absl::string_view number,
    absl::string_view holder) {
  // Hashed: a number may hold any character; the key must not.
  return Claim(
      absl::StrCat("pgc:agrnum:", regency, ":", crypto::Sha256Hex(number)),
      holder, kReasonAgreementNumberTaken,
      "an agreement with this number exists in the regency",
      "partner_agreement");
}

absl::StatusOr<std::string> ProgramsStore::FinalEvaluation(
    const Key& case_key) const {
  KS_ASSIGN_OR_RETURN(outbox::StoredRecord claim,
                      writer_.Get(FinalKey(case_key)));
  return claim.data;
}

outbox::RecordWrite ProgramsStore::FinalEvaluationClaim(
    const Key& case_key, absl::string_view holder) {
  return Claim(FinalKey(case_key), holder, kReasonFinalEvaluationExists,
               "the case has a FINAL evaluation; correct it instead",
               "evaluation");
}

outbox::RecordWrite ProgramsStore::CorrectionClaim(const Key& corrected,
                                                   absl::string_view holder) {
  return Claim(
      absl::StrCat("pgc:evalcorr:", corrected.regency, ":", corrected.id),
      holder, kReasonEvaluationAlreadyCorrected,
      "the evaluation was corrected already; correct the correction",
      "correction");
}

}  // namespace ks::supervision::programs::store
