// Runs the bn_paper_figure1 example (built next to the tests: build/<preset>/examples/) with small
// flags and checks what it writes. Skipped, with the reason printed, when the example was not
// built or Fashion-MNIST is not installed.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.h"

using namespace minnow;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string field; std::getline(ss, field, ',');) out.push_back(field);
  return out;
}

}  // namespace

TEST_CASE("bn_paper_figure1 writes the figure's CSV and the BN network's test loss decreases", "[examples]") {
  const fs::path exe = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "bn_paper_figure1";
  if (!fs::exists(exe)) {
    WARN("skipped: " << exe << " was not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  const std::string data = default_fashion_mnist_dir();
  const fs::path labels = fs::path(data) / "t10k-labels-idx1-ubyte";
  if (!fs::exists(labels) && !fs::exists(labels.string() + ".gz")) {
    WARN("skipped: Fashion-MNIST is not installed in " << data << " (Debian package dataset-fashion-mnist)");
    return;
  }
  const fs::path out = fs::temp_directory_path() / "minnow_test_bn_paper_figure1";
  fs::remove_all(out);
  const fs::path log = fs::temp_directory_path() / "minnow_test_bn_paper_figure1.log";
  const std::string command = "'" + exe.string() + "' --steps 20 --limit 600 --test-size 1000 --eval-every 10 " +
                              "--no-trace --out '" + out.string() + "' > '" + log.string() + "' 2>&1";
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);

  std::ifstream csv(out / "figure1.csv");
  REQUIRE(csv.good());
  std::string line;
  std::getline(csv, line);
  CHECK(line == "step,accuracy_without_bn,accuracy_with_bn,loss_without_bn,loss_with_bn,"
                "p15_without_bn,p50_without_bn,p85_without_bn,p15_with_bn,p50_with_bn,p85_with_bn");
  std::vector<std::vector<std::string>> rows;
  while (std::getline(csv, line)) rows.push_back(split(line));
  REQUIRE(rows.size() == 3);  // steps 0, 10, 20
  for (size_t i = 0; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 11);
    CHECK(std::stol(rows[i][0]) == long(10 * i));
    for (size_t k = 1; k < 3; ++k) CHECK((std::stod(rows[i][k]) >= 0 && std::stod(rows[i][k]) <= 1));
    CHECK(std::stod(rows[i][5]) <= std::stod(rows[i][6]));  // p15 <= p50 <= p85
    CHECK(std::stod(rows[i][6]) <= std::stod(rows[i][7]));
  }
  // Same start: the two networks' Dense weights are equal before training, and BatchNormalization
  // with its initial moving statistics (mean 0, variance 1) is nearly the identity in inference.
  CHECK(std::stod(rows[0][3]) == Approx(std::stod(rows[0][4])).epsilon(1e-3));
  CHECK(std::stod(rows[2][4]) < std::stod(rows[0][4]));  // the BN network learned
  CHECK(fs::file_size(out / "figure1.png") > 1000);
  fs::remove_all(out);
}
