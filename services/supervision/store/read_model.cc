#include "services/supervision/store/read_model.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/time_util.h"
#include "services/supervision/store/keys.h"

namespace ks::supervision::store {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
namespace casesv1 = ::kerjasosial::cases::v1;
namespace plv1 = ::kerjasosial::placements::v1;
using ::google::protobuf::Message;
using ::google::protobuf::util::TimeUtil;

// The payload of `event` as its own generated message; nullptr when the
// type is not one this binary knows (then it does not concern us).
absl::StatusOr<std::unique_ptr<Message>> Payload(const cv1::Event& event) {
  std::string type = event.event_type();
  if (type.empty()) {
    const std::string& url = event.payload().type_url();
    type = url.substr(url.rfind('/') + 1);
  }
  const google::protobuf::Descriptor* d =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          type);
  if (d == nullptr) return std::unique_ptr<Message>();
  std::unique_ptr<Message> m(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(d)
          ->New());
  if (!event.payload().UnpackTo(m.get())) {
    return absl::InvalidArgumentError(
        absl::StrCat("the payload of event ", event.event_id(),
                     " does not parse as ", type));
  }
  return m;
}

// The message field `facts` of `m` when it is a `Facts`; nullptr otherwise.
template <typename Facts>
const Facts* FactsOf(const Message& m) {
  const google::protobuf::FieldDescriptor* f =
      m.GetDescriptor()->FindFieldByName("facts");
  if (f == nullptr || f->message_type() != Facts::descriptor()) return nullptr;
  return static_cast<const Facts*>(&m.GetReflection()->GetMessage(m, f));
}

absl::Time EventTime(const cv1::Event& e) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(e.event_time()));
}

}  // namespace

std::string EncodeIntervals(const std::vector<domain::ActiveInterval>& v) {
  std::vector<std::string> parts;
  for (const domain::ActiveInterval& a : v) {
    parts.push_back(absl::StrCat(
        absl::ToUnixSeconds(a.from), ":",
        a.until ? absl::StrCat(absl::ToUnixSeconds(*a.until)) : "-"));
  }
  return absl::StrJoin(parts, ";");
}

std::vector<domain::ActiveInterval> DecodeIntervals(absl::string_view s) {
  std::vector<domain::ActiveInterval> out;
  for (absl::string_view part : absl::StrSplit(s, ';', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> p =
        absl::StrSplit(part, ':');
    int64_t from = 0, until = 0;
    if (!absl::SimpleAtoi(p.first, &from)) continue;
    domain::ActiveInterval a{absl::FromUnixSeconds(from), std::nullopt};
    if (absl::SimpleAtoi(p.second, &until))
      a.until = absl::FromUnixSeconds(until);
    out.push_back(a);
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ReadModel::ReadHash(const std::string& key) {
  KS_ASSIGN_OR_RETURN(redis::Reply r,
                      pool_.Command({"HGETALL", writer_.Key(key)}));
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out.emplace_back(r.elements[i].str, r.elements[i + 1].str);
  }
  return out;
}

absl::StatusOr<feed::RedisOps> ReadModel::ApplyCasesEvent(
    const cv1::Event& event) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<Message> payload, Payload(event));
  if (payload == nullptr) return feed::RedisOps{};
  const casesv1::CaseFacts* facts = FactsOf<casesv1::CaseFacts>(*payload);
  if (facts == nullptr) return feed::RedisOps{};
  absl::StatusOr<CaseView> held = GetCase(event.aggregate_name());
  if (held.ok() && held->version >= event.aggregate_version()) {
    return feed::RedisOps{};
  }
  if (!held.ok() && !absl::IsNotFound(held.status())) return held.status();
  std::vector<std::string> op = {
      "HSET",  writer_.Key(CaseFactsKey(event.aggregate_name())),
      "v",     absl::StrCat(event.aggregate_version()),
      "facts", facts->SerializeAsString()};
  if (payload->GetDescriptor() == casesv1::CaseHandedOver::descriptor()) {
    op.push_back("handover");
    op.push_back(payload->SerializeAsString());
  }
  return feed::RedisOps{std::move(op)};
}

