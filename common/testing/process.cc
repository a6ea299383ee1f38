#include "common/testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ks::testing {

Process::Process(std::string path, std::vector<std::string> args,
                 std::vector<std::string> env)
    : path_(std::move(path)), args_(std::move(args)), env_(std::move(env)) {
  static int counter = 0;
  log_path_ = (std::filesystem::temp_directory_path() /
               absl::StrCat("ks-proc-", getpid(), "-", ++counter, ".log"))
                  .string();
}

Process::~Process() {
  if (running()) Signal(SIGKILL, absl::Seconds(5));
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

absl::Status Process::Start() {
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    // The test process may block signals for its own purposes; the child
    // must receive SIGTERM normally (its own main decides what to block).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const std::string& kv : env_) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path_.c_str()));
    for (auto& a : args_) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(path_.c_str(), argv.data());
    _exit(127);
  }
  pid_ = pid;
  return absl::OkStatus();
}

int Process::Signal(int sig, absl::Duration timeout) {
  if (!running()) return -1;
  kill(pid_, sig);
  absl::Time deadline = absl::Now() + timeout;
  int wstatus = 0;
  while (absl::Now() < deadline) {
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return wstatus;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &wstatus, 0);
  pid_ = -1;
  return -1;
}

void Process::Send(int sig) {
  if (running()) kill(pid_, sig);
}

std::string Process::ReadLog() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf;
  size_t n;
  output->clear();
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    output->append(buf.data(), n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace ks::testing
