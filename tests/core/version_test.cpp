#include "core/version.h"

#include <cstdio>
#include <string>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("minnow::version() is the project version of CMakeLists.txt, and CHANGELOG.md has its section", "[version]") {
  const std::string v = version();
  CHECK(v == MINNOW_PROJECT_VERSION);
  int major = -1, minor = -1, patch = -1;
  char rest = 0;
  CHECK(std::sscanf(v.c_str(), "%d.%d.%d%c", &major, &minor, &patch, &rest) == 3);  // major.minor.patch
  const std::string changelog = read_test_file("../CHANGELOG.md");
  CHECK(changelog.find("## [" + v + "] - ") != std::string::npos);
}
