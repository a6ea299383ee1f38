// Process runs a binary for an end-to-end test (a service under test) and
// kills it when destroyed. Output goes to a log file the test can read.
//
// Not thread-safe; owned by one test.
#ifndef KS_COMMON_TESTING_PROCESS_H_
#define KS_COMMON_TESTING_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ks::testing {

class Process {
 public:
  Process(std::string path, std::vector<std::string> args,
          std::vector<std::string> env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // fork + exec with stdout/stderr appended to log_path().
  absl::Status Start();
  // Sends `sig` and waits up to `timeout`; returns the exit status as
  // waitpid reports it, or -1 if the process did not end in time (it is then
  // killed).
  int Signal(int sig, absl::Duration timeout);
  // Sends `sig` without waiting (e.g. SIGHUP to reload).
  void Send(int sig);
  bool running() const { return pid_ > 0; }
  // The running process' id (e.g. to read /proc/<pid>), -1 if not running.
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  std::string ReadLog() const;

 private:
  std::string path_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// Runs a shell command, returning its exit code and (merged) output.
int RunCommand(const std::string& command, std::string* output);

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_PROCESS_H_
