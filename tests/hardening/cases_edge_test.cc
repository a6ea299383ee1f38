// Issue #8 at the service edge: the real kerjasosial-cases binary, a real
// redis-server, a default gRPC client, as a partner system or an attacker
// would call it.
#include <dirent.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/ids/id.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "common/testing/http_get.h"
#include "common/testing/process.h"
#include "common/testing/unknown_methods.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/cases/cases_harness.h"

namespace ks::cases::testing {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::Eq;

// The metrics port the binary logged at start ("metrics_port":N).
int MetricsPort(const std::string& log) {
  std::smatch m;
  static const std::regex kPort("\"metrics_port\":([0-9]+)");
  int port = 0;
  if (std::regex_search(log, m, kPort)) {
    EXPECT_TRUE(absl::SimpleAtoi(m[1].str(), &port));
  }
  return port;
}

// The pid of the process whose command line holds `arg`, or "".
std::string PidWithArgument(const std::string& arg) {
  DIR* proc = opendir("/proc");
  std::string found;
  for (dirent* e = readdir(proc); e != nullptr && found.empty();
       e = readdir(proc)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    std::ifstream in(absl::StrCat("/proc/", pid, "/cmdline"));
    std::string cmdline((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
    for (size_t at = 0; at < cmdline.size();) {
      const size_t end = cmdline.find('\0', at);
      if (cmdline.substr(at, end - at) == arg) found = e->d_name;
      if (end == std::string::npos) break;
      at = end + 1;
    }
  }
  closedir(proc);
  return found;
}

long RssKib(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kib = -1;
      in >> kib;
      return kib;
    }
  }
  return -1;
}

class CasesEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(/*with_feed=*/false); }
  void TearDown() override { env_.Stop(); }

  v1::CreateCaseRequest Create(const v1::Case& c) {
    v1::CreateCaseRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(ids::NewId());
    *req.mutable_case_data() = c;
    return req;
  }

  grpc::Status CreateCase(const v1::Case& c) {
    v1::Case out;
    return env_.stub_->CreateCase(CasesEnvironment::Ctx(env_.jaksa_).get(),
                                  Create(c), &out);
  }

  CasesEnvironment env_;
};

TEST_F(CasesEdgeTest, TenThousandUnknownPathsLeaveMetricsAndLogsBounded) {
  const int metrics_port = MetricsPort(env_.binary_->ReadLog());
  ASSERT_GT(metrics_port, 0) << env_.binary_->ReadLog();
  const std::string pid =
      PidWithArgument(absl::StrCat("--listen=127.0.0.1:", env_.cases_port_));
  ASSERT_FALSE(pid.empty());
  const std::string address = absl::StrCat("127.0.0.1:", env_.cases_port_);
  // The first calls grow gRPC's own pools and arenas (~7 MB once, whatever
  // the count); what must not grow is the cost per path after that.
  constexpr int kWarmUp = 1000;
  ASSERT_EQ(ks::testing::CallUnknownMethods(address, kWarmUp), kWarmUp);
  const long rss_before = RssKib(pid);

  constexpr int kPaths = 10000;
  EXPECT_EQ(ks::testing::CallUnknownMethods(address, kPaths), kPaths);

  const std::string text = ks::testing::HttpGet(metrics_port, "/metrics");
  const long rss_after = RssKib(pid);
  // Before the fix: 20,000 paths made 54 MB of /metrics and +40 MB RSS
  // (unknown_methods_probe); after it, 3.8 KB and a flat RSS.
  EXPECT_LT(text.size(), 64u * 1024) << text.size();
  EXPECT_LT(rss_after - rss_before, 4 * 1024)
      << "RSS " << rss_before << " -> " << rss_after << " KiB";
  std::set<std::string> allowed = {"unknown"};
  const google::protobuf::ServiceDescriptor* cases =
      v1::CreateCaseRequest::descriptor()->file()->pool()->FindServiceByName(
          "kerjasosial.cases.v1.Cases");
  ASSERT_NE(cases, nullptr);
  for (int i = 0; i < cases->method_count(); ++i) {
    allowed.insert(
        absl::StrCat("/kerjasosial.cases.v1.Cases/", cases->method(i)->name()));
  }
  allowed.insert("/grpc.health.v1.Health/Check");
  allowed.insert("/grpc.health.v1.Health/Watch");
  for (const std::string& label : ks::testing::MethodLabels(text)) {
    EXPECT_EQ(allowed.count(label), 1u) << label;
  }
  EXPECT_NE(text.find("ks_rpc_total{code=\"UNIMPLEMENTED\",method=\"unknown\"} "
                      "11000\n"),
            std::string::npos);
  const std::string log = env_.binary_->ReadLog();
  for (const char* leak : {"Ratna", "6401054101900003", "Probe"}) {
    EXPECT_EQ(text.find(leak), std::string::npos) << leak;
    EXPECT_EQ(log.find(leak), std::string::npos) << leak;
  }
}

