#include "services/reporting/web/labels.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace ks::reporting::web {

std::optional<Language> ParseLanguage(absl::string_view code) {
  if (code.empty() || code == "id") return Language::kIndonesian;
  if (code == "en") return Language::kEnglish;
  return std::nullopt;
}

const std::vector<Label>& Labels() {
  static const auto* labels = new std::vector<Label>{
      // Scopes and columns shared by every table.
      {"scope", "Wilayah", "Scope"},
      {"region_code", "Kode wilayah", "Region code"},
      {"region_name", "Nama wilayah", "Region name"},
      {"nation", "Nasional", "National"},
      {"start_date", "Tanggal mulai", "Start date"},
      {"end_date", "Tanggal akhir", "End date"},
      {"as_of_time", "Data per", "As of"},
      {"stale", "Data tertinggal", "Stale"},
      {"rank", "Peringkat", "Rank"},
      {"value", "Nilai", "Value"},
      {"last_event_time", "Peristiwa terakhir", "Last event"},
      {"suppressed", "disembunyikan", "suppressed"},
      // Figures.
      {"cases_registered", "Perkara terdaftar", "Cases registered"},
      {"cases_active", "Perkara berjalan", "Cases active"},
      {"cases_completed", "Perkara selesai", "Cases completed"},
      {"breaches_recorded", "Pelanggaran tercatat", "Breaches recorded"},
      {"cases_converted", "Perkara dikonversi", "Cases converted"},
      {"cases_at_risk", "Perkara berisiko", "Cases at risk"},
      {"cases_overdue", "Perkara lewat waktu", "Cases overdue"},
      {"sentenced_hours", "Jam dijatuhkan", "Hours sentenced"},
      {"credited_minutes", "Menit diakui", "Minutes credited"},
      {"completion_rate", "Tingkat penyelesaian", "Completion rate"},
      {"prison_days_averted", "Hari penjara dihindari", "Prison days averted"},
      {"fines_replaced_rupiah", "Denda digantikan (Rp)", "Fines replaced (Rp)"},
      {"sessions_recorded", "Sesi kerja tercatat", "Work sessions recorded"},
      {"violations_recorded", "Pelanggaran sesi", "Violations recorded"},
      {"sites_active", "Lokasi aktif", "Active sites"},
      {"sites_suspended", "Lokasi ditangguhkan", "Suspended sites"},
      {"capacity", "Kapasitas", "Capacity"},
      {"active_placements", "Penempatan aktif", "Active placements"},
      {"utilisation", "Tingkat pemanfaatan", "Utilisation"},
      {"agreements_in_force", "Perjanjian berlaku", "Agreements in force"},
      {"periodic_reports_submitted", "Laporan berkala diserahkan",
       "Periodic reports submitted"},
      {"warnings_issued", "Teguran diberikan", "Warnings issued"},
      {"pk_assignments_active", "Beban kerja PK (klien aktif)",
       "PK caseload (active assignments)"},
      {"guidance_sessions", "Sesi bimbingan", "Guidance sessions"},
      {"referrals_made", "Rujukan dibuat", "Referrals made"},
      {"referrals_completed", "Rujukan selesai", "Referrals completed"},
      {"litmas_submitted", "Litmas diserahkan", "Litmas submitted"},
      {"integrasi_clients", "Klien program integrasi",
       "Program-integrasi clients"},
      // Public figures.
      {"cases_in_progress", "Perkara sedang dijalani", "Cases in progress"},
      {"credited_hours", "Jam kerja sosial", "Hours of community work"},
      {"active_sites", "Lokasi kerja digunakan", "Work sites in use"},
      // Upstreams.
      {"name", "Nama", "Name"},
      {"display_name", "Label", "Label"},
      {"kind", "Jenis", "Kind"},
      {"state", "Status", "State"},
      {"events_applied", "Peristiwa diterapkan", "Events applied"},
      {"events_rejected", "Peristiwa ditolak", "Events rejected"},
      {"lag_seconds", "Tertinggal (detik)", "Lag (seconds)"},
      {"last_error", "Galat terakhir", "Last error"},
      {"UPSTREAM_KIND_CASES", "Perkara (Kejaksaan)", "Cases (Kejaksaan)"},
      {"UPSTREAM_KIND_PLACEMENTS", "Penempatan (Pemda)", "Placements (Pemda)"},
      {"UPSTREAM_KIND_SUPERVISION", "Pembimbingan (Bapas)",
       "Supervision (Bapas)"},
      {"UPSTREAM_STATE_CONNECTING", "Menyambung", "Connecting"},
      {"UPSTREAM_STATE_CATCHING_UP", "Mengejar", "Catching up"},
      {"UPSTREAM_STATE_LIVE", "Terkini", "Live"},
      {"UPSTREAM_STATE_FAILING", "Gagal", "Failing"},
      {"UPSTREAM_STATE_PAUSED", "Dijeda", "Paused"},
      // Metrics.
      {"METRIC_CASES_REGISTERED", "Perkara terdaftar", "Cases registered"},
      {"METRIC_CASES_HANDED_OVER", "Perkara diserahkan ke Bapas",
       "Cases handed over"},
      {"METRIC_CASES_COMPLETED", "Perkara selesai", "Cases completed"},
      {"METRIC_CASES_BREACHED", "Pelanggaran", "Breaches"},
      {"METRIC_CASES_CONVERTED", "Perkara dikonversi", "Cases converted"},
      {"METRIC_CASES_CANCELLED", "Perkara dibatalkan", "Cases cancelled"},
      {"METRIC_SENTENCED_HOURS", "Jam dijatuhkan", "Hours sentenced"},
      {"METRIC_CREDITED_MINUTES", "Menit diakui", "Minutes credited"},
      {"METRIC_SESSIONS_RECORDED", "Sesi kerja", "Work sessions"},
      {"METRIC_VIOLATIONS_RECORDED", "Pelanggaran sesi", "Violations"},
      {"METRIC_WARNINGS_ISSUED", "Teguran", "Warnings issued"},
      {"METRIC_PRISON_DAYS_AVERTED", "Hari penjara dihindari",
       "Prison days averted"},
      {"METRIC_FINES_REPLACED_RUPIAH", "Denda digantikan (Rp)",
       "Fines replaced (Rp)"},
      {"METRIC_ACTIVE_CASES", "Perkara berjalan", "Active cases"},
      {"METRIC_AT_RISK_CASES", "Perkara berisiko", "Cases at risk"},
      {"METRIC_ACTIVE_PLACEMENTS", "Penempatan aktif", "Active placements"},
      {"METRIC_SITE_CAPACITY", "Kapasitas lokasi", "Site capacity"},
      {"METRIC_OWED_HOURS", "Jam terutang", "Hours owed"},
      {"METRIC_MEDIAN_DAYS_TO_COMPLETE", "Median hari penyelesaian",
       "Median days to complete"},
      {"METRIC_EVALUATIONS_DUE", "Evaluasi jatuh tempo", "Evaluations due"},
      {"METRIC_PK_CASELOAD_X100", "Beban PK ×100", "PK caseload ×100"},
      {"METRIC_REFERRALS_MADE", "Rujukan dibuat", "Referrals made"},
      {"METRIC_REFERRALS_COMPLETED", "Rujukan selesai", "Referrals completed"},
      {"METRIC_PERIODIC_REPORTS_DUE", "Laporan berkala jatuh tempo",
       "Periodic reports due"},
      {"METRIC_PERIODIC_REPORTS_ON_TIME", "Laporan berkala tepat waktu",
       "Periodic reports on time"},
      // Page text.
      {"ui.title", "Dasbor Nasional Pidana Kerja Sosial",
       "National Community-Service Sentence Dashboard"},
      {"ui.public_title", "Capaian Pidana Kerja Sosial",
       "Community-Service Sentences in Figures"},
      {"ui.token", "Token NATIONAL_VIEWER", "NATIONAL_VIEWER token"},
      {"ui.sign_in", "Masuk", "Sign in"},
      {"ui.sign_out", "Keluar", "Sign out"},
      {"ui.language", "English", "Bahasa Indonesia"},
      {"ui.headline", "Angka utama", "Headline figures"},
      {"ui.provinces", "Provinsi", "Provinces"},
      {"ui.regencies", "Kabupaten/kota", "Regencies and cities"},
      {"ui.back", "Kembali ke nasional", "Back to national"},
      {"ui.trends", "Tren bulanan", "Monthly trends"},
      {"ui.hot_spots", "Titik rawan", "Hot spots"},
      {"ui.at_risk", "Terbanyak perkara berisiko", "Most cases at risk"},
      {"ui.overdue", "Terbanyak perkara lewat waktu", "Most cases overdue"},
      {"ui.freshness", "Kesegaran data hulu", "Upstream freshness"},
      {"ui.download_csv", "Unduh CSV", "Download CSV"},
      {"ui.error", "Galat", "Error"},
      {"ui.suppressed_note",
       "▒ = disembunyikan: angka di bawah ukuran sel minimum",
       "▒ = suppressed: a figure below the minimum cell size"},
      {"ui.no_access", "Daftar hulu hanya untuk ADMIN",
       "Upstream list needs ADMIN"},
  };
  return *labels;
}

std::string Text(absl::string_view key, Language lang) {
  static const auto* index = [] {
    auto* m = new absl::flat_hash_map<std::string, const Label*>();
    for (const Label& l : Labels()) (*m)[l.key] = &l;
    return m;
  }();
  auto it = index->find(key);
  if (it == index->end()) return std::string(key);
  return lang == Language::kEnglish ? it->second->en : it->second->id;
}

std::string LabelsJson() {
  google::protobuf::Struct all;
  for (const Label& l : Labels()) {
    google::protobuf::Struct pair;
    (*pair.mutable_fields())["id"].set_string_value(l.id);
    (*pair.mutable_fields())["en"].set_string_value(l.en);
    *(*all.mutable_fields())[l.key].mutable_struct_value() = pair;
  }
  std::string json;
  // A Struct of strings always converts.
  (void)google::protobuf::util::MessageToJsonString(all, &json);
  return json;
}

}  // namespace ks::reporting::web
