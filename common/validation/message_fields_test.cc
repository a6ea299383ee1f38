#include "common/validation/message_fields.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "google/protobuf/struct.pb.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"

namespace ks::validation {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The BadRequest violations of `s` as (field, description).
std::vector<std::pair<std::string, std::string>> Violations(
    const absl::Status& s) {
  std::vector<std::pair<std::string, std::string>> out;
  google::rpc::BadRequest bad;
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) {
        out.emplace_back(v.field(), v.description());
      }
    }
  }
  return out;
}

std::string Repeat(absl::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.append(unit.data(), unit.size());
  return out;
}

// One string or enum field somewhere inside a request type: the chain of
// fields from the request down to it.
struct Leaf {
  std::vector<const FieldDescriptor*> chain;
  std::string path;  // as CheckMessageFields names it
};

// Every string and enum field reachable from `d` (each message type once per
// chain, so recursive types end).
void CollectLeaves(const Descriptor* d,
                   std::vector<const FieldDescriptor*>& chain,
                   std::set<const Descriptor*>& on_chain,
                   std::vector<Leaf>& out) {
  on_chain.insert(d);
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_map()) continue;  // maps are covered by their own test
    chain.push_back(f);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (on_chain.count(f->message_type()) == 0) {
        CollectLeaves(f->message_type(), chain, on_chain, out);
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM ||
               (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
                f->type() != FieldDescriptor::TYPE_BYTES)) {
      Leaf leaf{chain, ""};
      for (const FieldDescriptor* c : chain) {
        absl::StrAppend(&leaf.path, leaf.path.empty() ? "" : ".", c->name(),
                        c->is_repeated() ? "[0]" : "");
      }
      out.push_back(std::move(leaf));
    }
    chain.pop_back();
  }
  on_chain.erase(d);
}

// Sets the leaf's field to `string_value` (string) or `enum_value` (enum),
// creating the messages on the way (one element of each repeated field).
void SetLeaf(Message& root, const Leaf& leaf, const std::string& string_value,
             int enum_value) {
  Message* m = &root;
  for (size_t i = 0; i + 1 < leaf.chain.size(); ++i) {
    const FieldDescriptor* f = leaf.chain[i];
    m = f->is_repeated() ? m->GetReflection()->AddMessage(m, f)
                         : m->GetReflection()->MutableMessage(m, f);
  }
  const FieldDescriptor* f = leaf.chain.back();
  const auto* r = m->GetReflection();
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    f->is_repeated() ? r->AddEnumValue(m, f, enum_value)
                     : r->SetEnumValue(m, f, enum_value);
  } else {
    f->is_repeated() ? r->AddString(m, f, string_value)
                     : r->SetString(m, f, string_value);
  }
}

// Every request message of the Cases service, read from its descriptor so a
// new rpc is covered without touching this test.
std::vector<const Descriptor*> CasesRequestTypes() {
  const google::protobuf::ServiceDescriptor* service =
      kerjasosial::cases::v1::CreateCaseRequest::descriptor()
          ->file()
          ->pool()
          ->FindServiceByName("kerjasosial.cases.v1.Cases");
  std::vector<const Descriptor*> out;
  if (service == nullptr) return out;
  for (int i = 0; i < service->method_count(); ++i) {
    out.push_back(service->method(i)->input_type());
  }
  return out;
}

TEST(CheckMessageFieldsTest, EveryCasesRequestNamesEveryBadStringAndEnum) {
  const std::vector<const Descriptor*> requests = CasesRequestTypes();
  ASSERT_GE(requests.size(), 15u);
  size_t enums = 0, strings = 0;
  for (const Descriptor* type : requests) {
    std::vector<Leaf> leaves;
    std::vector<const FieldDescriptor*> chain;
    std::set<const Descriptor*> on_chain;
    CollectLeaves(type, chain, on_chain, leaves);
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(
            type);
    ASSERT_NE(prototype, nullptr) << type->full_name();
    for (const Leaf& leaf : leaves) {
      const std::string where = absl::StrCat(type->name(), " ", leaf.path);
      const FieldDescriptor* f = leaf.chain.back();
      std::vector<std::pair<std::string, std::string>> cases;
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
        ++enums;
        std::unique_ptr<Message> m(prototype->New());
        SetLeaf(*m, leaf, "", 4242);
        const absl::Status s = CheckMessageFields(*m);
        ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << where;
        EXPECT_EQ(
            Violations(s),
            (std::vector<std::pair<std::string, std::string>>{
                {leaf.path,
                 absl::StrCat("must be a value defined by enum ",
                              f->enum_type()->full_name(), ", got 4242")}}))
            << where;
        continue;
      }
      ++strings;
      const size_t max = DefaultMaxCodePoints(*f);
      // At the limit in two-byte characters: counted as code points, passes.
      std::unique_ptr<Message> at_limit(prototype->New());
      SetLeaf(*at_limit, leaf, Repeat("\xC3\xA9", max), 0);
      EXPECT_TRUE(CheckMessageFields(*at_limit).ok()) << where;

      std::unique_ptr<Message> too_long(prototype->New());
      SetLeaf(*too_long, leaf, Repeat("\xC3\xA9", max + 1), 0);
      absl::Status s = CheckMessageFields(*too_long);
      ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << where;
      EXPECT_EQ(Violations(s),
                (std::vector<std::pair<std::string, std::string>>{
                    {leaf.path,
                     absl::StrCat("must be at most ", max,
                                  " characters (Unicode code points), got ",
                                  max + 1)}}))
          << where;

      std::unique_ptr<Message> bad_utf8(prototype->New());
      SetLeaf(*bad_utf8, leaf, "ok\xC3\x28", 0);
      s = CheckMessageFields(*bad_utf8);
      ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << where;
      EXPECT_EQ(Violations(s),
                (std::vector<std::pair<std::string, std::string>>{
                    {leaf.path, "must be valid UTF-8"}}))
          << where;
    }
  }
  // The Case resource alone has dozens of each; a walk that found few is
  // broken, not lucky.
  EXPECT_GT(enums, 30u);
  EXPECT_GT(strings, 100u);
}

