#include "common/rpc/executor.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace ks::rpc {
namespace {

TEST(ExecutorTest, RunsEveryAcceptedTaskAndRefusesBeyondTheQueue) {
  std::atomic<int> ran{0};
  absl::Notification release;
  {
    Executor executor(/*threads=*/1, /*queue_limit=*/2);
    absl::Notification started;
    ASSERT_TRUE(executor.Submit([&] {
      started.Notify();
      release.WaitForNotification();
      ++ran;
    }));
    started.WaitForNotification();  // the worker is busy, the queue empty
    EXPECT_TRUE(executor.Submit([&] { ++ran; }));
    EXPECT_TRUE(executor.Submit([&] { ++ran; }));
    EXPECT_FALSE(executor.Submit([&] { ++ran; }));  // queue full
    release.Notify();
  }  // the destructor drains the queue
  EXPECT_EQ(ran.load(), 3);
}

}  // namespace
}  // namespace ks::rpc
