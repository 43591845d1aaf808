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

TEST_CASE("version_less compares versions as text, byte-wise, as the Supabase CLI", "[migration_files]") {
  CHECK(version_less("20230517185943", "202406201411"));  // 14 digits of 2023 before 12 digits of 2024
  CHECK(version_less("2024041012052", "202406201411"));
  CHECK(version_less("10", "9"));
  CHECK(version_less("01", "1"));
  CHECK_FALSE(version_less("1", "01"));
  CHECK_FALSE(version_less("5", "5"));
}

TEST_CASE("scan_migrations orders migrations by file name, byte-wise, not by number", "[migration_files]") {
  ScratchDir dir;
  dir.write("202406201411_c.sql", "insert into todos default values;\n");
  dir.write("2024041012052_b.sql", "alter table todos add column d date;\n");
  dir.write("20230517185943_a.sql", "create table todos();\n");
  std::vector<MigrationFile> files = scan_migrations(dir.path());
  CHECK(versions(files) == std::vector<std::string>{"20230517185943", "2024041012052", "202406201411"});
  CHECK(files[0].name == "a");
  CHECK(files[0].path == dir.path() / "20230517185943_a.sql");
  CHECK(files[0].sql == "create table todos();\n");
  CHECK(files[1].checksum == migsafe::util::sha256_hex("alter table todos add column d date;\n"));
}

TEST_CASE("scan_migrations keeps names with spaces, dots, dashes and @", "[migration_files]") {
  ScratchDir dir;
  dir.write("1_create todos.sql");
  dir.write("2_start.date col.sql");
  dir.write("3_seed-todos@v2.sql");
  std::vector<MigrationFile> files = scan_migrations(dir.path());
  REQUIRE(files.size() == 3);
  CHECK(files[0].name == "create todos");
  CHECK(files[1].name == "start.date col");
  CHECK(files[2].name == "seed-todos@v2");
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

TEST_CASE("scan_migrations ignores directories and files not ending in .sql",
          "[migration_files]") {
  ScratchDir dir;
  dir.write("1_a.sql");
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

TEST_CASE("scan_migrations skips a .sql file with a bad name with a warning naming it", "[migration_files]") {
  ScratchDir dir;
  dir.write("1_a.sql");
  fs::path bad = dir.write("create_users.sql");
  fs::path upper = dir.write("2_b.SQL");
  fs::path hidden = dir.write(".3_c.sql");
  std::vector<std::string> warnings;
  CHECK(versions(scan_migrations(dir.path(), {}, &warnings)) == std::vector<std::string>{"1"});
  REQUIRE(warnings.size() == 3);
  CHECK(warnings[0] == hidden.string() + ": skipped, not a migration file name: expected <digits>_<name>.sql (as the Supabase CLI skips it)");
  CHECK(warnings[1].rfind(upper.string() + ": skipped", 0) == 0);
  CHECK(warnings[2].rfind(bad.string() + ": skipped", 0) == 0);
}

TEST_CASE("scan_migrations with strict refuses a .sql file with a bad name", "[migration_files]") {
  ScratchDir dir;
  dir.write("1_a.sql");
  fs::path bad = dir.write("create_users.sql");
  try {
    scan_migrations(dir.path(), {true});
    FAIL("expected an error");
  } catch (const migsafe::Error& e) {
    CHECK(e.code() == migsafe::Exit::usage);
    CHECK(std::string(e.what()) == bad.string() +
                                       ": not a migration file name: expected <digits>_<name>.sql ([migrations] strict = true)");
  }
}

TEST_CASE("scan_migrations skips a first legacy <timestamp>_init.sql as the CLI does", "[migration_files]") {
  ScratchDir dir;
  dir.write("20211208000000_init.sql");
  dir.write("20211210000000_next.sql");
  std::vector<std::string> warnings;
  CHECK(versions(scan_migrations(dir.path(), {}, &warnings)) == std::vector<std::string>{"20211210000000"});
  CHECK(warnings.size() == 1);
}

TEST_CASE("scan_migrations refuses psql meta-commands and mid-file COMMIT at file:line:column", "[migration_files]") {
  ScratchDir dir;
  fs::path meta = dir.write("1_meta.sql", "create table a();\n  \\i other.sql\n");
  fs::path commit = dir.write("2_commit.sql", "create table b();\ncommit;\ncreate table c();\n");
  dir.write("3_wrapped.sql", "BEGIN;\ncreate table d();\nCOMMIT;\n");
  const std::string message = scan_error(dir.path());
  CHECK(message.find(meta.string() + ":2:3: psql meta-command \\i in a migration") != std::string::npos);
  CHECK(message.find(commit.string() + ":2:1: COMMIT in the middle of a migration") != std::string::npos);
  CHECK(message.find("3_wrapped.sql") == std::string::npos);
}

TEST_CASE("scan_migrations names both files of a duplicate version", "[migration_files]") {
  ScratchDir dir;
  fs::path a = dir.write("20240101000000_a.sql");
  fs::path b = dir.write("20240101000000_b.sql");
  dir.write("20240102000000_c.sql");
  CHECK(scan_error(dir.path()) ==
        "duplicate migration version 20240101000000: " + a.string() + " and " + b.string());
}

TEST_CASE("scan_migrations treats versions with leading zeros as other versions, as the history table does",
          "[migration_files]") {
  ScratchDir dir;
  dir.write("1_a.sql");
  dir.write("01_b.sql");
  CHECK(versions(scan_migrations(dir.path())) == std::vector<std::string>{"01", "1"});
}

TEST_CASE("scan_migrations reports every problem at once", "[migration_files]") {
  ScratchDir dir;
  fs::path bad1 = dir.write("1_nul.sql", std::string("select\0", 7));
  fs::path bad2 = dir.write("2_meta.sql", "\\set x 1\n");
  fs::path a = dir.write("3_a.sql");
  fs::path b = dir.write("3_b.sql");
  std::string expected =
      bad1.string() + ":1:7: contains a NUL byte\n" + bad2.string() +
      ":1:1: psql meta-command \\set in a migration: it is not SQL, so neither PostgreSQL nor the Supabase CLI can "
      "run it, and migsafe will not skip it; write the values into the SQL instead of psql variables\n" +
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
