// minnow_doc_samples: runs one code sample of the documentation and compares what it prints with
// the page's ```text blocks, byte for byte.
//
//   minnow_doc_samples --list                    every sample: id, line, parts, kind
//   minnow_doc_samples <page>#<n>                runs sample n of the page (ctest runs each so)
//   minnow_doc_samples <page>#<n> <executable>   the same for a whole program, built on its own
//
// A function sample's standard output (std::cout and fmt::print alike) is redirected into a
// temporary file while it runs; Recorder::part_end notes where each part's output ends. A whole
// program is started with popen and its output read from the pipe.
#include "docs/runner.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <sys/wait.h>

namespace minnow_docs {
namespace {

struct Sample {
  std::string page;
  Kind kind;
  SampleFunction run;
  std::vector<Part> parts;
};

std::map<std::string, Sample>& registry() {
  static std::map<std::string, Sample> samples;
  return samples;
}

long stdout_position() {
  std::cout.flush();
  std::fflush(stdout);
  return static_cast<long>(lseek(STDOUT_FILENO, 0, SEEK_CUR));
}

// The first line where a and b differ, both shown, with visible line ends.
std::string first_difference(const std::string& expected, const std::string& actual) {
  size_t line = 1, start = 0;
  for (size_t i = 0;; ++i) {
    const bool end_e = i >= expected.size(), end_a = i >= actual.size();
    if (end_e || end_a || expected[i] != actual[i]) {
      auto show = [&](const std::string& s) {
        if (start >= s.size()) return std::string("(end of output)");
        size_t e = s.find('\n', start);
        std::string l = s.substr(start, e == std::string::npos ? std::string::npos : e - start);
        return "'" + l + (e == std::string::npos ? "' (no line end)" : "'");
      };
      return fmt::format("first difference in output line {}, column {}:\n  expected {}\n  printed  {}", line,
                         i - start + 1, show(expected), show(actual));
    }
    if (expected[i] == '\n') ++line, start = i + 1;
  }
}

// Runs a function sample with its output captured; returns the output, fills `error`.
std::string capture_function(const Sample& s, Recorder& rec, std::string& error) {
  std::FILE* capture = std::tmpfile();
  if (capture == nullptr) {
    error = "cannot create a temporary file";
    return "";
  }
  std::cout.flush();
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  dup2(fileno(capture), STDOUT_FILENO);
  try {
    s.run(rec);
  } catch (const std::exception& e) {
    error = std::string("the sample threw: ") + e.what();
  } catch (...) {
    error = "the sample threw an exception that is not a std::exception";
  }
  const long end = stdout_position();
  dup2(saved, STDOUT_FILENO);
  close(saved);
  std::string out(static_cast<size_t>(end), '\0');
  std::rewind(capture);
  out.resize(std::fread(out.data(), 1, out.size(), capture));
  std::fclose(capture);
  return out;
}

// Runs a whole program and returns what it printed on its standard output.
std::string capture_program(const std::string& path, Recorder& rec, std::string& error) {
  std::FILE* pipe = popen(("'" + path + "'").c_str(), "r");
  if (pipe == nullptr) {
    error = "cannot start " + path;
    return "";
  }
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  rec.exit_code(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
  std::cout.flush();
  std::fflush(stdout);
  return out;
}

int run_sample(const std::string& id, const Sample& s, const std::string& program) {
  if (s.kind == Kind::compile_only) {
    fmt::print("{}: compile-only, compiled and not run\n", id);
    return 0;
  }
  if (s.kind == Kind::program && program.empty()) {
    fmt::print(stderr, "{} is a whole program: give its executable as the second argument\n", id);
    return 2;
  }
  Recorder rec;
  std::string error;
  std::string out;
  if (s.kind == Kind::program) {
    out = capture_program(program, rec, error);
    rec.part_end_at(static_cast<long>(out.size()));
  } else {
    out = capture_function(s, rec, error);
  }

  if (!error.empty()) {
    fmt::print("{}:{}: {}\nIt printed:\n{}", s.page, s.parts[0].line, error, out);
    return 1;
  }
  if (rec.exit_code() != 0) {
    fmt::print("{}:{}: main() returned {}\nIt printed:\n{}", s.page, s.parts[0].line, rec.exit_code(), out);
    return 1;
  }
  if (rec.ends().size() != s.parts.size()) {
    fmt::print("{}:{}: {} parts ended, {} expected\n", s.page, s.parts[0].line, rec.ends().size(), s.parts.size());
    return 1;
  }
  int failures = 0;
  long begin = 0;
  for (size_t i = 0; i < s.parts.size(); ++i) {
    const Part& p = s.parts[i];
    const long stop = rec.ends()[i];
    const std::string printed = out.substr(size_t(begin), size_t(stop - begin));
    begin = stop;
    if (p.expected == nullptr) {
      fmt::print("{}:{}: ran (output not compared)\n", s.page, p.line);
      continue;
    }
    if (printed == p.expected) {
      fmt::print("{}:{}: printed exactly the ```text block at line {}\n", s.page, p.line, p.expected_line);
      continue;
    }
    ++failures;
    fmt::print("{}:{}: the output differs from the ```text block at line {}; {}\n--- expected\n{}--- printed\n{}---\n",
               s.page, p.line, p.expected_line, first_difference(p.expected, printed), p.expected, printed);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

void Recorder::part_end() { ends_.push_back(stdout_position()); }

Registration::Registration(const char* id, Kind kind, SampleFunction run, std::initializer_list<Part> parts) {
  std::string page(id);
  page = page.substr(0, page.rfind('#'));
  registry().emplace(id, Sample{page, kind, run, std::vector<Part>(parts)});
}

}  // namespace minnow_docs

int main(int argc, char** argv) {
  using namespace minnow_docs;
  const std::string arg = argc > 1 ? argv[1] : "";
  if (argc < 2 || argc > 3 || arg == "--help") {
    fmt::print("usage: minnow_doc_samples --list | <page>#<n> [program executable]\n");
    return arg == "--help" ? 0 : 2;
  }
  if (arg == "--list") {
    for (const auto& [id, s] : registry())
      fmt::print("{}  line {}  {} part(s)  {}\n", id, s.parts[0].line, s.parts.size(),
                 s.kind == Kind::program        ? "program"
                 : s.kind == Kind::compile_only ? "compile-only"
                                                : "function");
    return 0;
  }
  auto it = registry().find(arg);
  if (it == registry().end()) {
    fmt::print(stderr, "no sample '{}' (minnow_doc_samples --list shows them)\n", arg);
    return 2;
  }
  return run_sample(it->first, it->second, argc == 3 ? argv[2] : "");
}