// Issue #8: a 1 MB case id made a 1 MB NOT_FOUND message, beyond what a
// default client accepts in trailers (it then sees RESOURCE_EXHAUSTED).
TEST_F(CasesEdgeTest, AMegabyteCaseIdGetsAShortError) {
  v1::GetCaseRequest req;
  req.set_name("regencies/64.01/cases/" + std::string(1 << 20, 'a'));
  v1::Case out;
  const grpc::Status s =
      env_.stub_->GetCase(CasesEnvironment::Ctx(env_.jaksa_).get(), req, &out);
  // The pipeline's generic field check refuses it by length (256 code
  // points for a resource name) before anything looks it up or quotes it.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_code();
  EXPECT_THAT(BadFields(s), ElementsAre("name"));
  EXPECT_LE(s.error_message().size(), kMaxGrpcErrorMessageBytes);
  EXPECT_LE(s.error_details().size(), kMaxGrpcErrorDetailsBytes);
}

TEST_F(CasesEdgeTest, AThreeMegabyteFilterIsAShortInvalidArgument) {
  v1::ListCasesRequest req;
  req.set_parent("regencies/64.01");
  req.set_filter("state = \"" + std::string(3 << 20, 'x') + "\"");
  v1::ListCasesResponse out;
  const grpc::Status s = env_.stub_->ListCases(
      CasesEnvironment::Ctx(env_.jaksa_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_code() << " " << s.error_message().substr(0, 200);
  EXPECT_THAT(BadFields(s), ElementsAre("filter"));
  EXPECT_LE(s.error_message().size(), kMaxGrpcErrorMessageBytes);
  EXPECT_LE(s.error_details().size(), kMaxGrpcErrorDetailsBytes);
}

// Fills the envelope of a request of any cases rpc (resource name or
// parent in 64.01, request id, etag), so that only the planted field is
// wrong.
void FillEnvelope(google::protobuf::Message& m) {
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* r = m.GetReflection();
  auto set = [&](const char* field, const std::string& value) {
    const google::protobuf::FieldDescriptor* f = d->FindFieldByName(field);
    if (f != nullptr &&
        f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        !f->is_repeated()) {
      r->SetString(&m, f, value);
    }
  };
  set("name", "regencies/64.01/cases/01hzzzzzzzzzzzzzzzzzzzzzzz");
  set("parent", "regencies/64.01");
  set("request_id", ids::NewId());
  set("etag", "v1");
}

// The dotted path of the first field of `type` (depth first, at most three
// levels down) that `want` accepts, writing it into `m` with `plant`.
using FieldPredicate =
    std::function<bool(const google::protobuf::FieldDescriptor*)>;
using FieldPlanter = std::function<void(
    google::protobuf::Message*, const google::protobuf::FieldDescriptor*)>;
std::string PlantFirst(google::protobuf::Message* m, const FieldPredicate& want,
                       const FieldPlanter& plant, int depth = 0) {
  const google::protobuf::Descriptor* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() || f->is_map()) continue;
    if (want(f)) {
      plant(m, f);
      return f->name();
    }
  }
  if (depth >= 3) return "";
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() ||
        f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE ||
        f->message_type()->file()->package().rfind("kerjasosial.", 0) != 0) {
      continue;
    }
    google::protobuf::Message* child = m->GetReflection()->MutableMessage(m, f);
    const std::string path = PlantFirst(child, want, plant, depth + 1);
    if (!path.empty()) return absl::StrCat(f->name(), ".", path);
    m->GetReflection()->ClearField(m, f);
  }
  return "";
}

