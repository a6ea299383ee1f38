// ksctl's placements commands: the Pemda officer's suggest-and-place over
// kerjasosial.placements.v1.Placements.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"
#include "tools/ksctl/commands.h"

namespace ks::ksctl {
namespace {

namespace v1 = ::kerjasosial::placements::v1;

// A coordinate flag in degrees within ±`limit`.
absl::Status Degrees(const Args& args, absl::string_view flag, double limit,
                     double* out) {
  if (!args.Has(flag)) return absl::OkStatus();
  if (!absl::SimpleAtod(args.Get(flag), out) || *out < -limit || *out > limit) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", args.Get(flag),
                     "' is not degrees between -", limit, " and ", limit));
  }
  return absl::OkStatus();
}

int Suggest(const Args& args, Session& s) {
  v1::SuggestSitesRequest req;
  req.set_parent("regencies/" + args.Get("regency"));
  req.set_case_name(args.Get("case"));
  double lat = 0, lon = 0;
  if (absl::Status st = Degrees(args, "lat", 90, &lat); !st.ok()) {
    return s.Fail(st);
  }
  if (absl::Status st = Degrees(args, "lon", 180, &lon); !st.ok()) {
    return s.Fail(st);
  }
  req.set_home_latitude(lat);
  req.set_home_longitude(lon);
  absl::StatusOr<int64_t> size = args.GetInt("page_size", 0);
  if (!size.ok()) return s.Fail(size.status());
  req.set_page_size(static_cast<int32_t>(*size));
  int error = kExitOk;
  auto stub = s.Connect<v1::Placements>(&error);
  if (!stub) return error;
  v1::SuggestSitesResponse out;
  grpc::Status status = stub->SuggestSites(s.Context().get(), req, &out);
  if (!status.ok()) return s.Fail(status);
  if (s.json()) {
    s.PrintJson(out);
    return kExitOk;
  }
  Table t({"SITE", "DISTANCE", "FREE SLOTS", "ACTIVITY TYPES"});
  for (const auto& x : out.suggestions()) {
    t.Add({x.site(),
           args.Has("lat") ? absl::StrCat(x.distance_meters() / 1000.0, " km")
                           : "",
           absl::StrCat(x.free_slots()),
           absl::StrJoin(x.activity_types(), ",")});
  }
  t.Print(s.out());
  return kExitOk;
}

int Place(const Args& args, Session& s) {
  v1::CreatePlacementRequest req;
  req.set_parent("regencies/" + args.Get("regency"));
  req.set_request_id(args.Get("request_id", NewRequestId()));
  if (absl::Status st = ReadJsonBody(args, req.mutable_placement()); !st.ok()) {
    return s.Fail(st);
  }
  int error = kExitOk;
  auto stub = s.Connect<v1::Placements>(&error);
  if (!stub) return error;
  v1::Placement out;
  grpc::Status status = stub->CreatePlacement(s.Context().get(), req, &out);
  if (!status.ok()) {
    return s.Fail(status, absl::StrCat("--request_id=", req.request_id()));
  }
  if (s.json()) {
    s.PrintJson(out);
    return kExitOk;
  }
  PrintFields(
      s.out(),
      {{"name", out.name()},
       {"case", out.case_name()},
       {"site", out.site()},
       {"activity type", out.activity_type()},
       {"state", EnumName(v1::PlacementState_descriptor(), out.state())},
       {"etag", out.etag()}});
  return kExitOk;
}

}  // namespace

std::vector<Command> PlacementsCommands() {
  return {
      {"placements",
       "suggest",
       "sites that fit a case, nearest first (SuggestSites)",
       "  ksctl placements suggest --regency=64.01 "
       "--case=regencies/64.01/cases/<id> --lat=-1.9 --lon=116.2\n",
       {{"regency", "regency to search, e.g. 64.01", true},
        {"case", "the case's resource name in cases", true},
        {"lat", "home latitude in degrees (sort by distance)"},
        {"lon", "home longitude in degrees"},
        {"page_size", "how many sites"}},
       Suggest},
      {"placements",
       "place",
       "place a person at a site (CreatePlacement)",
       "Reads the placement (a kerjasosial.placements.v1.Placement: "
       "case_name,\n"
       "site, activity_type, period, schedule) as JSON from --file ('-': "
       "stdin).\n"
       "  ksctl placements place --regency=64.01 --file=placement.json\n",
       {{"regency", "regency of the site", true},
        {"file", "the placement as JSON; '-' reads standard input", true},
        {"request_id", "idempotency key; default: a fresh one"}},
       Place},
  };
}

}  // namespace ks::ksctl
