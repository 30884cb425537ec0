// A tiny program built against the installed minnow package: builds the README's model, prints
// its summary and checks its parameter count, its diagram's DOT text and the library's version. Exits 0 when all is
// well.
#include <cstring>
#include <iostream>
#include <minnow/diagram/plot_model.h>  // the minnow::diagram target
#include <minnow/layers/dense.h>        // a single header, as <fmt/format.h>
#include <minnow/minnow.h>

int main() {
  using namespace minnow;
  auto inputs = Input({30});
  auto x = Dense(50)(inputs);
  auto bn = BatchNormalization()(x);
  auto outputs = Dense(5)(bn);
  Model model(inputs, outputs);
  model.summary(std::cout);
  // The same numbers as Keras: 30*50 + 50, 4*50, 50*5 + 5.
  if (model.count_params() != 2005) {
    std::cerr << "expected 2005 parameters, got " << model.count_params() << "\n";
    return 1;
  }
  if (to_dot(model).find("\"dense\" -> \"batch_normalization\"") == std::string::npos) {
    std::cerr << "to_dot lacks the edge from dense to batch_normalization:\n" << to_dot(model);
    return 1;
  }
  if (std::strcmp(version(), EXPECTED_VERSION) != 0) {
    std::cerr << "minnow::version() is " << version() << ", the package says " << EXPECTED_VERSION << "\n";
    return 1;
  }
  std::cout << "minnow " << version() << ": consumer OK\n";
  return 0;
}
