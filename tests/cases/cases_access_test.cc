// The access matrix of the cases service over real gRPC (issue #7
// acceptance): for every rpc of kerjasosial.cases.v1.Cases, walked from the
// service descriptor so a new rpc cannot be forgotten, × every role × the
// principal's own or a foreign regency × a case handed over to the
// principal's Bapas office or to another one, the real kerjasosial-cases
// binary is called with a request addressing that case (or its regency),
// and the outcome is compared with what the rpc's access option declares:
// PERMISSION_DENIED exactly when no grant admits the caller.
//
// The expectation is read from the option alone (Expected() below), not
// from common/auth, so the test checks the binary against the contract.
// Any other outcome (OK, NOT_FOUND, FAILED_PRECONDITION, INVALID_ARGUMENT,
// ABORTED, UNIMPLEMENTED) means the caller got past access control. An rpc
// that answers UNIMPLEMENTED to every caller has no handler yet (declared
// for a later issue): nothing is served, so there is nothing to enforce; it
// is listed in the test's output and checked as soon as a handler exists.
#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/auth/access.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/field_mask.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "tests/cases/cases_harness.h"

namespace ks::cases::testing {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

constexpr char kOwn[] = "64.01";      // every role token's scope
constexpr char kForeign[] = "64.02";  // outside it
constexpr char kOtherOffice[] = "bapas-samarinda";

// One cell's target: a handed-over case.
struct Target {
  std::string regency;
  bool handed_to_own_office = false;
  v1::Case c;
};

bool HasRole(const cv1::AccessGrant& g, auth::Role role) {
  if (role == auth::Role::ADMIN) return true;  // passes every role check
  for (int r : g.roles()) {
    if (r == auth::ProtoRole(role)) return true;
  }
  return false;
}

// What the access option declares for `role` (scope {kOwn}, agency of the
// handover office for PK_BAPAS and SERVICE) calling with a request in
// `regency`. `addresses_case`: the request names one case (a relation is
// decided on it); a List over a regency is admitted by the relation's role
// and filtered by the relation instead. `relation_holds`: the case was
// handed to the caller's office.
bool Expected(const cv1::AccessRule& rule, auth::Role role,
              const std::string& regency, bool addresses_case,
              bool relation_holds) {
  const bool in_scope = regency == kOwn;
  for (const cv1::AccessGrant& g : rule.grants()) {
    if (!HasRole(g, role)) continue;
    switch (g.scope()) {
      case cv1::ACCESS_SCOPE_RESOURCE_REGENCY:
      case cv1::ACCESS_SCOPE_PARENT_REGENCY:
        if (in_scope) return true;
        break;
      case cv1::ACCESS_SCOPE_DEPLOYMENT:
        return true;
      case cv1::ACCESS_SCOPE_CALLER:
        // Naming a regency outside the scope is PERMISSION_DENIED.
        if (in_scope) return true;
        break;
      case cv1::ACCESS_SCOPE_RELATION:
        // ADMIN is never on a relation grant; it enters through the
        // regency of the resource (access.proto).
        if (role == auth::Role::ADMIN) {
          if (in_scope) return true;
        } else if (!addresses_case || relation_holds) {
          return true;
        }
        break;
      default:
        break;
    }
  }
  return false;
}

// Sets the string at a dotted `path` of `m`, creating the messages on the
// way.
void SetStringAtPath(Message& m, const std::string& path,
                     const std::string& value) {
  std::vector<std::string> steps = absl::StrSplit(path, '.');
  Message* at = &m;
  for (size_t i = 0; i < steps.size(); ++i) {
    const FieldDescriptor* f = at->GetDescriptor()->FindFieldByName(steps[i]);
    ASSERT_NE(f, nullptr) << path;
    if (i + 1 == steps.size()) {
      ASSERT_EQ(f->type(), FieldDescriptor::TYPE_STRING) << path;
      at->GetReflection()->SetString(at, f, value);
    } else {
      at = at->GetReflection()->MutableMessage(at, f);
    }
  }
}

// The resource names of the cases contract: a visit is a child of its case
// (`.../cases/{case}/supervisionVisits/{visit}`); every other `name` is a
// case; a visit's `parent` is a case, every other `parent` a regency.
std::string NameFor(const MethodDescriptor& m, const std::string& path,
                    const Target& t) {
  const bool visit = absl::StrContains(m.input_type()->name(), "Visit");
  const bool parent = absl::EndsWith(path, "parent");
  if (visit) {
    return parent ? t.c.name() : t.c.name() + "/supervisionVisits/v0";
  }
  return parent ? "regencies/" + t.regency : t.c.name();
}

// The request fields whose resource name the grants check: each grant's
// field, and for a relation grant `name` (or `parent`), which the handler
// loads the resource from.
std::set<std::string> ResourceFields(const MethodDescriptor& m,
                                     const cv1::AccessRule& rule) {
  std::set<std::string> fields;
  for (const cv1::AccessGrant& g : rule.grants()) {
    std::string field = auth::GrantField(g);
    if (field.empty() && g.scope() == cv1::ACCESS_SCOPE_RELATION) {
      field = m.input_type()->FindFieldByName("name") ? "name" : "parent";
    }
    if (!field.empty()) fields.insert(field);
  }
  return fields;
}

// True when the request of `m` names the case (or a resource under it),
// rather than a regency.
bool AddressesCase(const MethodDescriptor& m, const cv1::AccessRule& rule,
                   const Target& t) {
  for (const std::string& field : ResourceFields(m, rule)) {
    if (absl::StartsWith(NameFor(m, field, t), t.c.name())) return true;
  }
  return false;
}

// The one request builder, reflective over the input type: the resource
// fields the grants name, the envelope (`request_id`, `etag`), every
// singular message field present (so the handler's "required" checks pass
// and the domain decides), a non-empty update mask, the regency filter of
// a feed, and a feed that ends (`stop_at_end`).
std::unique_ptr<Message> BuildRequest(const MethodDescriptor& m,
                                      const cv1::AccessRule& rule,
                                      const Target& t) {
  std::unique_ptr<Message> req(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(m.input_type())
          ->New());
  const google::protobuf::Reflection& r = *req->GetReflection();
  const google::protobuf::Descriptor& d = *m.input_type();
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor* f = d.field(i);
    if (f->type() == FieldDescriptor::TYPE_MESSAGE && !f->is_repeated()) {
      Message* sub = r.MutableMessage(req.get(), f);
      if (f->message_type()->full_name() == "google.protobuf.FieldMask") {
        static_cast<google::protobuf::FieldMask*>(sub)->add_paths(
            "person.phone_number");
      }
    } else if (f->name() == "request_id") {
      r.SetString(req.get(), f, NewRequestId());
    } else if (f->name() == "etag") {
      r.SetString(req.get(), f, t.c.etag());
    } else if (f->name() == "regency_codes") {
      r.AddString(req.get(), f, t.regency);
    } else if (f->name() == "stop_at_end") {
      r.SetBool(req.get(), f, true);
    }
  }
  for (const std::string& field : ResourceFields(m, rule)) {
    SetStringAtPath(*req, field, NameFor(m, field, t));
  }
  return req;
}