absl::StatusOr<feed::RedisOps> ReadModel::ApplyPlacementsEvent(
    const cv1::Event& event) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<Message> payload, Payload(event));
  if (payload == nullptr) return feed::RedisOps{};
  if (payload->GetDescriptor() == plv1::SiteChanged::descriptor()) {
    const auto& site = static_cast<const plv1::SiteChanged&>(*payload);
    absl::StatusOr<SiteView> held = GetSite(event.aggregate_name());
    if (held.ok() && held->version >= event.aggregate_version()) {
      return feed::RedisOps{};
    }
    return feed::RedisOps{
        {"HSET", writer_.Key(SiteFactsKey(event.aggregate_name())), "v",
         absl::StrCat(event.aggregate_version()), "zone", site.time_zone(),
         "staff", absl::StrJoin(site.staff_principal_ids(), ",")}};
  }
  const plv1::PlacementFacts* facts = FactsOf<plv1::PlacementFacts>(*payload);
  if (facts == nullptr) return feed::RedisOps{};
  absl::StatusOr<PlacementView> held = GetPlacement(event.aggregate_name());
  if (held.ok() && held->version >= event.aggregate_version()) {
    return feed::RedisOps{};
  }
  if (!held.ok() && !absl::IsNotFound(held.status())) return held.status();
  std::vector<domain::ActiveInterval> active;
  if (held.ok()) active = held->active;
  const bool open = !active.empty() && !active.back().until;
  const absl::Time at = EventTime(event);
  if (facts->state() == plv1::PLACEMENT_STATE_ACTIVE && !open) {
    absl::Time from = at;
    absl::TimeZone zone;
    if (active.empty() && facts->period().has_start_date() &&
        absl::LoadTimeZone(facts->schedule().time_zone(), &zone)) {
      absl::StatusOr<absl::CivilDay> day =
          CivilDayFromDate(facts->period().start_date());
      if (day.ok()) from = std::min(at, StartOfDay(*day, zone));
    }
    active.push_back({from, std::nullopt});
  } else if (facts->state() != plv1::PLACEMENT_STATE_ACTIVE && open) {
    active.back().until = at;
  }
  feed::RedisOps ops{{"HSET",
                      writer_.Key(PlacementFactsKey(event.aggregate_name())),
                      "v", absl::StrCat(event.aggregate_version()), "facts",
                      facts->SerializeAsString(), "regency",
                      event.regency_code(), "active", EncodeIntervals(active)}};
  // The site's placements, for its roll (a placement keeps its site).
  if (!facts->site().empty()) {
    ops.push_back({"SADD", writer_.Key(SitePlacementsKey(facts->site())),
                   event.aggregate_name()});
  }
  return ops;
}

absl::StatusOr<CaseView> ReadModel::GetCase(absl::string_view case_name) {
  KS_ASSIGN_OR_RETURN(auto fields, ReadHash(CaseFactsKey(case_name)));
  if (fields.empty()) {
    return absl::NotFoundError(
        absl::StrCat("case ", case_name, " is not known to supervision"));
  }
  CaseView out;
  out.name = std::string(case_name);
  for (const auto& [f, value] : fields) {
    if (f == "v") {
      absl::SimpleAtoi(value, &out.version);
    } else if (f == "facts") {
      out.facts.ParseFromString(value);
    } else if (f == "handover") {
      out.handover.emplace();
      out.handover->ParseFromString(value);
    }
  }
  return out;
}

absl::StatusOr<PlacementView> ReadModel::GetPlacement(
    absl::string_view placement) {
  KS_ASSIGN_OR_RETURN(auto fields, ReadHash(PlacementFactsKey(placement)));
  if (fields.empty()) {
    return absl::NotFoundError(
        absl::StrCat("placement ", placement, " is not known to supervision"));
  }
  PlacementView out;
  out.name = std::string(placement);
  for (const auto& [f, value] : fields) {
    if (f == "v") {
      absl::SimpleAtoi(value, &out.version);
    } else if (f == "facts") {
      out.facts.ParseFromString(value);
    } else if (f == "regency") {
      out.regency_code = value;
    } else if (f == "active") {
      out.active = DecodeIntervals(value);
    }
  }
  return out;
}

absl::StatusOr<SiteView> ReadModel::GetSite(absl::string_view site) {
  KS_ASSIGN_OR_RETURN(auto fields, ReadHash(SiteFactsKey(site)));
  if (fields.empty()) {
    return absl::NotFoundError(
        absl::StrCat("site ", site, " is not known to supervision"));
  }
  SiteView out;
  out.name = std::string(site);
  for (const auto& [f, value] : fields) {
    if (f == "v") {
      absl::SimpleAtoi(value, &out.version);
    } else if (f == "zone") {
      out.time_zone = value;
    } else if (f == "staff") {
      out.staff_principal_ids = absl::StrSplit(value, ',', absl::SkipEmpty());
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ReadModel::PlacementsAt(
    absl::string_view site) {
  KS_ASSIGN_OR_RETURN(
      redis::Reply r,
      pool_.Command({"SMEMBERS", writer_.Key(SitePlacementsKey(site))}));
  std::vector<std::string> out;
  for (const redis::Reply& m : r.elements) out.push_back(m.str);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ks::supervision::store
