// The integration test runner: starts one throwaway PostgreSQL (initdb into a temp dir, private
// unix socket; as the postgres user when run as root) for all tests, and stops it afterwards.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

namespace migsafe::test {
void start_server();
void stop_server();
}  // namespace migsafe::test

int main(int argc, char** argv) {
  try {
    migsafe::test::start_server();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot start the test PostgreSQL: %s\n", e.what());
    return 1;
  }
  int failed = Catch::Session().run(argc, argv);
  migsafe::test::stop_server();
  return failed;
}