// Calls `method` of the real binary with `request`'s bytes (a generic call,
// so every rpc of the service is reached the way a foreign client would).
grpc::Status CallRaw(grpc::Channel* channel, const std::string& token,
                     const std::string& method,
                     const google::protobuf::Message& request) {
  grpc::GenericStub stub(channel->shared_from_this());
  std::unique_ptr<grpc::ClientContext> ctx = CasesEnvironment::Ctx(token);
  const std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1), out;
  absl::Notification done;
  grpc::Status result;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &in, &out,
                 [&](grpc::Status s) {
                   result = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

// Issue #8: unknown enum values were stored (breach consequence 42, sex 9,
// court level 17, weekday 12) and lengths counted bytes. Every rpc of the
// service, over real gRPC: an out-of-range enum and an over-long string in
// the request are INVALID_ARGUMENT naming the field, whatever the rpc.
TEST_F(CasesEdgeTest, EveryRpcRefusesUnknownEnumsAndOverlongStringsByField) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "kerjasosial.cases.v1.Cases");
  ASSERT_NE(service, nullptr);
  int enum_rpcs = 0, string_rpcs = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* method = service->method(i);
    if (method->server_streaming() || method->client_streaming()) continue;
    const std::string path =
        absl::StrCat("/", service->full_name(), "/", method->name());
    std::unique_ptr<google::protobuf::Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());

    FillEnvelope(*request);
    const std::string enum_field = PlantFirst(
        request.get(),
        [](const google::protobuf::FieldDescriptor* f) {
          return f->cpp_type() ==
                 google::protobuf::FieldDescriptor::CPPTYPE_ENUM;
        },
        [](google::protobuf::Message* m,
           const google::protobuf::FieldDescriptor* f) {
          m->GetReflection()->SetEnumValue(m, f, 4242);
        });
    if (!enum_field.empty()) {
      ++enum_rpcs;
      const grpc::Status s =
          CallRaw(env_.channel_.get(), env_.jaksa_, path, *request);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << path << " " << enum_field << ": " << s.error_message();
      EXPECT_THAT(BadFields(s), ::testing::Contains(enum_field)) << path;
    }

    request->Clear();
    FillEnvelope(*request);
    const std::string string_field = PlantFirst(
        request.get(),
        [](const google::protobuf::FieldDescriptor* f) {
          return f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
                 f->name() != "name" && f->name() != "parent" &&
                 f->name() != "request_id" && f->name() != "etag";
        },
        [](google::protobuf::Message* m,
           const google::protobuf::FieldDescriptor* f) {
          std::string long_text;
          for (int k = 0; k < 5000; ++k) long_text += "\xc3\xa9";  // "é"
          m->GetReflection()->SetString(m, f, long_text);
        });
    if (!string_field.empty()) {
      ++string_rpcs;
      const grpc::Status s =
          CallRaw(env_.channel_.get(), env_.jaksa_, path, *request);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << path << " " << string_field << ": " << s.error_message();
      EXPECT_THAT(BadFields(s), ::testing::Contains(string_field)) << path;
      EXPECT_LE(s.error_message().size(), kMaxGrpcErrorMessageBytes);
    }
  }
  // The walk reached the rpcs it should (not a vacuous pass).
  EXPECT_GE(enum_rpcs, 5);
  EXPECT_GE(string_rpcs, 12);
}