// Calls `method` with `request` as `token` over a generic stub (any rpc,
// unary or server-streaming), drains its answers and returns its status.
grpc::Status CallGeneric(grpc::GenericStub& stub, const std::string& method,
                         const Message& request, const std::string& token) {
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::ClientContext> ctx = CasesEnvironment::Ctx(token);
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(ctx.get(), method, &cq);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::Slice slice(request.SerializeAsString());
  grpc::ByteBuffer out(&slice, 1);
  if (ok) {
    call->WriteLast(out, grpc::WriteOptions(), reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
  }
  grpc::ByteBuffer in;
  while (true) {
    call->Read(&in, reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    if (!ok) break;
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class CasesAccessTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(/*with_feed=*/false); }
  void TearDown() override { env_.Stop(); }
  CasesEnvironment env_;
};

TEST_F(CasesAccessTest, EveryRpcRoleAndRegencyMatchesItsAccessOption) {
  v1::Cases::Stub& stub = *env_.stub_;
  // Four handed-over cases: own and foreign regency × handed to the role
  // tokens' office or another. env_.jaksa_ acts in both regencies.
  std::vector<Target> targets;
  int n = 0;
  for (const std::string regency : {kOwn, kForeign}) {
    for (bool own_office : {true, false}) {
      Target t;
      t.regency = regency;
      t.handed_to_own_office = own_office;
      t.c = HandOverTo(
          stub, env_.jaksa_,
          IssueOrder(stub, env_.jaksa_,
                     CreateCaseIn(stub, env_.jaksa_, regency,
                                  AdultCase(absl::StrCat(
                                      "7", n++, "/Pid.B/2026/PN Tgt")))),
          own_office ? kBapasOffice : kOtherOffice);
      ASSERT_FALSE(t.c.name().empty());
      targets.push_back(std::move(t));
    }
  }

  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::Cases::service_full_name());
  ASSERT_NE(service, nullptr);
  grpc::GenericStub generic(env_.channel_);
  std::vector<std::string> mismatches, matrix, unimplemented;
  int cells = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const MethodDescriptor& m = *service->method(i);
    const std::optional<cv1::AccessRule> rule = auth::RuleOf(m);
    ASSERT_TRUE(rule.has_value()) << m.full_name() << " has no access option";
    const std::string path =
        absl::StrCat("/", service->full_name(), "/", m.name());
    std::vector<std::string> rows;
    std::vector<std::string> method_mismatches;
    bool all_unimplemented = true;
    for (auth::Role role : auth::kAllRoles) {
      std::string row = absl::StrCat(m.name(), " ", auth::RoleName(role), ":");
      for (const Target& t : targets) {
        const bool expect =
            Expected(*rule, role, t.regency, AddressesCase(m, *rule, t),
                     t.handed_to_own_office);
        std::unique_ptr<Message> req = BuildRequest(m, *rule, t);
        const grpc::Status s =
            CallGeneric(generic, path, *req, env_.role_tokens_.at(role));
        ++cells;
        all_unimplemented &= s.error_code() == grpc::StatusCode::UNIMPLEMENTED;
        const bool admitted =
            s.error_code() != grpc::StatusCode::PERMISSION_DENIED;
        const std::string cell =
            absl::StrCat(t.regency == kOwn ? "own" : "foreign", "/",
                         t.handed_to_own_office ? "office" : "elsewhere");
        absl::StrAppend(&row, " ", cell, "=", admitted ? "Y" : "-",
                        expect ? "(Y)" : "(-)");
        if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
            s.error_code() == grpc::StatusCode::INTERNAL ||
            admitted != expect) {
          method_mismatches.push_back(absl::StrCat(
              m.name(), " as ", auth::RoleName(role), " on ", cell,
              ": expected ", expect ? "admitted" : "PERMISSION_DENIED",
              ", got ", s.error_code(), " ", s.error_message()));
        }
      }
      rows.push_back(row);
    }
    if (all_unimplemented) {
      unimplemented.push_back(m.name());
      continue;
    }
    matrix.insert(matrix.end(), rows.begin(), rows.end());
    mismatches.insert(mismatches.end(), method_mismatches.begin(),
                      method_mismatches.end());
  }
  // Every rpc × 7 roles × 4 targets was called.
  EXPECT_EQ(cells, service->method_count() *
                       static_cast<int>(std::size(auth::kAllRoles)) * 4);
  // The rpcs this binary serves are checked; a handler still missing is
  // reported here, and needs nothing but its handler to be checked too.
  std::cout << "rpcs without a handler yet (UNIMPLEMENTED to every caller): "
            << absl::StrJoin(unimplemented, ", ") << "\n";
  EXPECT_LT(unimplemented.size(),
            static_cast<size_t>(service->method_count()) / 2);
  // The implemented core is always checked.
  for (const char* core : {"CreateCase", "GetCase", "ListCases", "UpdateCase",
                           "GetCaseForExecution", "ListCaseHistory",
                           "StreamEvents", "TransferCase"}) {
    EXPECT_EQ(std::count(unimplemented.begin(), unimplemented.end(), core), 0)
        << core;
  }
  EXPECT_TRUE(mismatches.empty())
      << "cells where the binary and the access option disagree:\n  "
      << absl::StrJoin(mismatches, "\n  ")
      << "\nmatrix (got(expected), Y = admitted):\n  "
      << absl::StrJoin(matrix, "\n  ");
}

}  // namespace
}  // namespace ks::cases::testing
