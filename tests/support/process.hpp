// Running the dtwin binary from tests: sh() runs a command to completion and captures its
// output; Child starts a long-running one (serve, emulate) that dies with the test process
// (PR_SET_PDEATHSIG) and can be killed like a crash (SIGKILL) or stopped (SIGTERM).
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace dtwin::test {

struct Result {
  int status;       // exit status, -1 when killed by a signal
  std::string out;  // stdout and stderr together
};

inline Result sh_cmd(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

class Child {
 public:
  // argv[0] is the program; output goes to log_file
  Child(std::vector<std::string> argv, const std::string& log_file) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (std::FILE* f = std::fopen(log_file.c_str(), "w")) {
        ::dup2(fileno(f), 1);
        ::dup2(fileno(f), 2);
      }
      std::vector<char*> a;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      ::execv(a[0], a.data());
      ::_exit(127);
    }
  }
  ~Child() { kill(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // SIGKILL: gone without a word, as in a crash or a power cut
  void kill() { end(SIGKILL); }
  // SIGTERM, then the exit status (-1 when it died of a signal)
  int stop() { return end(SIGTERM); }
  bool running() const { return pid_ > 0; }

 private:
  int end(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  pid_t pid_ = -1;
};

}  // namespace dtwin::test