// R10, KUHP Pasal 82: Rp5,000,000 is 100 hours at Rp50,000; 99 was accepted.
TEST_F(CasesEdgeTest, FineSubstituteHoursMustBeTheFineAtThePolicyRate) {
  v1::Case c = AdultCase("PN-TGT/PID/82/2026");
  v1::Sentence* s = c.mutable_sentence();
  s->set_basis(v1::SENTENCE_BASIS_FINE_SUBSTITUTE);
  s->set_imposed_prison_months(0);
  s->set_imposed_fine_rupiah(0);
  s->set_hours(99);
  v1::FineSubstitution* f = c.mutable_fine_substitution();
  f->set_fine_rupiah(5000000);
  f->set_rupiah_per_hour(50000);
  f->set_substitute_hours(99);
  const auto before = env_.CountsNow();
  grpc::Status st = CreateCase(c);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(st),
              ElementsAre("case_data.fine_substitution.substitute_hours"));
  EXPECT_NE(st.error_message().find("must be 100:"), std::string::npos)
      << st.error_message();
  EXPECT_TRUE(env_.CountsNow() == before);

  s->set_hours(100);
  f->set_substitute_hours(100);
  st = CreateCase(c);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST_F(CasesEdgeTest, BadValuesAreRefusedNamingTheField) {
  struct Row {
    const char* what;
    std::function<void(v1::Case&)> spoil;
    const char* field;
  };
  const std::vector<Row> rows = {
      {"blank name",
       [](v1::Case& c) { c.mutable_person()->set_full_name("  "); },
       "case_data.person.full_name"},
      {"NUL in name",
       [](v1::Case& c) {
         c.mutable_person()->set_full_name(std::string("Ratna\0K", 7));
       },
       "case_data.person.full_name"},
      {"born 1800",
       [](v1::Case& c) {
         *c.mutable_person()->mutable_birth_date() =
             DateOf(absl::CivilDay(1800, 1, 1));
       },
       "case_data.person.birth_date"},
      {"final in 2025",
       [](v1::Case& c) {
         *c.mutable_decision()->mutable_decided_date() =
             DateOf(absl::CivilDay(2025, 6, 1));
         *c.mutable_decision()->mutable_final_date() =
             DateOf(absl::CivilDay(2025, 6, 10));
         *c.mutable_offence()->mutable_offence_date() =
             DateOf(absl::CivilDay(2025, 1, 1));
       },
       "case_data.decision.final_date"},
  };
  const auto before = env_.CountsNow();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    v1::Case c = AdultCase(absl::StrCat("PN-TGT/PID/", row.what));
    row.spoil(c);
    const grpc::Status st = CreateCase(c);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(BadFields(st), ElementsAre(row.field)) << st.error_message();
  }
  EXPECT_TRUE(env_.CountsNow() == before);
  // 150 two-byte characters are 150 characters, not 300.
  v1::Case c = AdultCase("PN-TGT/PID/e150");
  std::string e150;
  for (int i = 0; i < 150; ++i) e150 += "\xC3\xA9";
  c.mutable_person()->set_full_name(e150);
  const grpc::Status st = CreateCase(c);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

// /metrics is plaintext HTTP without authentication: off loopback the binary
// refuses to start unless told --insecure, and says which flag.
TEST(CasesBinaryTest, RefusesMetricsOffLoopbackWithoutInsecure) {
  const std::string dir = ::testing::TempDir() + "ks_edge_" + ids::NewId();
  std::filesystem::create_directories(dir);
  const std::string tokens = dir + "/tokens.tsv";
  ASSERT_TRUE(
      auth::MintToken(tokens,
                      {"jaksa", "kejari-64.01", auth::Role::JAKSA, {"64.01"}})
          .ok());
  std::string output;
  const int code = ks::testing::RunCommand(
      absl::StrCat(KS_BIN_CASES, " --listen=127.0.0.1:0",
                   " --metrics_listen=0.0.0.0:0 --token_file=", tokens),
      &output);
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("--metrics_listen=0.0.0.0:0 is not a loopback"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("--insecure"), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ks::cases::testing
