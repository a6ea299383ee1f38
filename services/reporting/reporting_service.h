// The gRPC handlers of the reporting service
// (kerjasosial.reporting.v1.Reporting), run nationally. Each handler is the
// shared request pipeline (common/rpc: authenticate, envelope, authorize
// from the rpc's access option) plus reporting's own reads of precomputed
// aggregates (store/aggregate_store.h) — a fixed number of Redis reads per
// scope and bucket, whatever the number of cases.
//
// Upstreams are records committed through the outbox (idempotent by
// request_id, etag-checked); after each commit the UpstreamRunner follows
// (or stops following) the feed. At start every stored upstream is
// followed, then the upstreams of --upstreams_file that are not stored yet
// are created: the stored record (API) wins over the file, so an operator's
// change through the API survives a restart with an old file.
//
// Scope: NATIONAL_VIEWER and ADMIN read every scope; other roles read the
// regencies (and provinces) their principal may act in, PERMISSION_DENIED
// otherwise.
//
// Rebuilds run in place: live consumption stops, the aggregates and every
// upstream's cursor are cleared, and each feed is replayed from its start
// (an upstream that trimmed its feed answers with a snapshot). The figures
// therefore read low while a rebuild runs (DESIGN asks for a swap of fresh
// aggregates; not done yet). An upstream's replay is "done" once its stream
// is connected and its cursor stayed still for a second (the consumer cannot
// see the upstream's head).
//
// GetPublicSummary suppresses small cells (domain/suppression.h), over
// every scope at once, computed at most every 10 s.
//
// Thread-safe: handlers run on gRPC's threads and share only thread-safe
// members.
#ifndef KS_SERVICES_REPORTING_REPORTING_SERVICE_H_
#define KS_SERVICES_REPORTING_REPORTING_SERVICE_H_

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/rpc/pipeline.h"
#include "common/server/runtime.h"
#include "kerjasosial/reporting/v1/reporting_service.grpc.pb.h"
#include "services/reporting/domain/suppression.h"
#include "services/reporting/store/aggregate_store.h"
#include "services/reporting/upstream_runner.h"

