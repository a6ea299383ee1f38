// The request pipeline over real gRPC and a real redis-server, through a
// test-only Widgets service (testdata/widget_service.proto) that has no rule
// of any kerjasosial service: only its keys and one unique claim.
#include "common/rpc/pipeline.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/token_file.h"
#include "common/ids/id.h"
#include "common/rpc/executor.h"
#include "common/status/grpc_status.h"
#include "common/testing/race.h"
#include "common/testing/redis_fixture.h"
#include "common/testing/service_binary.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "widget_service.grpc.pb.h"

namespace ks::rpc {
namespace {

namespace w1 = ::kerjasosial::testing::rpc::v1;

constexpr char kWidgetPattern[] = "regencies/{regency}/widgets/{widget}";

std::string RecordKey(const std::map<std::string, std::string>& vars) {
  return absl::StrCat("widget:", vars.at("regency"), ":", vars.at("widget"));
}

// Widgets: every handler is the pipeline plus the widget's keys.
class WidgetService final : public w1::Widgets::CallbackService {
 public:
  explicit WidgetService(const Pipeline& pipeline) : pipeline_(pipeline) {}

  grpc::ServerUnaryReactor* CreateWidget(grpc::CallbackServerContext* ctx,
                                         const w1::CreateWidgetRequest* req,
                                         w1::Widget* resp) override {
    return pipeline_.Unary(ctx, [=] {
      Envelope envelope{"parent", "regencies/{regency}"};
      envelope.checks = [req](Validator& v) {
        v.RequiredString("widget.label", req->widget().label());
      };
      MutationSteps<w1::Widget> steps;
      steps.plan = [req](
                       const Call& call,
                       const w1::Widget*) -> absl::StatusOr<Plan<w1::Widget>> {
        Plan<w1::Widget> plan;
        w1::Widget w = req->widget();
        std::map<std::string, std::string> vars = call.vars;
        vars["widget"] = ids::NewId();
        w.set_name(absl::StrCat("regencies/", vars["regency"], "/widgets/",
                                vars["widget"]));
        w.set_version(1);
        w.set_etag(outbox::Etag(1));
        plan.txn.records.push_back({RecordKey(vars), 0, w.SerializeAsString()});
        outbox::Conflict taken{
            "LABEL_TAKEN", "a widget has this label", {}, "widget"};
        plan.txn.records.push_back(
            {absl::StrCat("label:", w.label()), 0, w.name(), taken});
        kerjasosial::common::v1::Event e;
        e.set_event_type("WidgetCreated");
        e.set_aggregate_name(w.name());
        plan.txn.events.push_back(e);
        plan.txn.response = w.SerializeAsString();
        plan.audit_resource = w.name();
        return plan;
      };
      return Answer(
          pipeline_.Mutate(*ctx, "CreateWidget", *req, envelope, steps), resp);
    });
  }

  grpc::ServerUnaryReactor* RenameWidget(grpc::CallbackServerContext* ctx,
                                         const w1::RenameWidgetRequest* req,
                                         w1::Widget* resp) override {
    return pipeline_.Unary(ctx, [=] {
      MutationSteps<w1::Widget> steps;
      steps.load = [this](const Call& call) { return Load(call); };
      steps.version = [](const w1::Widget& w) { return w.version(); };
      steps.plan =
          [req](const Call& call,
                const w1::Widget* current) -> absl::StatusOr<Plan<w1::Widget>> {
        Plan<w1::Widget> plan;
        if (current->label() == req->label()) {
          // The domain's own refusal of the state a twin's commit made.
          return absl::FailedPreconditionError("the widget has this label");
        }
        w1::Widget w = *current;
        w.set_label(req->label());
        w.set_version(current->version() + 1);
        w.set_etag(outbox::Etag(w.version()));
        plan.txn.records.push_back(
            {RecordKey(call.vars), current->version(), w.SerializeAsString()});
        plan.txn.response = w.SerializeAsString();
        return plan;
      };
      // The etag is optional (compared when sent), as some contracts make
      // it: a twin without one is refused by the domain, not by the etag.
      Envelope envelope{"name", kWidgetPattern};
      envelope.etag_optional = true;
      return Answer(
          pipeline_.Mutate(*ctx, "RenameWidget", *req, envelope, steps), resp);
    });
  }

