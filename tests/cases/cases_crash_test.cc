// kill -9 of the real kerjasosial-cases binary during a burst of concurrent
// writes: every acknowledged write survives the restart, every case record
// has its CaseRegistered event in the feed, and no event lacks its record.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_split.h"
#include "tests/cases/cases_harness.h"

namespace ks::cases::testing {
namespace {

TEST(CasesCrashTest, KillDuringWriteBurstLosesNoAcknowledgedWrite) {
  CasesEnvironment env;
  env.Start(/*with_feed=*/false);

  constexpr int kThreads = 4;
  std::mutex mu;
  std::vector<std::string> acknowledged;  // names answered OK
  std::atomic<bool> stop{false};
  std::atomic<int> ok_count{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        v1::CreateCaseRequest req;
        req.set_parent("regencies/64.01");
        *req.mutable_case_data() =
            AdultCase(absl::StrCat("K", t, "-", i, "/Pid.B/2026/PN Tgt"));
        req.set_request_id(absl::StrCat("crash-", t, "-", i));
        v1::Case out;
        auto ctx = CasesEnvironment::Ctx(env.jaksa_);
        ctx->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(2));
        grpc::Status s = env.stub_->CreateCase(ctx.get(), req, &out);
        if (s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(out.name());
          ok_count.fetch_add(1);
        } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                   s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
          absl::SleepFor(absl::Milliseconds(20));  // the binary is gone
        } else {
          ADD_FAILURE() << s.error_code() << " " << s.error_message();
          return;
        }
      }
    });
  }
  // Kill while the burst is running (after some writes were acknowledged).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (ok_count.load() < 40 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_GE(ok_count.load(), 40);
  env.binary_->Signal(SIGKILL, absl::Seconds(5));
  absl::SleepFor(absl::Milliseconds(200));
  stop = true;
  for (std::thread& w : writers) w.join();

  env.StartBinary();
  std::vector<std::string> acked;
  {
    std::lock_guard<std::mutex> lock(mu);
    acked = acknowledged;
  }
  // Every acknowledged case is there, through the API.
  for (const std::string& name : acked) {
    v1::GetCaseRequest get;
    get.set_name(name);
    v1::Case c;
    grpc::Status s =
        env.stub_->GetCase(CasesEnvironment::Ctx(env.jaksa_).get(), get, &c);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    EXPECT_EQ(c.state(), v1::CASE_STATE_REGISTERED);
  }
  // Records and events match one to one, in the raw keyspace.
  std::set<std::string> records;
  absl::StatusOr<redis::Reply> keys =
      env.cases_pool_->Command({"KEYS", absl::StrCat(kCasesPrefix, "case:*")});
  ASSERT_TRUE(keys.ok());
  for (const redis::Reply& k : keys->elements) {
    // ks:{cases}:case:<regency>:<id>
    std::vector<std::string> parts = absl::StrSplit(k.str, ':');
    ASSERT_GE(parts.size(), 4u);
    records.insert(absl::StrCat("regencies/", parts[parts.size() - 2],
                                "/cases/", parts[parts.size() - 1]));
  }
  std::set<std::string> registered;
  for (const auto& [bytes, event] : env.FeedEntries()) {
    if (event.event_type() == "kerjasosial.cases.v1.CaseRegistered") {
      EXPECT_TRUE(registered.insert(event.aggregate_name()).second)
          << "two events for " << event.aggregate_name();
    }
  }
  EXPECT_EQ(records, registered);
  for (const std::string& name : acked) EXPECT_EQ(records.count(name), 1u);
  EXPECT_GE(records.size(), acked.size());
  // Each record has its audit entry too (one per registration).
  EXPECT_EQ(std::stoll(env.cases_redis_.Cli(
                absl::StrCat("XLEN ", kCasesPrefix, "audit:log"))),
            static_cast<int64_t>(records.size()));
  env.Stop();
}

}  // namespace
}  // namespace ks::cases::testing
