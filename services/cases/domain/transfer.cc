#include "services/cases/domain/transfer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sha256.h"
#include "common/regions/regions.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/cases/domain/citations.h"
#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/privacy.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using internal::AddEvent;
using internal::Begin;
using internal::BeginCommand;
using internal::kMaxCodeText;
using internal::SetState;

// The transfer's reason: a code of the policy's transfer_reason taxonomy.
void CheckReasonCode(Validator& v, const v1::Transfer& tr) {
  if (!internal::IsTaxonomyCode(tr.reason_code())) {
    v.AddViolation("transfer.reason_code",
                   tr.reason_code().empty()
                       ? "is required"
                       : "must match [a-z][a-z0-9_]*, at most 64 characters");
  }
}

}  // namespace

absl::StatusOr<Transition> TransferCase(const Case& c,
                                        const v1::TransferCaseRequest& req,
                                        absl::string_view destination_case,
                                        const CommandContext& ctx) {
  absl::Status st = CheckTransition(c.state(), Action::kTransfer, c.name());
  if (!st.ok()) return st;
  Validator v;
  const v1::Transfer& tr = req.transfer();
  if (v.Required("transfer", req.has_transfer())) {
    if (v.RegencyCode("transfer.destination_regency_code",
                      tr.destination_regency_code()) &&
        tr.destination_regency_code() == c.regency_code()) {
      v.AddViolation("transfer.destination_regency_code",
                     "must differ from the case's regency");
    }
    CheckReasonCode(v, tr);
    if (!tr.transfer_id().empty()) {
      CheckTransferId(v, "transfer.transfer_id", tr.transfer_id());
    }
    if (tr.destination_address().size() > kMaxCodeText * 5) {
      v.AddViolation("transfer.destination_address", "is too long");
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;
  Transition t = BeginCommand(c, "TransferCase", ctx);
  SetState(t, v1::CASE_STATE_TRANSFERRED_OUT);
  v1::Transfer* stored = t.after.mutable_transfer();
  *stored = tr;
  stored->set_destination_case(std::string(destination_case));
  *stored->mutable_record_time() = internal::ToProto(ctx.now);
  *stored->mutable_transferred_by() = ctx.actor;
  // The destination's supervision opens its ledger with these minutes; the
  // transfer id defaults to the request's (resources.proto, Transfer).
  stored->set_credited_minutes(c.progress().credited_minutes());
  if (stored->transfer_id().empty()) stored->set_transfer_id(ctx.request_id);
  t.history.add_changed_fields("transfer");
  v1::CaseTransferred ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_destination_regency_code(tr.destination_regency_code());
  ev.set_destination_case(std::string(destination_case));
  ev.set_credited_minutes(stored->credited_minutes());
  ev.set_transfer_id(stored->transfer_id());
  ev.set_reason_code(stored->reason_code());
  AddEvent(t, ev, ctx.now);
  return t;
}

namespace {

// The received case `name` in `regency_code`, built from `source` by the
// command `method` (see ReceiveTransferredCase).
Transition Received(const Case& source, absl::string_view name,
                    absl::string_view regency_code, absl::string_view method,
                    const CommandContext& ctx) {
  Case c = source;
  c.set_name(std::string(name));
  c.set_regency_code(std::string(regency_code));
  c.set_transferred_from(source.name());
  c.clear_transfer();
  c.clear_handover();
  c.clear_cancellation();
  c.clear_completion();
  c.clear_etag();
  // Credited minutes and the deadline stay; the supervision links do not
  // (the person is handed over again in the new regency).
  v1::Progress* p = c.mutable_progress();
  p->clear_placement();
  p->clear_pk_assignment();
  p->clear_source_cursor();
  p->clear_source_event_time();
  p->clear_at_risk();
  c.set_state(v1::CASE_STATE_UNSPECIFIED);
  c.set_version(0);
  *c.mutable_create_time() = internal::ToProto(ctx.now);
  Transition t = Begin(c, absl::StrCat(kMethodPrefix, method), ctx.request_id,
                       &ctx.actor, ctx.now);
  SetState(t, source.has_execution_order() ? v1::CASE_STATE_EXECUTION_ORDERED
                                           : v1::CASE_STATE_REGISTERED);
  v1::CaseRegistered ev;
  *ev.mutable_facts() = Facts(t.after, v1::CASE_STATE_UNSPECIFIED);
  *ev.mutable_final_date() = t.after.decision().final_date();
  ev.set_max_prison_threat_months(t.after.offence().max_prison_threat_months());
  ev.set_transferred_from(source.name());
  AddEvent(t, ev, ctx.now);
  return t;
}

constexpr size_t kMaxTransferId = 64;

}  // namespace

absl::StatusOr<Transition> ReceiveTransferredCase(
    const Case& source, absl::string_view name, absl::string_view regency_code,
    const CommandContext& ctx) {
  return Received(source, name, regency_code, "TransferCase", ctx);
}

bool CheckTransferId(Validator& v, absl::string_view field,
                     absl::string_view id) {
  const bool ok =
      !id.empty() && id.size() <= kMaxTransferId &&
      std::all_of(id.begin(), id.end(), [](char ch) {
        return absl::ascii_isalnum(static_cast<unsigned char>(ch)) ||
               ch == '_' || ch == '-';
      });
  if (!ok) {
    v.AddViolation(field, id.empty()
                              ? "is required"
                              : "must be 1-64 characters of [A-Za-z0-9_-]");
  }
  return ok;
}

std::string TransferIdFor(absl::string_view source_case,
                          const v1::TransferCaseRequest& req) {
  if (!req.transfer().transfer_id().empty())
    return req.transfer().transfer_id();
  return absl::StrCat(
      "t", crypto::Sha256Hex(absl::StrCat(source_case, "|", req.request_id()))
               .substr(0, 32));
}

v1::ReceiveTransferredCaseRequest TransferPayload(
    const Case& source, const v1::TransferCaseRequest& req,
    absl::string_view transfer_id) {
  v1::ReceiveTransferredCaseRequest out;
  out.set_parent(
      absl::StrCat("regencies/", req.transfer().destination_regency_code()));
  *out.mutable_case_data() = source;
  // Stored bookkeeping of this deployment means nothing there.
  out.mutable_case_data()->clear_etag();
  out.mutable_case_data()->clear_version();
  v1::Transfer* tr = out.mutable_transfer();
  *tr = req.transfer();
  tr->set_transfer_id(std::string(transfer_id));
  tr->set_credited_minutes(source.progress().credited_minutes());
  tr->clear_destination_case();
  out.set_request_id(std::string(transfer_id));
  return out;
}

absl::StatusOr<Transition> ReceiveRemoteTransfer(
    const v1::ReceiveTransferredCaseRequest& req, absl::string_view name,
    absl::string_view regency_code, const CommandContext& ctx) {
  Validator v;
  const Case& c = req.case_data();
  if (v.Required("case_data", req.has_case_data())) {
    // The source's name: regencies/{regency}/cases/{case} of another
    // regency, which becomes `transferred_from`.
    const std::vector<absl::string_view> parts = absl::StrSplit(c.name(), '/');
    if (parts.size() != 4 || parts[0] != "regencies" || parts[2] != "cases" ||
        parts[3].empty() ||
        !regions::Regions::Get().IsValidRegencyCode(parts[1])) {
      v.AddViolation("case_data.name",
                     "must be the source case, "
                     "regencies/{regency}/cases/{case}");
    } else if (parts[1] == regency_code) {
      v.AddViolation("case_data.name",
                     "must be a case of another regency than the parent");
    }
    if (c.state() == v1::CASE_STATE_UNSPECIFIED || IsTerminal(c.state())) {
      v.AddViolation("case_data.state",
                     "must be the non-terminal state the source case has");
    }
  }
  const v1::Transfer& tr = req.transfer();
  if (v.Required("transfer", req.has_transfer())) {
    CheckTransferId(v, "transfer.transfer_id", tr.transfer_id());
    if (tr.destination_regency_code() != regency_code) {
      v.AddViolation("transfer.destination_regency_code",
                     "must equal the parent's regency");
    }
    CheckReasonCode(v, tr);
    if (req.has_case_data()) {
      v.InRange("transfer.credited_minutes", tr.credited_minutes(), 0,
                int64_t{c.sentence().hours()} * 60,
                "at most the sentence's hours");
    }
  }
  KS_RETURN_IF_ERROR(v.Finish());
  Case source = c;
  source.mutable_progress()->set_credited_minutes(tr.credited_minutes());
  return Received(source, name, regency_code, "ReceiveTransferredCase", ctx);
}

absl::StatusOr<TransferRoutes> TransferRoutes::Parse(absl::string_view spec) {
  TransferRoutes out;
  for (absl::string_view entry :
       absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(entry, absl::MaxSplits('=', 1));
    const absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    const absl::string_view address = absl::StripAsciiWhitespace(kv.second);
    if (!regions::Regions::IsWellFormedRegencyCode(key) &&
        !regions::Regions::IsWellFormedProvinceCode(key)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "transfer route \"", entry.substr(0, 40),
          "\": the key must be a regency (PP.RR) or province (PP) code"));
    }
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos || colon == 0 ||
        colon + 1 == address.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("transfer route \"", entry.substr(0, 40),
                       "\": the address must be host:port"));
    }
    if (!out.routes_.emplace(std::string(key), std::string(address)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("transfer route for ", key, " is given twice"));
    }
  }
  return out;
}

absl::StatusOr<TransferRoutes> TransferRoutes::ParseFile(
    absl::string_view text) {
  std::vector<std::string> entries;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = line.substr(0, line.find('#'));
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) entries.emplace_back(line);
  }
  return Parse(absl::StrJoin(entries, ","));
}

std::optional<std::string> TransferRoutes::Find(
    absl::string_view regency) const {
  auto it = routes_.find(std::string(regency));
  if (it != routes_.end()) return it->second;
  const size_t dot = regency.find('.');
  if (dot == absl::string_view::npos) return std::nullopt;
  it = routes_.find(std::string(regency.substr(0, dot)));
  if (it != routes_.end()) return it->second;
  return std::nullopt;
}

}  // namespace ks::cases::domain
