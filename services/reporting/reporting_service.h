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
// GetPublicSummary suppresses small cells (domain/suppression.h).
//
// Not implemented yet (UNIMPLEMENTED with a message):
// StartRebuild/GetRebuild/ListRebuilds.
//
// Thread-safe: handlers run on gRPC's threads and share only thread-safe
// members.
#ifndef KS_SERVICES_REPORTING_REPORTING_SERVICE_H_
#define KS_SERVICES_REPORTING_REPORTING_SERVICE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/rpc/pipeline.h"
#include "common/server/runtime.h"
#include "kerjasosial/reporting/v1/reporting_service.grpc.pb.h"
#include "services/reporting/store/aggregate_store.h"
#include "services/reporting/upstream_runner.h"

namespace ks::reporting {

struct ReportingServiceOptions {
  // Upstream.credential_name -> bearer token.
  std::map<std::string, std::string> credentials;
  // Upstreams to create at start when not stored yet (--upstreams_file).
  std::vector<kerjasosial::reporting::v1::Upstream> configured;
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

  server::Runtime& runtime_;
  const ReportingServiceOptions options_;
  rpc::Pipeline pipeline_;
  store::AggregateStore aggregates_;
  UpstreamRunner runner_;
};

}  // namespace ks::reporting

#endif  // KS_SERVICES_REPORTING_REPORTING_SERVICE_H_
