// Tests for checks/test_files.cpp: which files `verify.tests` patterns name.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checks/test_files.hpp"
#include "util/temp_dir.hpp"

using migsafe::checks::expand_test_globs;
namespace fs = std::filesystem;

namespace {

// A tree of empty files below a temp dir; names relative to it.
struct Tree {
  migsafe::util::TempDir dir{"migsafe-globs-"};
  explicit Tree(const std::vector<std::string>& files) {
    for (const auto& f : files) {
      fs::create_directories((dir.path() / f).parent_path());
      std::ofstream(dir.path() / f) << "select 1;\n";
    }
  }
  std::string pattern(const std::string& p) const { return (dir.path() / p).string(); }
  std::vector<std::string> expand(const std::vector<std::string>& patterns) const {
    std::vector<std::string> absolute;
    for (const auto& p : patterns) absolute.push_back(pattern(p));
    std::vector<std::string> out;
    for (const auto& f : expand_test_globs(absolute))
      out.push_back(f.lexically_relative(dir.path()).string());
    return out;
  }
};

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("* matches within one directory, test extensions only, sorted") {
  Tree t({"tests/b.sql", "tests/a.pg", "tests/notes.txt", "tests/sub/c.sql"});
  CHECK(t.expand({"tests/*"}) == Names{"tests/a.pg", "tests/b.sql"});
  CHECK(t.expand({"tests/*.sql"}) == Names{"tests/b.sql"});
}

TEST_CASE("** matches any depth, zero directories included") {
  Tree t({"tests/a.sql", "tests/x/b.sql", "tests/x/y/c.sql", "other/d.sql"});
  CHECK(t.expand({"tests/**/*.sql"}) == Names{"tests/a.sql", "tests/x/b.sql", "tests/x/y/c.sql"});
  CHECK(t.expand({"tests/**"}) == Names{"tests/a.sql", "tests/x/b.sql", "tests/x/y/c.sql"});
  CHECK(t.expand({"**/b.sql"}) == Names{"tests/x/b.sql"});
}

TEST_CASE("? matches one character") {
  Tree t({"t/a1.sql", "t/a12.sql"});
  CHECK(t.expand({"t/a?.sql"}) == Names{"t/a1.sql"});
}

TEST_CASE("overlapping patterns yield each file once") {
  Tree t({"t/a.sql", "t/x/b.sql"});
  CHECK(t.expand({"t/**/*.sql", "t/*.sql", "t/a.sql"}) == Names{"t/a.sql", "t/x/b.sql"});
}

TEST_CASE("hidden files and directories are not matched by wildcards") {
  Tree t({"t/.hidden.sql", "t/.git/x.sql", "t/ok.sql"});
  CHECK(t.expand({"t/**/*.sql"}) == Names{"t/ok.sql"});
}

TEST_CASE("a file named without wildcards is taken as is; a directory stands for its test files") {
  Tree t({"t/check.psql", "t/a.sql", "t/sub/b.pg"});
  CHECK(t.expand({"t/check.psql"}) == Names{"t/check.psql"});
  CHECK(t.expand({"t"}) == Names{"t/a.sql", "t/sub/b.pg"});
}

TEST_CASE("patterns that match nothing, or name missing directories, add nothing") {
  Tree t({"t/a.sql"});
  CHECK(t.expand({"missing/**/*.sql", "t/*.pg", "t/nope.sql"}).empty());
}
