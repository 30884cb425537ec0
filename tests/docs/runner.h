// The harness of the documentation's code samples (scripts/doc_samples.py generates one
// translation unit per page; each sample registers itself here). docs/README.md, "Code samples",
// describes how to write a sample.
#pragma once

#include <initializer_list>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "minnow.h"
#include "plot/plot.h"  // the plotting module (minnow::plot), which minnow.h leaves out

namespace minnow_docs {

// One part of a sample: a ```cpp block (a sample that continues has several).
struct Part {
  long line;             // the line of the block's opening fence
  long expected_line;    // the line of its ```text block, 0 when it has none
  const char* expected;  // what the part must print, byte for byte; nullptr: not compared
};

// Marks where each part's output ends, and keeps a whole program's exit code.
class Recorder {
 public:
  void part_end();
  void part_end_at(long position) { ends_.push_back(position); }
  void exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }
  const std::vector<long>& ends() const { return ends_; }

 private:
  std::vector<long> ends_;
  int exit_code_ = 0;
};

using SampleFunction = void (*)(Recorder&);

// function: the sample is the body of `run`; program: a whole program, built as its own
// executable, which the runner starts; compile_only: compiled, never run.
enum class Kind { function, program, compile_only };

// A static object of each generated file: adds the sample to the list the runner knows.
struct Registration {
  Registration(const char* id, Kind kind, SampleFunction run, std::initializer_list<Part> parts);
};

}  // namespace minnow_docs
