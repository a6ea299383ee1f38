#include "services/supervision/domain/litmas.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/time_util.h"

namespace ks::supervision::domain {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

constexpr size_t kMaxReference = 100;

using ::ks::ToProto;

absl::Status NotInProgress(const LitmasReport& current) {
  return FailedPreconditionError(
      absl::StrCat("the Litmas is ", sv1::LitmasState_Name(current.state()),
                   ": only an IN_PROGRESS Litmas changes (a submitted one is "
                   "what its reader relied on)"),
      "LITMAS_STATE", current.name(), "LITMAS_NOT_IN_PROGRESS");
}

}  // namespace

void CheckLitmasFields(const LitmasReport& in, absl::string_view prefix,
                       Validator& v) {
  const auto f = [&](absl::string_view field) {
    return absl::StrCat(prefix, field);
  };
  if (in.purpose() == sv1::LITMAS_PURPOSE_UNSPECIFIED) {
    v.AddViolation(f("purpose"), "is required");
  }
  if (in.requested_by() == cv1::AGENCY_UNSPECIFIED) {
    v.AddViolation(f("requested_by"), "is required");
  }
  if (v.Required(f("request_date"), in.has_request_date())) {
    v.Date(f("request_date"), in.request_date());
  }
  v.RequiredString(f("pk_principal_id"), in.pk_principal_id());
  v.Name(f("proceedings_reference"), in.proceedings_reference(), kMaxReference,
         /*required=*/false);
  v.Name(f("number"), in.number(), kMaxReference, /*required=*/false);
  if (!in.case_name().empty()) {
    v.ResourceName(f("case_name"), in.case_name(),
                   "regencies/{regency}/cases/{case}");
  }
}

LitmasReport NewLitmas(const LitmasReport& in, absl::string_view name,
                       absl::Time now) {
  LitmasReport out = in;
  out.set_name(std::string(name));
  out.set_state(sv1::LITMAS_STATE_IN_PROGRESS);
  out.clear_submitted_date();
  out.clear_etag();
  *out.mutable_create_time() = ToProto(now);
  *out.mutable_update_time() = ToProto(now);
  return out;
}

absl::StatusOr<LitmasReport> UpdateLitmas(
    const LitmasReport& current, const LitmasReport& in,
    const google::protobuf::FieldMask& mask, absl::Time now) {
  if (current.state() != sv1::LITMAS_STATE_IN_PROGRESS) {
    return NotInProgress(current);
  }
  if (mask.paths().empty()) {
    return InvalidArgumentError({{"update_mask", "names no field"}});
  }
  LitmasReport out = current;
  for (const std::string& path : mask.paths()) {
    if (path == "purpose") {
      out.set_purpose(in.purpose());
    } else if (path == "case_name") {
      out.set_case_name(in.case_name());
    } else if (path == "proceedings_reference") {
      out.set_proceedings_reference(in.proceedings_reference());
    } else if (path == "requested_by") {
      out.set_requested_by(in.requested_by());
    } else if (path == "request_date") {
      *out.mutable_request_date() = in.request_date();
    } else if (path == "pk_principal_id") {
      out.set_pk_principal_id(in.pk_principal_id());
    } else if (path == "number") {
      out.set_number(in.number());
    } else if (path == "recommendation") {
      out.set_recommendation(in.recommendation());
    } else if (path == "document") {
      *out.mutable_document() = in.document();
    } else {
      return InvalidArgumentError(
          {{"update_mask",
            absl::StrCat("\"", path.substr(0, 40),
                         "\" is not a field a client sets on a Litmas")}});
    }
  }
  Validator v;
  CheckLitmasFields(out, "litmas_report.", v);
  KS_RETURN_IF_ERROR(v.Finish());
  *out.mutable_update_time() = ToProto(now);
  return out;
}

absl::StatusOr<LitmasReport> SubmitLitmas(const LitmasReport& current,
                                          const google::type::Date& date,
                                          absl::Time now) {
  if (current.state() != sv1::LITMAS_STATE_IN_PROGRESS) {
    return NotInProgress(current);
  }
  Validator v;
  v.RequiredString("litmas_report.number", current.number());
  if (current.recommendation() == sv1::LITMAS_RECOMMENDATION_UNSPECIFIED) {
    v.AddViolation("litmas_report.recommendation",
                   "is required to submit (set it with UpdateLitmasReport)");
  }
  KS_RETURN_IF_ERROR(v.Finish());
  LitmasReport out = current;
  out.set_state(sv1::LITMAS_STATE_SUBMITTED);
  *out.mutable_submitted_date() = date;
  *out.mutable_update_time() = ToProto(now);
  return out;
}

bool LitmasRequired(cv1::SentenceKind kind, const cv1::PolicyVersion& policy) {
  return kind == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT
             ? policy.child().litmas_required()
             : policy.adult().litmas_required();
}

absl::Status RequireLitmas(cv1::SentenceKind kind,
                           const cv1::PolicyVersion& policy,
                           const ::kerjasosial::cases::v1::LitmasRef& ref,
                           const LitmasReport* local,
                           absl::string_view case_name) {
  if (!LitmasRequired(kind, policy)) return absl::OkStatus();
  const bool child = kind == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  const absl::string_view rule =
      child ? "R11, UU SPPA Pasal 60(3)-(4)" : "R12, policy litmas_required";
  if (!ref.litmas().empty()) {
    if (local != nullptr && local->state() == sv1::LITMAS_STATE_SUBMITTED) {
      return absl::OkStatus();
    }
    return FailedPreconditionError(
        absl::StrCat("the case's Litmas ", ref.litmas(),
                     " is not SUBMITTED in supervision (", rule, ")"),
        "LITMAS", case_name, "LITMAS_NOT_SUBMITTED");
  }
  if (!ref.number().empty()) return absl::OkStatus();
  return FailedPreconditionError(
      absl::StrCat("the case needs a Litmas before a PK is assigned (", rule,
                   "); its decision carries none"),
      "LITMAS", case_name, "LITMAS_REQUIRED");
}

}  // namespace ks::supervision::domain
