// The stepper's two front ends: a script of keys (plain text out, for tests and docs) and a
// terminal read one key at a time in raw mode.
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "tools/stepper.h"

namespace minnow {

std::vector<std::string> split_keys(const std::string& keys) {
  std::vector<std::string> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    const char c = keys[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == ';') continue;
    if (c != 'p') {
      out.emplace_back(1, c);
      continue;
    }
    const size_t end = keys.find(';', i);
    std::string arg = keys.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
    arg.erase(0, arg.find_first_not_of(' '));
    arg.erase(arg.find_last_not_of(' ') + 1);
    out.push_back(arg.empty() ? "p" : "p " + arg);
    if (end == std::string::npos) break;
    i = end;
  }
  return out;
}

std::string run_script(Stepper& stepper, const std::string& keys) {
  std::string out;
  for (const std::string& command : split_keys(keys)) {
    out += "step> " + command + "\n" + stepper.run(command);
    if (stepper.quit()) break;
  }
  return out;
}

// ---- the terminal ---------------------------------------------------------------------------

namespace {

// The terminal's settings before raw mode, put back on every way out (a signal included).
struct termios g_saved;
int g_fd = -1;

void restore_terminal() {
  if (g_fd >= 0) tcsetattr(g_fd, TCSAFLUSH, &g_saved);
}

extern "C" void on_signal(int sig) {
  restore_terminal();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void write_all(int fd, const std::string& s) {
  for (size_t done = 0; done < s.size();) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += size_t(n);
  }
}

// Raw mode: one key at a time (no line buffering), no echo; Ctrl-C still interrupts (ISIG) and
// output keeps its newline translation (OPOST).
void set_raw(int fd) {
  struct termios raw = g_saved;
  raw.c_lflag &= ~tcflag_t(ICANON | ECHO);
  raw.c_cc[VMIN] = 1, raw.c_cc[VTIME] = 0;
  tcsetattr(fd, TCSANOW, &raw);
}

bool enter_raw_mode(int fd) {
  if (isatty(fd) != 1 || tcgetattr(fd, &g_saved) != 0) return false;
  g_fd = fd;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_signal);
  set_raw(fd);
  return true;
}

// p's argument: on a terminal, a line read with the terminal's own editing and echo (canonical
// mode for a moment); from a pipe, the rest of the line.
std::string read_line(int fd, bool raw) {
  if (raw) tcsetattr(fd, TCSANOW, &g_saved);
  std::string s;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') s += c;
  if (raw) set_raw(fd);
  return s;
}

}  // namespace

int run_terminal(Stepper& stepper, int in_fd, int out_fd) {
  const bool raw = enter_raw_mode(in_fd);
  write_all(out_fd, "One training step, piece by piece: h lists the keys, q quits.\n" + stepper.status() + "\n");
  char c = 0;
  while (!stepper.quit()) {
    write_all(out_fd, "step> ");
    if (::read(in_fd, &c, 1) != 1) break;
    if (c == '\n' || c == '\r' || c == ' ') {
      write_all(out_fd, "\n");
      continue;
    }
    std::string command(1, c);
    write_all(out_fd, command);
    if (c == 'p') {
      write_all(out_fd, " ");
      command += ' ';
      command += read_line(in_fd, raw);
      if (!raw) write_all(out_fd, "\n");
    } else {
      write_all(out_fd, "\n");
    }
    write_all(out_fd, stepper.run(command));
  }
  restore_terminal();
  g_fd = -1;
  return 0;
}

}  // namespace minnow
