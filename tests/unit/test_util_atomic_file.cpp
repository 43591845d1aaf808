#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/atomic_file.hpp"
#include "util/file_reader.hpp"
#include "util/temp_dir.hpp"

using namespace migsafe::util;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("AtomicFile appears under its name only on commit, owner-only", "[atomic_file]") {
  TempDir dir("migsafe-test-");
  const fs::path target = dir.path() / "out.bin";
  AtomicFile file(target);
  CHECK(file.partial_path() == dir.path() / "out.bin.partial");
  file.write("hello ");
  file.write("world");
  CHECK(mode_of(file.partial_path()) == 0600);
  CHECK_FALSE(fs::exists(target));
  CHECK(file.bytes_written() == 11);
  file.commit();
  CHECK(slurp(target) == "hello world");
  CHECK(mode_of(target) == 0600);
  CHECK_FALSE(fs::exists(file.partial_path()));
  CHECK_THROWS_AS(file.write("more"), std::logic_error);
}

TEST_CASE("AtomicFile destroyed without commit leaves nothing", "[atomic_file]") {
  TempDir dir("migsafe-test-");
  {
    AtomicFile file(dir.path() / "out.bin");
    file.write("half");
  }
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("AtomicFile is 0600 while written and gets its mode on commit", "[atomic_file]") {
  TempDir dir("migsafe-test-");
  const mode_t old_umask = ::umask(0);  // a lax umask must not widen the partial file
  AtomicFile file(dir.path() / "shared.txt", 0644);
  ::umask(old_umask);
  CHECK(mode_of(file.partial_path()) == 0600);
  file.commit();
  CHECK(mode_of(dir.path() / "shared.txt") == 0644);
}

TEST_CASE("AtomicFile replaces an existing file in one step", "[atomic_file]") {
  TempDir dir("migsafe-test-");
  const fs::path target = dir.path() / "m.json";
  std::ofstream(target) << "old";
  AtomicFile file(target);
  file.write("new");
  CHECK(slurp(target) == "old");
  file.commit();
  CHECK(slurp(target) == "new");
}

TEST_CASE("AtomicFile refuses a partial file that is already there", "[atomic_file]") {
  TempDir dir("migsafe-test-");
  AtomicFile first(dir.path() / "x");
  CHECK_THROWS_WITH(AtomicFile(dir.path() / "x"),
                    Catch::Contains("x.partial") && Catch::Contains("File exists"));
  first.write("still mine");
  first.commit();
  CHECK(slurp(dir.path() / "x") == "still mine");
}

TEST_CASE("AtomicFile errors name the file and the system's reason", "[atomic_file]") {
  TempDir dir("migsafe-test-");
  CHECK_THROWS_WITH(
      AtomicFile(dir.path() / "missing" / "x"),
      Catch::Contains("missing/x.partial") && Catch::Contains("No such file or directory"));

  // A file size limit makes write() fail with EFBIG, as a full disk fails with ENOSPC.
  struct rlimit old_limit {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 65536;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  {
    AtomicFile file(dir.path() / "big");
    CHECK_THROWS_WITH(file.write(std::string(200000, 'x')),
                      Catch::Contains("big.partial") && Catch::Contains("File too large"));
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("FileReader reads a file in chunks and copies share the position", "[file_reader]") {
  TempDir dir("migsafe-test-");
  std::ofstream(dir.path() / "f") << "abcdefghij";
  FileReader reader(dir.path() / "f");
  FileReader copy = reader;
  char buffer[4];
  CHECK(reader.read(buffer, 4) == 4);
  CHECK(std::string(buffer, 4) == "abcd");
  CHECK(copy(buffer, 4) == 4);
  CHECK(std::string(buffer, 4) == "efgh");
  CHECK(reader.read(buffer, 4) == 2);
  CHECK(reader.read(buffer, 4) == 0);
  CHECK_THROWS_WITH(FileReader(dir.path() / "nope"),
                    Catch::Contains("nope") && Catch::Contains("No such file"));
}
