// The field records the agreements promise (DESIGN §1): outreach events
// (sosialisasi), joint evaluations of an agreement with their follow-ups,
// and the Pemda's monitoring visits to sites. Validation and the new or
// updated record; none holds personal data (free text is bounded and the
// contract asks for none).
//
// Errors: INVALID_ARGUMENT naming each field under the request's message
// field ("outreach_event.", "joint_evaluation.", "monitoring_visit.").
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_RECORDS_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_RECORDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {

absl::StatusOr<kerjasosial::placements::v1::OutreachEvent> NewOutreachEvent(
    const kerjasosial::placements::v1::OutreachEvent& in,
    const std::string& name, const Context& ctx);
absl::StatusOr<kerjasosial::placements::v1::OutreachEvent> UpdateOutreachEvent(
    const kerjasosial::placements::v1::OutreachEvent& current,
    const kerjasosial::placements::v1::OutreachEvent& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx);

// `figures` is the snapshot of the period, frozen at creation.
absl::StatusOr<kerjasosial::placements::v1::JointEvaluation> NewJointEvaluation(
    const kerjasosial::placements::v1::JointEvaluation& in,
    const std::string& name, kerjasosial::placements::v1::ReportFigures figures,
    const Context& ctx);
// Paths: date, participant_office_codes, findings, follow_ups, document.
absl::StatusOr<kerjasosial::placements::v1::JointEvaluation>
UpdateJointEvaluation(
    const kerjasosial::placements::v1::JointEvaluation& current,
    const kerjasosial::placements::v1::JointEvaluation& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx);

absl::StatusOr<kerjasosial::placements::v1::MonitoringVisit> NewMonitoringVisit(
    const kerjasosial::placements::v1::MonitoringVisit& in,
    const std::string& name, const Context& ctx);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_RECORDS_H_
