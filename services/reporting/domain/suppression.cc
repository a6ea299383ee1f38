#include "services/reporting/domain/suppression.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "google/protobuf/util/time_util.h"

namespace ks::reporting {
namespace {

namespace v1 = ::kerjasosial::reporting::v1;
using ::kerjasosial::reporting::v1::PublicCell;

// The six public measures, in PublicSummary's field order.
constexpr int kMeasures = 6;

struct Row {
  std::string name;  // the PublicSummary name
  std::array<int64_t, kMeasures> value{};
  std::array<int64_t, kMeasures> contributors{};
  std::array<bool, kMeasures> suppressed{};
};

// Value and contributors of each measure (see the header for why).
Row RowOf(const Summary& s) {
  const v1::Figures& f = s.totals();
  Row row;
  row.name = PublicSummaryName(s);
  row.value = {f.cases_completed(),       f.cases_active(),
               f.credited_minutes() / 60, f.prison_days_averted(),
               s.sites().sites_active(),  f.fines_replaced_rupiah()};
  constexpr int64_t kNotPeople = 0;
  row.contributors = {f.cases_completed(),
                      f.cases_active(),
                      f.cases_active() + f.cases_completed(),
                      f.cases_completed(),
                      kNotPeople,
                      f.fines_replaced_cases()};
  return row;
}

// A sum the public could subtract from: rows[total] = Σ rows[children].
struct Sum {
  size_t total;
  std::vector<size_t> children;
};

// Suppresses one more cell of `sum` in measure `m`, which has exactly one
// suppressed cell. Returns false if no cell is left to suppress.
bool AddComplement(std::vector<Row>& rows, const Sum& sum, int m) {
  std::optional<size_t> best;
  for (size_t c : sum.children) {
    const Row& r = rows[c];
    if (r.suppressed[m] || r.value[m] <= 0) continue;
    if (!best || r.value[m] < rows[*best].value[m]) best = c;
  }
  if (!best && !rows[sum.total].suppressed[m]) best = sum.total;
  if (!best) {
    // The total is the suppressed one and every published child is zero:
    // any child hides it (the total then rests on an unknown child).
    for (size_t c : sum.children) {
      if (!rows[c].suppressed[m]) {
        best = c;
        break;
      }
    }
  }
  if (!best) return false;
  rows[*best].suppressed[m] = true;
  return true;
}

PublicSummary ToPublic(const Row& row, const google::protobuf::Timestamp& now) {
  PublicSummary out;
  out.set_name(row.name);
  PublicCell* cells[kMeasures] = {
      out.mutable_cases_completed(), out.mutable_cases_in_progress(),
      out.mutable_credited_hours(),  out.mutable_prison_days_averted(),
      out.mutable_active_sites(),    out.mutable_fines_replaced_rupiah()};
  for (int m = 0; m < kMeasures; ++m) {
    cells[m]->set_suppressed(row.suppressed[m]);
    cells[m]->set_value(row.suppressed[m] ? 0 : row.value[m]);
  }
  *out.mutable_as_of_time() = now;
  return out;
}

absl::Status Bad(absl::string_view field, std::string description) {
  return InvalidArgumentError({{std::string(field), std::move(description)}});
}

}  // namespace

std::string PublicSummaryName(const Summary& summary) {
  switch (summary.scope()) {
    case v1::SUMMARY_SCOPE_PROVINCE:
      return absl::StrCat("provinces/", summary.region().province_code(),
                          "/publicSummary");
    case v1::SUMMARY_SCOPE_REGENCY:
      return absl::StrCat("regencies/", summary.region().regency_code(),
                          "/publicSummary");
    default:
      return "nation/publicSummary";
  }
}

const PublicSummary* PublicFigures::Find(absl::string_view name) const {
  if (nation.name() == name) return &nation;
  for (const auto* list : {&provinces, &regencies}) {
    for (const PublicSummary& p : *list) {
      if (p.name() == name) return &p;
    }
  }
  return nullptr;
}

absl::StatusOr<PublicFigures> BuildPublicFigures(const PublicInput& input,
                                                 int min_cell_size,
                                                 absl::Time now) {
  if (min_cell_size < 1) {
    return Bad("public_figures.min_cell_size",
               absl::StrCat("must be at least 1, got ", min_cell_size));
  }
  if (input.nation.scope() != v1::SUMMARY_SCOPE_NATION) {
    return Bad("nation.scope", "must be SUMMARY_SCOPE_NATION");
  }
  // Rows: the nation, then the provinces, then the regencies, in input order.
  std::vector<Row> rows;
  rows.reserve(1 + input.provinces.size() + input.regencies.size());
  rows.push_back(RowOf(input.nation));
  std::map<std::string, Sum> province_sums;  // code -> its regencies' sum
  Sum national{0, {}};
  for (size_t i = 0; i < input.provinces.size(); ++i) {
    const Summary& p = input.provinces[i];
    const std::string field = absl::StrCat("provinces[", i, "]");
    if (p.scope() != v1::SUMMARY_SCOPE_PROVINCE ||
        p.region().province_code().empty()) {
      return Bad(field, "must be a province summary with its province_code");
    }
    national.children.push_back(rows.size());
    if (!province_sums.emplace(p.region().province_code(), Sum{rows.size(), {}})
             .second) {
      return Bad(field, absl::StrCat("duplicate province ",
                                     p.region().province_code()));
    }
    rows.push_back(RowOf(p));
  }
  std::map<std::string, bool> regency_seen;
  for (size_t i = 0; i < input.regencies.size(); ++i) {
    const Summary& r = input.regencies[i];
    const std::string field = absl::StrCat("regencies[", i, "]");
    if (r.scope() != v1::SUMMARY_SCOPE_REGENCY ||
        r.region().regency_code().empty()) {
      return Bad(field, "must be a regency summary with its regency_code");
    }
    auto it = province_sums.find(r.region().province_code());
    if (it == province_sums.end()) {
      return Bad(field, absl::StrCat("province ", r.region().province_code(),
                                     " of regency ", r.region().regency_code(),
                                     " is not given"));
    }
    if (!regency_seen.emplace(r.region().regency_code(), true).second) {
      return Bad(field,
                 absl::StrCat("duplicate regency ", r.region().regency_code()));
    }
    it->second.children.push_back(rows.size());
    rows.push_back(RowOf(r));
  }
  std::vector<Sum> sums = {national};
  for (auto& [code, sum] : province_sums) {
    if (!sum.children.empty()) sums.push_back(std::move(sum));
  }

  // Primary suppression.
  for (Row& row : rows) {
    for (int m = 0; m < kMeasures; ++m) {
      row.suppressed[m] =
          row.contributors[m] > 0 && row.contributors[m] < min_cell_size;
    }
  }
  // Complementary suppression, to a fixed point: a complement chosen for one
  // sum may be the only suppressed cell of another (a province is a child of
  // the nation and the total of its regencies). Each pass suppresses at least
  // one more cell or stops, so it ends within rows × measures passes.
  for (bool changed = true; changed;) {
    changed = false;
    for (int m = 0; m < kMeasures; ++m) {
      for (const Sum& sum : sums) {
        int count = rows[sum.total].suppressed[m] ? 1 : 0;
        for (size_t c : sum.children) count += rows[c].suppressed[m] ? 1 : 0;
        if (count == 1 && AddComplement(rows, sum, m)) changed = true;
      }
    }
  }

  const google::protobuf::Timestamp as_of =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(now));
  PublicFigures out;
  out.nation = ToPublic(rows[0], as_of);
  size_t next = 1;
  for (size_t i = 0; i < input.provinces.size(); ++i) {
    out.provinces.push_back(ToPublic(rows[next++], as_of));
  }
  for (size_t i = 0; i < input.regencies.size(); ++i) {
    out.regencies.push_back(ToPublic(rows[next++], as_of));
  }
  return out;
}

}  // namespace ks::reporting