TEST(CheckMessageFieldsTest, TheIssuesExamplesAreRefused) {
  kerjasosial::cases::v1::CreateCaseRequest req;
  req.mutable_case_data()->mutable_sentence()->set_breach_consequence(
      static_cast<kerjasosial::cases::v1::BreachConsequence>(42));
  req.mutable_case_data()->mutable_person()->set_sex(
      static_cast<kerjasosial::cases::v1::Sex>(9));
  req.mutable_case_data()->mutable_decision()->set_court_level(
      static_cast<kerjasosial::cases::v1::CourtLevel>(17));
  req.mutable_case_data()
      ->mutable_sentence()
      ->mutable_constraints()
      ->add_allowed_weekdays(static_cast<kerjasosial::common::v1::Weekday>(12));
  const absl::Status s = CheckMessageFields(req);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& [field, why] : Violations(s)) fields.insert(field);
  EXPECT_EQ(fields,
            (std::set<std::string>{
                "case_data.person.sex", "case_data.decision.court_level",
                "case_data.sentence.breach_consequence",
                "case_data.sentence.constraints.allowed_weekdays[0]"}));
}

TEST(CheckMessageFieldsTest, DefinedValuesAndZeroPass) {
  kerjasosial::cases::v1::CreateCaseRequest req;
  req.set_parent("regencies/64.01");
  req.mutable_case_data()->mutable_person()->set_sex(
      kerjasosial::cases::v1::SEX_FEMALE);
  req.mutable_case_data()->mutable_person()->set_full_name(
      Repeat("\xC3\xA9", 150));
  EXPECT_TRUE(CheckMessageFields(req).ok());
  EXPECT_TRUE(
      CheckMessageFields(kerjasosial::cases::v1::GetCaseRequest()).ok());
}

TEST(CheckMessageFieldsTest, MapsAndOneofsAreWalked) {
  google::protobuf::Struct st;
  (*st.mutable_fields())["k"].set_string_value("bad\xFF");
  (*st.mutable_fields())["n"].set_number_value(1);
  const absl::Status s = CheckMessageFields(st);
  EXPECT_EQ(Violations(s),
            (std::vector<std::pair<std::string, std::string>>{
                {"fields[\"k\"].value.string_value", "must be valid UTF-8"}}));
}

TEST(CheckMessageFieldsTest, AFieldCanHaveItsOwnLimit) {
  kerjasosial::cases::v1::ListCasesRequest req;
  req.set_filter(std::string(kMaxFilterCodePoints + 1, 'a'));
  EXPECT_EQ(CheckMessageFields(req).code(), absl::StatusCode::kInvalidArgument);
  req.set_filter(std::string(11, 'a'));
  FieldLimits limits;
  limits.Set("kerjasosial.cases.v1.ListCasesRequest.filter", 10);
  EXPECT_EQ(Violations(CheckMessageFields(req, limits)),
            (std::vector<std::pair<std::string, std::string>>{
                {"filter",
                 "must be at most 10 characters (Unicode code points), got "
                 "11"}}));
}

TEST(CheckMessageFieldsTest, ListsAtMostTwentyViolations) {
  kerjasosial::cases::v1::RecordBreachRequest req;
  for (int i = 0; i < 500; ++i) req.add_violations("\xFF");
  const auto v = Violations(CheckMessageFields(req));
  ASSERT_EQ(v.size(), static_cast<size_t>(kMaxReportedViolations) + 1);
  EXPECT_EQ(v[0].first, "violations[0]");
  EXPECT_EQ(v.back(), (std::pair<std::string, std::string>{
                          "(request)", "and 480 more violations not listed"}));
}

TEST(DefaultMaxCodePointsTest, ChosenByFieldName) {
  const Descriptor* list =
      kerjasosial::cases::v1::ListCasesRequest::descriptor();
  EXPECT_EQ(DefaultMaxCodePoints(*list->FindFieldByName("filter")),
            kMaxFilterCodePoints);
  EXPECT_EQ(DefaultMaxCodePoints(*list->FindFieldByName("parent")),
            kMaxResourceNameCodePoints);
  EXPECT_EQ(DefaultMaxCodePoints(*list->FindFieldByName("page_token")),
            kMaxTokenCodePoints);
  const Descriptor* person = kerjasosial::cases::v1::Person::descriptor();
  EXPECT_EQ(DefaultMaxCodePoints(*person->FindFieldByName("full_name")),
            kMaxPersonNameCodePoints);
  EXPECT_EQ(DefaultMaxCodePoints(*person->FindFieldByName("nik")),
            kMaxFreeTextCodePoints);
  EXPECT_EQ(DefaultMaxCodePoints(*person->FindFieldByName("address")),
            kMaxAddressCodePoints);
}

}  // namespace
}  // namespace ks::validation