  grpc::ServerUnaryReactor* GetWidget(grpc::CallbackServerContext* ctx,
                                      const w1::GetWidgetRequest* req,
                                      w1::Widget* resp) override {
    return pipeline_.Unary(ctx, [=]() -> absl::Status {
      KS_ASSIGN_OR_RETURN(Call call,
                          pipeline_.Begin(*ctx, "GetWidget", *req,
                                          Envelope{"name", kWidgetPattern}));
      KS_ASSIGN_OR_RETURN(w1::Widget w, Load(call));
      auth::RelationFacts facts;
      facts.handover_office = w.lent_to();
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
      *resp = std::move(w);
      return absl::OkStatus();
    });
  }

 private:
  absl::StatusOr<w1::Widget> Load(const Call& call) const {
    absl::StatusOr<outbox::StoredRecord> r =
        pipeline_.writer().Get(RecordKey(call.vars));
    if (absl::IsNotFound(r.status())) {
      return absl::NotFoundError(absl::StrCat(call.resource, " not found"));
    }
    KS_RETURN_IF_ERROR(r.status());
    w1::Widget w;
    w.ParseFromString(r->data);
    w.set_version(r->version);
    w.set_etag(outbox::Etag(r->version));
    return w;
  }

  const Pipeline& pipeline_;
};

std::string Reason(const grpc::Status& s) {
  google::rpc::ErrorInfo info;
  return GetDetail(s, &info) ? info.reason() : "";
}
std::string Meta(const grpc::Status& s, const std::string& key) {
  google::rpc::ErrorInfo info;
  if (!GetDetail(s, &info)) return "";
  auto it = info.metadata().find(key);
  return it == info.metadata().end() ? "" : it->second;
}
std::vector<std::string> BadFields(const grpc::Status& s) {
  google::rpc::BadRequest bad;
  std::vector<std::string> out;
  if (GetDetail(s, &bad)) {
    for (const auto& v : bad.field_violations()) out.push_back(v.field());
  }
  return out;
}

// Parameter: run inline (false) or on an executor (true).
class PipelineTest : public ks::testing::RedisFixture,
                     public ::testing::WithParamInterface<bool> {
 protected:
  PipelineTest() : RedisFixture("ks:{widgets}:", "widgets-test") {}

  void SetUp() override {
    RedisFixture::SetUp();
    dir_ = ::testing::TempDir() + "ks_rpc_" + std::to_string(getpid()) + "_" +
           ids::NewId();
    std::filesystem::create_directories(dir_);
    const std::string tokens = dir_ + "/tokens.tsv";
    jaksa_ =
        Mint(tokens, {"jaksa-1", "kejari-64.01", auth::Role::JAKSA, {"64.01"}});
    pk_ = Mint(tokens, {"pk-1", "bapas-bpp", auth::Role::PK_BAPAS, {"71"}});
    absl::StatusOr<std::unique_ptr<auth::Authenticator>> a =
        auth::Authenticator::Create(tokens);
    ASSERT_TRUE(a.ok()) << a.status();
    auth_ = *std::move(a);
    PipelineOptions options;
    if (GetParam()) {
      executor_ = std::make_unique<Executor>(4, 256);
      options.executor = executor_.get();
    }
    pipeline_ = std::make_unique<Pipeline>(
        *auth_, writer(), "kerjasosial.testing.rpc.v1.Widgets", options);
    service_ = std::make_unique<WidgetService>(*pipeline_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = w1::Widgets::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
    executor_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static std::string Mint(const std::string& file, auth::Principal p) {
    return ks::testing::MintFor(file, p);
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return ks::testing::CallContext(token, absl::Seconds(20));
  }

  w1::CreateWidgetRequest CreateRequest(const std::string& label) {
    w1::CreateWidgetRequest req;
    req.set_parent("regencies/64.01");
    req.mutable_widget()->set_label(label);
    req.set_request_id(ids::NewId());
    return req;
  }

  w1::Widget Create(const std::string& label, const std::string& lent_to = "") {
    w1::CreateWidgetRequest req = CreateRequest(label);
    req.mutable_widget()->set_lent_to(lent_to);
    w1::Widget out;
    grpc::Status s = stub_->CreateWidget(Ctx(jaksa_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Sends `req` from 12 racers at once; every racer must get the winner's
  // answer (version 2).
  void ExpectEveryRacerGetsTheFirstAnswer(const w1::RenameWidgetRequest& req) {
    constexpr int kRacers = 12;
    std::vector<grpc::Status> status(kRacers);
    std::vector<w1::Widget> got(kRacers);
    ks::testing::RunTogether(kRacers, [&](int i) {
      status[i] = stub_->RenameWidget(Ctx(jaksa_).get(), req, &got[i]);
    });
    for (int i = 0; i < kRacers; ++i) {
      ASSERT_TRUE(status[i].ok()) << status[i].error_message();
      EXPECT_EQ(got[i].etag(), "v2");
    }
  }

  std::string dir_, jaksa_, pk_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<WidgetService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<w1::Widgets::Stub> stub_;
};

TEST_P(PipelineTest, RetryReplaysTheFirstAnswerAndWritesOnce) {
  w1::CreateWidgetRequest req = CreateRequest("a");
  w1::Widget first, second;
  ASSERT_TRUE(stub_->CreateWidget(Ctx(jaksa_).get(), req, &first).ok());
  const int64_t keys = KeyCount();
  ASSERT_TRUE(stub_->CreateWidget(Ctx(jaksa_).get(), req, &second).ok());
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(KeyCount(), keys);
  EXPECT_EQ(StreamLength(), 1);

  req.mutable_widget()->set_label("b");
  grpc::Status s = stub_->CreateWidget(Ctx(jaksa_).get(), req, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(KeyCount(), keys);
}

// Twelve identical requests at once, twenty rounds: every racer gets the
// first answer, and one widget exists per round.
TEST_P(PipelineTest, RacingIdenticalCreatesAllGetTheFirstAnswer) {
  constexpr int kRounds = 20, kRacers = 12;
  for (int round = 0; round < kRounds; ++round) {
    const w1::CreateWidgetRequest req =
        CreateRequest(absl::StrCat("race-", round));
    std::vector<grpc::Status> status(kRacers);
    std::vector<w1::Widget> got(kRacers);
    ks::testing::RunTogether(kRacers, [&](int i) {
      status[i] = stub_->CreateWidget(Ctx(jaksa_).get(), req, &got[i]);
    });
    for (int i = 0; i < kRacers; ++i) {
      ASSERT_TRUE(status[i].ok())
          << "round " << round << " racer " << i << ": "
          << status[i].error_code() << " " << status[i].error_message();
      EXPECT_EQ(got[i].SerializeAsString(), got[0].SerializeAsString());
    }
  }
  EXPECT_EQ(CliInt("EVAL \"return #redis.call('KEYS', ARGV[1])\" 0 "
                   "ks:{widgets}:widget:*"),
            kRounds);
  EXPECT_EQ(StreamLength(), kRounds);
}

// Racing renames with one request id: the losers' stale etag (caused by the
// winner) is answered with the winner's result.
TEST_P(PipelineTest, RacingIdenticalUpdatesAllGetTheFirstAnswer) {
  for (int round = 0; round < 10; ++round) {
    const w1::Widget w = Create(absl::StrCat("upd-", round));
    w1::RenameWidgetRequest req;
    req.set_name(w.name());
    req.set_etag(w.etag());
    req.set_label(absl::StrCat("renamed-", round));
    req.set_request_id(ids::NewId());
    ExpectEveryRacerGetsTheFirstAnswer(req);
  }
}

// Racing renames with one request id and no etag: a twin that loads after
// the winner's commit is refused by the domain rule (the label is already
// the requested one), and must still answer with the winner's result.
TEST_P(PipelineTest, RacingTwinRefusedByTheDomainGetsTheFirstAnswer) {
  for (int round = 0; round < 10; ++round) {
    const w1::Widget w = Create(absl::StrCat("dom-", round));
    w1::RenameWidgetRequest req;
    req.set_name(w.name());
    req.set_label(absl::StrCat("renamed-", round));
    req.set_request_id(ids::NewId());
    ExpectEveryRacerGetsTheFirstAnswer(req);
    // A later, new request for the same label is the domain's refusal.
    req.set_request_id(ids::NewId());
    w1::Widget again;
    EXPECT_EQ(stub_->RenameWidget(Ctx(jaksa_).get(), req, &again).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
}

TEST_P(PipelineTest, LostUniqueClaimIsClientSafeWithItsHolder) {
  const w1::Widget first = Create("unique");
  const int64_t keys = KeyCount();
  w1::Widget out;
  grpc::Status s =
      stub_->CreateWidget(Ctx(jaksa_).get(), CreateRequest("unique"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(s.error_message(), "a widget has this label");
  EXPECT_EQ(Reason(s), "LABEL_TAKEN");
  EXPECT_EQ(Meta(s, "widget"), first.name());
  EXPECT_EQ(KeyCount(), keys);
}

TEST_P(PipelineTest, StaleEtagIsAbortedWithTheCurrentEtag) {
  const w1::Widget w = Create("etag");
  w1::RenameWidgetRequest req;
  req.set_name(w.name());
  req.set_etag(w.etag());
  req.set_label("x");
  req.set_request_id(ids::NewId());
  w1::Widget out;
  ASSERT_TRUE(stub_->RenameWidget(Ctx(jaksa_).get(), req, &out).ok());
  req.set_request_id(ids::NewId());  // a new change on the old etag
  grpc::Status s = stub_->RenameWidget(Ctx(jaksa_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(s), "STALE_ETAG");
  EXPECT_EQ(Meta(s, "current_etag"), "v2");
  EXPECT_EQ(s.error_message(), absl::StrCat("stale etag: ", w.name(),
                                            " is at v2, request has v1"));
}

// The resource name is judged first (authorization reads its regency),
// then access, and only then the rest of the request: a caller without
// access learns nothing of the method's rules (AIP-211).
TEST_P(PipelineTest, NameThenAccessThenTheRestOfTheRequest) {
  w1::RenameWidgetRequest req;
  req.set_name("regencies/64.01/things/x");
  req.set_etag("seven");
  w1::Widget out;
  grpc::Status s = stub_->RenameWidget(Ctx(jaksa_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), (std::vector<std::string>{"name"}));

  req.set_name("regencies/64.01/widgets/x");
  s = stub_->RenameWidget(Ctx(pk_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  EXPECT_TRUE(BadFields(s).empty());

  s = stub_->RenameWidget(Ctx(jaksa_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), (std::vector<std::string>{"etag", "request_id"}));

  s = stub_->RenameWidget(Ctx("").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(PipelineTest, AccessOptionIsEnforcedWithRelations) {
  const w1::Widget lent = Create("lent", "bapas-bpp");
  const w1::Widget kept = Create("kept", "bapas-other");
  w1::Widget out;
  // The PK (scope 71) reads a 64.01 widget lent to its office: relation.
  w1::GetWidgetRequest get;
  get.set_name(lent.name());
  grpc::Status s = stub_->GetWidget(Ctx(pk_).get(), get, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), lent.name());
  get.set_name(kept.name());
  s = stub_->GetWidget(Ctx(pk_).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "BAPAS_OFFICE_REQUIRED");
  // The PK may not rename: ROLE_REQUIRED before anything is loaded.
  w1::RenameWidgetRequest rename;
  rename.set_name(lent.name());
  rename.set_etag(lent.etag());
  rename.set_label("x");
  rename.set_request_id(ids::NewId());
  s = stub_->RenameWidget(Ctx(pk_).get(), rename, &out);
  EXPECT_EQ(Reason(s), "ROLE_REQUIRED");
  // A JAKSA outside the regency.
  w1::CreateWidgetRequest foreign = CreateRequest("foreign");
  foreign.set_parent("regencies/71.01");
  const int64_t keys = KeyCount();
  s = stub_->CreateWidget(Ctx(jaksa_).get(), foreign, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "REGENCY_OUT_OF_SCOPE");
  EXPECT_EQ(KeyCount(), keys);
}

INSTANTIATE_TEST_SUITE_P(InlineAndExecutor, PipelineTest,
                         ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Executor" : "Inline";
                         });

}  // namespace
}  // namespace ks::rpc
