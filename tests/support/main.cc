// main() of integration test binaries: GoogleTest with a private slapd (see
// test_directory.h).
#include <gtest/gtest.h>

#include "support/test_directory.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  danhba::testing::AddSlapdEnvironment();
  return RUN_ALL_TESTS();
}
