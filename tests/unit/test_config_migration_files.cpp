#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "config/migration_files.hpp"
#include "core/error.hpp"
#include "util/sha256.hpp"

namespace fs = std::filesystem;
using migsafe::config::MigrationFile;
using migsafe::config::parse_migration_name;
using migsafe::config::scan_migrations;
using migsafe::config::version_less;

namespace {

// A fresh directory under the system's temp directory, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "migsafe-migrations-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  // Writes `content` to the file `name` in the directory.
  fs::path write(const std::string& name, const std::string& content = "select 1;\n") const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return path_ / name;
  }

 private:
  fs::path path_;
};

std::vector<std::string> versions(const std::vector<MigrationFile>& files) {
  std::vector<std::string> out;
  for (const MigrationFile& file : files) out.push_back(file.version);
  return out;
}

// The message of the usage error `scan_migrations(dir)` throws.
std::string scan_error(const fs::path& dir) {
  try {
    scan_migrations(dir);
  } catch (const migsafe::Error& error) {
    CHECK(error.code() == migsafe::Exit::usage);
    return error.what();
  }
  FAIL("scan_migrations did not throw");
  return "";
}

}  // namespace

TEST_CASE("parse_migration_name follows the Supabase CLI pattern", "[migration_files]") {
  auto parsed = parse_migration_name("20240101120000_create_todos.sql");
  REQUIRE(parsed);
  CHECK(parsed->version == "20240101120000");
  CHECK(parsed->name == "create_todos");
  CHECK(parse_migration_name("1_a_b.sql")->name == "a_b");
  CHECK(parse_migration_name("1_.sql")->name.empty());
  CHECK(parse_migration_name("1_with space.sql")->name == "with space");
}

TEST_CASE("parse_migration_name rejects other names", "[migration_files]") {
  for (const char* name : {"create.sql", "_a.sql", "1a_b.sql", "1.sql", "1_a.SQL", "1_a.sql.bak",
                           "1-a.sql", "v1_a.sql", "1_a\nb.sql"}) {
    INFO(name);
    CHECK_FALSE(parse_migration_name(name));
  }
}

TEST_CASE("version_less compares numerically", "[migration_files]") {
  CHECK(version_less("9", "10"));
  CHECK_FALSE(version_less("10", "9"));
  CHECK(version_less("20230101000000", "20240101000000"));
  CHECK(version_less("09", "10"));
  CHECK(version_less("01", "1"));  // equal numbers: the text decides, so the order is total
  CHECK_FALSE(version_less("1", "01"));
  CHECK_FALSE(version_less("5", "5"));
}

TEST_CASE("scan_migrations reads and sorts migrations by number", "[migration_files]") {
  ScratchDir dir;
  dir.write("10_b.sql", "create table b();\n");
  dir.write("9_a.sql", "create table a();\n");
  dir.write("100_c.sql");
  std::vector<MigrationFile> files = scan_migrations(dir.path());
  CHECK(versions(files) == std::vector<std::string>{"9", "10", "100"});
  CHECK(files[0].name == "a");
  CHECK(files[0].path == dir.path() / "9_a.sql");
  CHECK(files[0].sql == "create table a();\n");
  CHECK(files[1].checksum == migsafe::util::sha256_hex("create table b();\n"));
}

TEST_CASE("scan_migrations keeps the raw bytes and hashes them", "[migration_files]") {
  ScratchDir dir;
  std::string bytes("\xEF\xBB\xBFselect 'caf\xC3\xA9';\r\n");
  dir.write("1_binary.sql", bytes);
  std::vector<MigrationFile> files = scan_migrations(dir.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].sql == bytes);
  CHECK(files[0].checksum == migsafe::util::sha256_hex(bytes));
  CHECK(files[0].checksum.size() == 64);
}

TEST_CASE("scan_migrations refuses NUL bytes and invalid UTF-8 with line and column", "[migration_files]") {
  ScratchDir dir;
  dir.write("1_nul.sql", std::string("select 1;\r\nselect\0 2;", 21));
  dir.write("2_latin1.sql", "select 'caf\xe9';");
  try {
    scan_migrations(dir.path());
    FAIL("expected an error");
  } catch (const migsafe::Error& e) {
    CHECK(e.code() == migsafe::Exit::usage);
    CHECK(std::string(e.what()).find("1_nul.sql:2:7: contains a NUL byte") != std::string::npos);
    CHECK(std::string(e.what()).find("2_latin1.sql:1:12: invalid UTF-8 (byte 0xe9)") != std::string::npos);
  }
}

