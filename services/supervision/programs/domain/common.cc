#include "services/supervision/programs/domain/common.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/policy/policy.h"
#include "common/status/rich_status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/time_util.h"

namespace ks::supervision::programs::domain {

namespace cv1 = ::kerjasosial::common::v1;
using ::google::protobuf::util::TimeUtil;

cv1::Event MakeEvent(absl::string_view aggregate_type,
                     absl::string_view aggregate_name, int64_t version,
                     absl::string_view regency,
                     const google::protobuf::Message& payload, absl::Time now) {
  cv1::Event e;
  e.set_aggregate_type(std::string(aggregate_type));
  e.set_aggregate_name(std::string(aggregate_name));
  e.set_aggregate_version(version);
  e.set_regency_code(std::string(regency));
  *e.mutable_event_time() = ToProto(now);
  e.set_event_type(payload.GetDescriptor()->full_name());
  e.mutable_payload()->PackFrom(payload);
  return e;
}

absl::Status TransitionError(absl::string_view subject,
                             absl::string_view from_state,
                             absl::string_view action) {
  absl::Status st = FailedPreconditionError(
      absl::StrCat(action, " is not allowed in state ", from_state), "STATE",
      subject, kReasonTransitionNotAllowed);
  // The state and the action, machine-readable, beside the reason.
  return WithErrorInfo(std::move(st), kReasonTransitionNotAllowed,
                       {{"from_state", std::string(from_state)},
                        {"action", std::string(action)}});
}

absl::Status Precondition(absl::string_view message, absl::string_view type,
                          absl::string_view subject, absl::string_view reason) {
  return FailedPreconditionError(message, type, subject, reason);
}

void CheckSubjectNames(Validator& v, absl::string_view prefix,
                       absl::string_view case_name, absl::string_view client,
                       absl::string_view regency) {
  const std::string case_field = absl::StrCat(prefix, "case_name");
  const std::string client_field = absl::StrCat(prefix, "client");
  if (case_name.empty() == client.empty()) {
    v.AddViolation(case_name.empty() ? case_field : client_field,
                   "exactly one of case_name and client is required");
    return;
  }
  std::map<std::string, std::string> vars;
  if (!case_name.empty()) {
    if (v.ResourceName(case_field, case_name,
                       "regencies/{regency}/cases/{case}", &vars) &&
        vars["regency"] != regency) {
      v.AddViolation(case_field, "must be a case of the parent's regency");
    }
  } else if (v.ResourceName(client_field, client,
                            "regencies/{regency}/integrationClients/{client}",
                            &vars) &&
             vars["regency"] != regency) {
    v.AddViolation(client_field, "must be a client of the parent's regency");
  }
}

absl::Status CheckSubjectActive(const Subject& subject) {
  if (subject.active) return absl::OkStatus();
  if (!subject.case_name.empty()) {
    return Precondition("the case has no ACTIVE PK assignment", "ASSIGNMENT",
                        subject.case_name, kReasonNoActiveAssignment);
  }
  return Precondition("the client's period of guidance has ended", "PERIOD",
                      subject.client, kReasonClientPeriodEnded);
}

void CheckTaxonomy(Validator& v, const Context& ctx, absl::string_view field,
                   absl::string_view taxonomy, absl::string_view code) {
  if (ctx.policy == nullptr) return;
  absl::Status st =
      policy::PolicySet::CheckTaxonomyCode(*ctx.policy, taxonomy, code);
  if (!st.ok()) {
    v.AddViolation(field, absl::StrCat("must be a code of the policy's ",
                                       taxonomy, " taxonomy"));
  }
}

int DateKey(const google::type::Date& d) {
  return d.year() * 10000 + d.month() * 100 + d.day();
}

void CheckDateRange(Validator& v, absl::string_view field,
                    const cv1::DateRange& range, bool required) {
  const bool has = range.has_start_date() || range.has_end_date();
  if (!has) {
    if (required) v.Required(field, false);
    return;
  }
  const std::string start = absl::StrCat(field, ".start_date");
  const std::string end = absl::StrCat(field, ".end_date");
  const bool ok_start = v.Required(start, range.has_start_date()) &&
                        v.Date(start, range.start_date());
  const bool ok_end =
      v.Required(end, range.has_end_date()) && v.Date(end, range.end_date());
  if (ok_start && ok_end) {
    if (DateKey(range.end_date()) < DateKey(range.start_date())) {
      v.AddViolation(end, "must not be before start_date");
    }
  }
}

void CheckDocument(Validator& v, absl::string_view field,
                   const cv1::DocumentRef& doc) {
  v.Name(absl::StrCat(field, ".number"), doc.number(), 100, false);
  v.Text(absl::StrCat(field, ".uri"), doc.uri(), 2000, false);
  if (doc.has_date()) v.Date(absl::StrCat(field, ".date"), doc.date());
}

void CheckMask(Validator& v, const google::protobuf::FieldMask& mask,
               const std::vector<std::string>& allowed) {
  if (mask.paths_size() == 0) {
    v.AddViolation("update_mask", "is required");
    return;
  }
  for (const std::string& path : mask.paths()) {
    if (std::find(allowed.begin(), allowed.end(), path) == allowed.end()) {
      v.AddViolation(
          "update_mask",
          absl::StrCat("may name only: ", absl::StrJoin(allowed, ", "),
                       " (path ", path, " is not one of them)"));
      return;
    }
  }
}

void ApplyMask(const google::protobuf::FieldMask& mask,
               const google::protobuf::Message& from,
               google::protobuf::Message& to) {
  const google::protobuf::Descriptor* d = from.GetDescriptor();
  const google::protobuf::Reflection* rf = from.GetReflection();
  const google::protobuf::Reflection* rt = to.GetReflection();
  for (const std::string& path : mask.paths()) {
    const google::protobuf::FieldDescriptor* f = d->FindFieldByName(path);
    if (f == nullptr) continue;  // CheckMask refused it already
    rt->ClearField(&to, f);
    if (f->is_repeated()) {
      for (int i = 0; i < rf->FieldSize(from, f); ++i) {
        switch (f->cpp_type()) {
          case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
            rt->AddEnumValue(&to, f, rf->GetRepeatedEnumValue(from, f, i));
            break;
          case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
            rt->AddString(&to, f, rf->GetRepeatedString(from, f, i));
            break;
          case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
            rt->AddMessage(&to, f)->CopyFrom(
                rf->GetRepeatedMessage(from, f, i));
            break;
          default:
            break;  // no repeated scalar of another kind is updatable
        }
      }
      continue;
    }
    switch (f->cpp_type()) {
      case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
        if (rf->HasField(from, f)) {
          rt->MutableMessage(&to, f)->CopyFrom(rf->GetMessage(from, f));
        }
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
        rt->SetString(&to, f, rf->GetString(from, f));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
        rt->SetEnumValue(&to, f, rf->GetEnumValue(from, f));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_BOOL:
        rt->SetBool(&to, f, rf->GetBool(from, f));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT32:
        rt->SetInt32(&to, f, rf->GetInt32(from, f));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT64:
        rt->SetInt64(&to, f, rf->GetInt64(from, f));
        break;
      default:
        break;
    }
  }
}

}  // namespace ks::supervision::programs::domain
