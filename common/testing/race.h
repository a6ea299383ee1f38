// RunTogether: starts `n` threads, releases them at once (so their calls
// overlap as much as the scheduler allows) and joins them. The helper of
// every test that races identical or conflicting requests.
//
// Example:
//   std::vector<grpc::Status> status(12);
//   ks::testing::RunTogether(12, [&](int i) { status[i] = stub->Call(...); });
#ifndef KS_COMMON_TESTING_RACE_H_
#define KS_COMMON_TESTING_RACE_H_

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace ks::testing {

inline void RunTogether(int n, const std::function<void(int)>& body) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&go, &body, i] {
      while (!go.load()) std::this_thread::yield();
      body(i);
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();
}

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_RACE_H_
