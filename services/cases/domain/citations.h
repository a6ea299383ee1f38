// The legal citations every rule of the cases domain names in its errors:
// one table, so a rule reads the same wherever it is checked (DESIGN §7,
// LEGAL.md). A message cites "<rule>, <source>", e.g. "R7, KUHP Pasal
// 85(5)-(6)".
//
// Thread-safe: constants.
#ifndef KS_SERVICES_CASES_DOMAIN_CITATIONS_H_
#define KS_SERVICES_CASES_DOMAIN_CITATIONS_H_

namespace ks::cases::domain::cite {

inline constexpr char kR1[] = "R1, KUHP Pasal 85(1)";
inline constexpr char kR2[] = "R2, KUHP Pasal 79(1)";
inline constexpr char kR2Minimum[] = "R2, KUHP Pasal 78(2)";
inline constexpr char kR3[] = "R3, KUHP Pasal 85(2)";
inline constexpr char kR3c[] = "R3(c), KUHP Pasal 85(2)(c)";
inline constexpr char kR5[] = "R5, KUHP Pasal 85(4)";
inline constexpr char kR6[] = "R6, KUHP Pasal 85(5)";
inline constexpr char kR7[] = "R7, KUHP Pasal 85(5)-(6)";
inline constexpr char kR8[] = "R8, KUHP Pasal 85(7)";
inline constexpr char kR10[] = "R10, KUHP Pasal 82";
inline constexpr char kR11Age[] = "R11, UU SPPA Pasal 1(3)";
inline constexpr char kR11MinAge[] = "R11, UU SPPA Pasal 1(3); KUHP Pasal 40";
inline constexpr char kR11Breach[] = "R11, UU SPPA Pasal 76(2)";
inline constexpr char kR11DailyCap[] = "R11, PP 58/2022 Pasal 19(5)";
inline constexpr char kR11Hours[] = "R11, UU SPPA Pasal 71 and 76(3)";
inline constexpr char kR11Litmas[] = "R11, UU SPPA Pasal 60(3)-(4)";
inline constexpr char kR11Repeat[] = "R11, UU SPPA Pasal 76(3)";
inline constexpr char kR12[] = "R12, UU 22/2022";

}  // namespace ks::cases::domain::cite

#endif  // KS_SERVICES_CASES_DOMAIN_CITATIONS_H_
