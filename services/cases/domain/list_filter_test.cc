// ListCases filter parsing and matching.
#include "services/cases/domain/list_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using testing::AdultCase;
using testing::ChildCase;
using ::testing::HasSubstr;
using testing::Registered;
using testing::ViolationOf;

Case WithDeadline(Case c, absl::Time t) {
  *c.mutable_progress()->mutable_deadline_time() = internal::ToProto(t);
  return c;
}

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

TEST(ListFilter, EmptyMatchesAll) {
  const auto f = ListFilter::Parse("");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Matches(Case()));
}

TEST(ListFilter, Conjunction) {
  const auto f = ListFilter::Parse(
      "state = IN_PROGRESS AND progress.deadline_time < "
      "\"2026-06-01T00:00:00Z\" AND kind = ADULT_KERJA_SOSIAL");
  ASSERT_TRUE(f.ok()) << f.status();
  Case c = WithDeadline(Registered(AdultCase()), T("2026-05-31T16:00:00Z"));
  c.set_state(v1::CASE_STATE_IN_PROGRESS);
  EXPECT_TRUE(f->Matches(c));
  EXPECT_FALSE(f->Matches(WithDeadline(c, T("2026-06-01T00:00:00Z"))));
  Case no_deadline = c;
  no_deadline.mutable_progress()->clear_deadline_time();
  EXPECT_FALSE(f->Matches(no_deadline));
  c.set_state(v1::CASE_STATE_REGISTERED);
  EXPECT_FALSE(f->Matches(c));
  EXPECT_EQ(f->StateEquals(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_FALSE(f->RegencyEquals().has_value());
}

TEST(ListFilter, EveryField) {
  Case child = Registered(ChildCase());
  child.mutable_progress()->set_at_risk(true);
  const std::vector<std::pair<std::string, bool>> cases = {
      {"sentence.kind = CHILD_PELAYANAN_MASYARAKAT", true},
      {"kind != SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT", false},
      {"state = CASE_STATE_REGISTERED", true},
      {"regency_code = \"64.01\"", true},
      {"regency_code = \"64.02\"", false},
      {"offence.category = \"theft\"", true},
      {"progress.at_risk = true", true},
      {"progress.overdue = true", false},
      {"create_time >= \"2026-03-02T03:00:00Z\"", true},
      {"create_time > \"2026-03-02T03:00:00Z\"", false},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    const auto f = ListFilter::Parse(text);
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ(f->Matches(child), want);
  }
}

// issue #7 §2: the Bapas office a case was handed to.
TEST(ListFilter, HandoverOffice) {
  const auto f =
      ListFilter::Parse("handover.bapas_office_code = \"bapas-samarinda\"");
  ASSERT_TRUE(f.ok()) << f.status();
  const auto other =
      ListFilter::Parse("handover.bapas_office_code != \"bapas-samarinda\"");
  ASSERT_TRUE(other.ok()) << other.status();
  Case c = Registered(AdultCase());
  // Not handed over: neither = nor != matches.
  EXPECT_FALSE(f->Matches(c));
  EXPECT_FALSE(other->Matches(c));
  c.mutable_handover()->set_bapas_office_code("bapas-samarinda");
  EXPECT_TRUE(f->Matches(c));
  EXPECT_FALSE(other->Matches(c));
  c.mutable_handover()->set_bapas_office_code("bapas-balikpapan");
  EXPECT_FALSE(f->Matches(c));
  EXPECT_TRUE(other->Matches(c));
  const auto bad = ListFilter::Parse("handover.bapas_office_code < \"b\"");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolationOf(bad.status(), "filter"), HasSubstr("only = and !="));
}

TEST(ListFilter, BadSyntaxNamesFilter) {
  for (const auto& [text, why] :
       std::vector<std::pair<std::string, std::string>>{
           {"colour = red", "unknown field"},
           {"state < IN_PROGRESS", "only = and !="},
           {"state = SLEEPING", "unknown state"},
           {"progress.at_risk = maybe", "true or false"},
           {"progress.deadline_time < 2026", "RFC 3339"},
           {"state = IN_PROGRESS AND", "dangling AND"},
           {"state = IN_PROGRESS OR state = BREACHED", "only AND"},
           {"state =", "incomplete"},
           {"regency_code = \"64.01", "unterminated"},
           {"state ! IN_PROGRESS", "!="},
       }) {
    SCOPED_TRACE(text);
    const auto f = ListFilter::Parse(text);
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ViolationOf(f.status(), "filter"), HasSubstr(why));
  }
}

}  // namespace
}  // namespace ks::cases::domain