TEST_CASE("scan_migrations ignores hidden files, directories and other files",
          "[migration_files]") {
  ScratchDir dir;
  dir.write("1_a.sql");
  dir.write(".2_hidden.sql");
  dir.write(".DS_Store");
  dir.write("README.md");
  dir.write("3_b.sql.bak");
  fs::create_directory(dir.path() / "4_dir.sql");
  fs::create_directory(dir.path() / "archive");
  dir.write("archive/bad.sql");
  CHECK(versions(scan_migrations(dir.path())) == std::vector<std::string>{"1"});
}

TEST_CASE("scan_migrations of an empty directory is empty", "[migration_files]") {
  ScratchDir dir;
  CHECK(scan_migrations(dir.path()).empty());
}

TEST_CASE("scan_migrations allows an empty name part", "[migration_files]") {
  ScratchDir dir;
  dir.write("5_.sql");
  std::vector<MigrationFile> files = scan_migrations(dir.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].version == "5");
  CHECK(files[0].name.empty());
}

TEST_CASE("scan_migrations refuses a .sql file with a bad name", "[migration_files]") {
  ScratchDir dir;
  dir.write("1_a.sql");
  fs::path bad = dir.write("create_users.sql");
  CHECK(scan_error(dir.path()) ==
        bad.string() + ": not a migration file name: expected <digits>_<name>.sql");
}

TEST_CASE("scan_migrations refuses an upper-case .SQL file", "[migration_files]") {
  ScratchDir dir;
  fs::path bad = dir.write("2_b.SQL");
  CHECK(scan_error(dir.path()) ==
        bad.string() + ": not a migration file name: expected <digits>_<name>.sql");
}

TEST_CASE("scan_migrations names both files of a duplicate version", "[migration_files]") {
  ScratchDir dir;
  fs::path a = dir.write("20240101000000_a.sql");
  fs::path b = dir.write("20240101000000_b.sql");
  dir.write("20240102000000_c.sql");
  CHECK(scan_error(dir.path()) ==
        "duplicate migration version 20240101000000: " + a.string() + " and " + b.string());
}

TEST_CASE("scan_migrations treats leading zeros as the same version", "[migration_files]") {
  ScratchDir dir;
  fs::path a = dir.write("1_a.sql");
  fs::path b = dir.write("01_b.sql");
  fs::path c = dir.write("001_c.sql");
  CHECK(scan_error(dir.path()) == "duplicate migration version 001: " + c.string() + ", " +
                                      b.string() + " and " + a.string());
}

TEST_CASE("scan_migrations reports every problem at once", "[migration_files]") {
  ScratchDir dir;
  fs::path bad1 = dir.write("init.sql");
  fs::path bad2 = dir.write("x_y.sql");
  fs::path a = dir.write("3_a.sql");
  fs::path b = dir.write("3_b.sql");
  std::string expected =
      bad1.string() + ": not a migration file name: expected <digits>_<name>.sql\n" +
      bad2.string() + ": not a migration file name: expected <digits>_<name>.sql\n" +
      "duplicate migration version 3: " + a.string() + " and " + b.string();
  CHECK(scan_error(dir.path()) == expected);
}

TEST_CASE("scan_migrations reports an unreadable file", "[migration_files]") {
  ScratchDir dir;
  fs::create_symlink(dir.path() / "missing", dir.path() / "7_dangling.sql");
  CHECK(scan_error(dir.path()) == (dir.path() / "7_dangling.sql").string() +
                                      ": cannot read migration: No such file or directory");
}

TEST_CASE("scan_migrations reports a missing directory", "[migration_files]") {
  ScratchDir dir;
  fs::path missing = dir.path() / "nope";
  CHECK(scan_error(missing) ==
        missing.string() + ": cannot read migrations directory: No such file or directory");
}
