// Child processes for minnow_bench: each workload (and each sweep point) runs in a fresh copy of
// this program, so that its peak resident memory is its own. The child's output can be captured
// (and still echoed as it comes), so the parent can read the child's RESULT lines.
#pragma once

#include <spawn.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace bench {

// Runs /proc/self/exe with `args` (argv[1..]) and waits for it; returns its exit code. With
// `captured`, the child's stdout goes through a pipe: echoed to our stdout and appended there.
inline int spawn_self(const std::vector<std::string>& args, std::string* captured = nullptr) {
  std::vector<std::string> argv = {"/proc/self/exe"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargs;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  int fds[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (captured && pipe(fds) == 0) {
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
  }
  std::fflush(stdout);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (fds[1] >= 0) close(fds[1]);
  if (rc != 0) {
    std::fprintf(stderr, "minnow_bench: cannot start a child process\n");
    if (fds[0] >= 0) close(fds[0]);
    return 1;
  }
  if (fds[0] >= 0) {
    char chunk[4096];
    for (ssize_t got = 0; (got = read(fds[0], chunk, sizeof chunk)) > 0;) {
      std::fwrite(chunk, 1, size_t(got), stdout);
      std::fflush(stdout);
      captured->append(chunk, size_t(got));
    }
    close(fds[0]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// The key=value pairs of each "RESULT ..." line in `text`.
inline std::vector<std::map<std::string, std::string>> result_lines(const std::string& text) {
  std::vector<std::map<std::string, std::string>> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("RESULT ", 0) != 0) continue;
    std::istringstream words(line.substr(7));
    std::map<std::string, std::string> kv;
    for (std::string w; words >> w;)
      if (const size_t eq = w.find('='); eq != std::string::npos) kv[w.substr(0, eq)] = w.substr(eq + 1);
    out.push_back(kv);
  }
  return out;
}

}  // namespace bench