namespace ks::reporting {

struct ReportingServiceOptions {
  // Upstream.credential_name -> bearer token.
  std::map<std::string, std::string> credentials;
  // PEM roots trusted for upstreams with use_tls (--upstream_ca_file).
  std::string ca_file;
  // Upstreams to create at start when not stored yet (--upstreams_file).
  std::vector<kerjasosial::reporting::v1::Upstream> configured;
  // Threads that follow all upstreams (--upstream_workers).
  int upstream_workers = UpstreamRunner::kDefaultWorkers;
};

class ReportingService final
    : public kerjasosial::reporting::v1::Reporting::CallbackService {
 public:
  ReportingService(server::Runtime& runtime, ReportingServiceOptions options);
  ~ReportingService() override;

  // Follows every stored upstream and creates the configured ones that are
  // not stored yet. Call once before serving.
  absl::Status Start();

  grpc::ServerUnaryReactor* GetNationalSummary(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::GetNationalSummaryRequest* req,
      kerjasosial::reporting::v1::Summary* resp) override;
  grpc::ServerUnaryReactor* GetProvinceSummary(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::GetProvinceSummaryRequest* req,
      kerjasosial::reporting::v1::Summary* resp) override;
  grpc::ServerUnaryReactor* GetRegencySummary(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::GetRegencySummaryRequest* req,
      kerjasosial::reporting::v1::Summary* resp) override;
  grpc::ServerUnaryReactor* ListRegencySummaries(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::ListRegencySummariesRequest* req,
      kerjasosial::reporting::v1::ListRegencySummariesResponse* resp) override;
  grpc::ServerUnaryReactor* ListProvinceSummaries(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::ListProvinceSummariesRequest* req,
      kerjasosial::reporting::v1::ListProvinceSummariesResponse* resp) override;
  grpc::ServerUnaryReactor* GetTimeSeries(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::GetTimeSeriesRequest* req,
      kerjasosial::reporting::v1::GetTimeSeriesResponse* resp) override;
  grpc::ServerUnaryReactor* CompareScopes(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::CompareScopesRequest* req,
      kerjasosial::reporting::v1::CompareScopesResponse* resp) override;
  grpc::ServerUnaryReactor* RankScopes(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::RankScopesRequest* req,
      kerjasosial::reporting::v1::RankScopesResponse* resp) override;
  grpc::ServerUnaryReactor* ListUpstreams(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::ListUpstreamsRequest* req,
      kerjasosial::reporting::v1::ListUpstreamsResponse* resp) override;
  grpc::ServerUnaryReactor* GetUpstream(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::GetUpstreamRequest* req,
      kerjasosial::reporting::v1::Upstream* resp) override;
  grpc::ServerUnaryReactor* CreateUpstream(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::CreateUpstreamRequest* req,
      kerjasosial::reporting::v1::Upstream* resp) override;
  grpc::ServerUnaryReactor* UpdateUpstream(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::UpdateUpstreamRequest* req,
      kerjasosial::reporting::v1::Upstream* resp) override;
  grpc::ServerUnaryReactor* DeleteUpstream(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::DeleteUpstreamRequest* req,
      google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* StartRebuild(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::StartRebuildRequest* req,
      kerjasosial::reporting::v1::Rebuild* resp) override;
  grpc::ServerUnaryReactor* GetRebuild(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::GetRebuildRequest* req,
      kerjasosial::reporting::v1::Rebuild* resp) override;
  grpc::ServerUnaryReactor* ListRebuilds(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::ListRebuildsRequest* req,
      kerjasosial::reporting::v1::ListRebuildsResponse* resp) override;
  grpc::ServerUnaryReactor* GetPublicSummary(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::reporting::v1::GetPublicSummaryRequest* req,
      kerjasosial::reporting::v1::PublicSummary* resp) override;

 private:
  // The summary of one scope ("N", "P:64", "R:64.01").
  absl::StatusOr<kerjasosial::reporting::v1::Summary> SummaryOf(
      const std::string& scope);
  absl::StatusOr<std::vector<kerjasosial::reporting::v1::Summary>> SummariesOf(
      const std::vector<std::string>& scopes);
  // One page of the summaries of `scopes` in `order_by` (summary_order.h),
  // with a page token of `token_kind` bound to `hash`.
  struct SummaryPage {
    std::vector<kerjasosial::reporting::v1::Summary> summaries;
    std::string next_page_token;
    int32_t total = 0;
  };
  absl::StatusOr<SummaryPage> PageOf(
      std::vector<std::string> scopes, const std::string& order_by,
      absl::string_view default_key, absl::string_view token_kind,
      const std::string& hash, const std::string& page_token, int64_t size);
  absl::StatusOr<std::vector<kerjasosial::reporting::v1::TimeSeries>> Series(
      const std::string& scope,
      const google::protobuf::RepeatedField<int>& metrics,
      kerjasosial::reporting::v1::Granularity g,
      const kerjasosial::common::v1::DateRange& range, std::optional<int> kind);
  absl::StatusOr<kerjasosial::reporting::v1::Upstream> LoadUpstream(
      const std::string& name) const;
  absl::StatusOr<std::vector<kerjasosial::reporting::v1::Upstream>>
  LoadAllUpstreams() const;
  absl::StatusOr<kerjasosial::reporting::v1::Upstream> DoCreateUpstream(
      const grpc::ServerContextBase* ctx,
      const kerjasosial::reporting::v1::CreateUpstreamRequest& req);

  // The background work of a rebuild (see StartRebuild in the .cc).
  void RunRebuild(std::string id, int64_t version,
                  kerjasosial::reporting::v1::Rebuild rebuild);
  absl::StatusOr<kerjasosial::reporting::v1::Rebuild> LoadRebuild(
      const std::string& name) const;
  bool RebuildRunning() const;

  // The public figures of every scope (GetPublicSummary), reused for
  // kPublicFiguresFor: a public page asks the nation and 38 provinces in a
  // row, which then costs one computation over 553 scopes, not 39; public
  // figures may lag that much.
  static constexpr absl::Duration kPublicFiguresFor = absl::Seconds(10);
  absl::StatusOr<std::shared_ptr<const PublicFigures>> CurrentPublicFigures();

  server::Runtime& runtime_;
  const ReportingServiceOptions options_;
  rpc::Pipeline pipeline_;
  store::AggregateStore aggregates_;
  UpstreamRunner runner_;
  absl::Mutex public_mu_;
  absl::Time public_at_ ABSL_GUARDED_BY(public_mu_) = absl::InfinitePast();
  std::shared_ptr<const PublicFigures> public_ ABSL_GUARDED_BY(public_mu_);
  mutable absl::Mutex rebuild_mu_;
  // The rebuild in progress ("" when none).
  std::string rebuild_running_ ABSL_GUARDED_BY(rebuild_mu_);
  bool stopping_ ABSL_GUARDED_BY(rebuild_mu_) = false;
  std::thread rebuild_thread_;
};

}  // namespace ks::reporting

#endif  // KS_SERVICES_REPORTING_REPORTING_SERVICE_H_
