#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "config/pipeline.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;
using namespace migsafe::config;
using std::chrono::milliseconds;

namespace {

// The smallest valid pipeline, given a `migrations` directory beside it.
const std::string kMinimal = "version = 1\n[migrations]\ndir = \"migrations\"\n";

// A fresh directory holding `migrations/`, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "migsafe-pipeline-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    fs::create_directory(path_ / "migrations");
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  // Writes `content` to `name` in the directory and returns its path.
  fs::path write(const std::string& name, const std::string& content) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name, std::ios::binary) << content;
    return path_ / name;
  }

 private:
  fs::path path_;
};

// Loads `toml` written as deploy.toml in `dir`.
Pipeline load(const ScratchDir& dir, const std::string& toml) {
  return load_pipeline(dir.write("deploy.toml", toml));
}

// The message of the usage error that loading `file` throws.
std::string load_error(const fs::path& file) {
  try {
    load_pipeline(file);
  } catch (const migsafe::Error& error) {
    CHECK(error.code() == migsafe::Exit::usage);
    return error.what();
  }
  FAIL("load_pipeline did not throw");
  return "";
}

// The error for `toml` as deploy.toml, without the "<file>:" prefix every line starts with.
std::string error_for(const std::string& toml) {
  ScratchDir dir;
  fs::path file = dir.write("deploy.toml", toml);
  std::string message = load_error(file);
  std::string prefix = file.string() + ":";
  std::string stripped;
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find('\n', start);
    std::string line = message.substr(start, end == std::string::npos ? end : end - start);
    REQUIRE(line.rfind(prefix, 0) == 0);
    stripped += (stripped.empty() ? "" : "\n") + line.substr(prefix.size());
    start = end == std::string::npos ? message.size() : end + 1;
  }
  return stripped;
}

}  // namespace

TEST_CASE("a minimal pipeline gets every default", "[pipeline]") {
  ScratchDir dir;
  Pipeline p = load(dir, kMinimal);
  CHECK(p.version == 1);
  CHECK(p.name == "deploy");
  CHECK(p.dir == dir.path());
  CHECK(p.database.url_env == "DATABASE_URL");
  CHECK_FALSE(p.database.url);
  CHECK_FALSE(p.database.ephemeral);
  CHECK(p.database.schemas == std::vector<std::string>{"public"});
  CHECK(p.database.supabase);
  CHECK(p.database.lock_timeout == milliseconds(5'000));
  CHECK(p.database.statement_timeout == milliseconds(600'000));
  CHECK(p.database.lock_wait == milliseconds(60'000));
  CHECK_FALSE(p.database.pg_bin_dir);
  CHECK(p.migrations.dir == dir.path() / "migrations");
  CHECK(p.migrations.mode == MigrationMode::atomic);
}

TEST_CASE("a minimal pipeline gets backup, check and hook defaults", "[pipeline]") {
  ScratchDir dir;
  Pipeline p = load(dir, kMinimal);
  CHECK(p.backup.dir == dir.path() / "backups");
  CHECK(p.backup.format == BackupFormat::custom);
  CHECK(p.backup.jobs == 2);
  CHECK(p.backup.compression == Compression::zstd);
  CHECK(p.backup.compression_level == 1);
  CHECK_FALSE(p.backup.encryption_key_env);
  CHECK_FALSE(p.backup.encryption_key_file);
  CHECK(p.backup.keep_last == 30);
  CHECK(p.backup.max_age_days == 30);
  CHECK_FALSE(p.backup.copy);
  CHECK(p.verify.tests.empty());
  CHECK(p.verify.max_row_loss_pct == 0);
  CHECK(p.verify.pgtap_schema == "extensions");
  CHECK(p.rls.exposed_schemas == std::vector<std::string>{"public"});
  CHECK(p.rls.fail_on == RlsFailOn::error);
  CHECK(p.rls.default_deny);
  CHECK_FALSE(p.hooks.before);
  CHECK(p.hooks.timeout == milliseconds(300'000));
  CHECK(p.on_failure.restore);
}

TEST_CASE("the contract's example pipeline loads", "[pipeline]") {
  ScratchDir dir;
  dir.write("supabase/migrations/.keep", "");
  Pipeline p = load_pipeline(dir.write("pipelines/deploy.toml", R"(version = 1
name = "deploy"

[database]
url_env = "DATABASE_URL"
schemas = ["public"]
supabase = true
lock_timeout = "5s"
statement_timeout = "10min"

[migrations]
dir = "../supabase/migrations"
mode = "atomic"

[backup]
dir = "../backups"
format = "custom"
jobs = 2
encryption_key_env = "MIGSAFE_BACKUP_KEY"
keep_last = 30
max_age_days = 30

[verify]
tests = ["../supabase/tests/**/*.sql"]
max_row_loss_pct = 0

[[verify.assert]]
name = "no orphan profiles"
sql  = "select count(*) = 0 from public.profiles"

[rls]
exposed_schemas = ["public"]
fail_on = "error"
ignore = [{ lint = "rls_enabled_no_policy", object = "public.audit_log", reason = "service-only table" }]

[[rls.case]]
name   = "a user sees only their own todos"
role   = "authenticated"
claims = { sub = "00000000-0000-0000-0000-000000000001" }
sql    = "select count(*) from public.todos"
expect = 1

[hooks]
before = "echo before"
on_success = "echo ok"
on_failure = "echo failed"

[on_failure]
restore = true
)"));
  CHECK(p.name == "deploy");
  CHECK(p.migrations.dir == dir.path() / "supabase/migrations");
  CHECK(p.backup.dir == dir.path() / "backups");
  CHECK(p.backup.encryption_key_env == "MIGSAFE_BACKUP_KEY");
  CHECK(p.verify.tests ==
        std::vector<std::string>{(dir.path() / "supabase/tests/**/*.sql").string()});
  CHECK(p.verify.tests_pos.line == 24);
  REQUIRE(p.verify.asserts.size() == 1);
  CHECK(p.verify.asserts[0].name == "no orphan profiles");
  CHECK(p.verify.asserts[0].pos.line == 27);
  CHECK_FALSE(p.verify.asserts[0].expect);
  REQUIRE(p.rls.ignore.size() == 1);
  CHECK(p.rls.ignore[0].lint == "rls_enabled_no_policy");
  CHECK(p.rls.ignore[0].object == "public.audit_log");
  CHECK(p.rls.ignore[0].reason == "service-only table");
  CHECK(p.rls.ignore[0].pos.line == 34);
  REQUIRE(p.rls.cases.size() == 1);
  const RlsCase& c = p.rls.cases[0];
  CHECK(c.role == "authenticated");
  CHECK(c.claims_json == R"({"sub":"00000000-0000-0000-0000-000000000001"})");
  REQUIRE(c.expect);
  CHECK(c.expect->kind == ExpectedValue::Kind::integer);
  CHECK(c.expect->text == "1");
  CHECK(c.pos.line == 36);
  CHECK(p.hooks.on_failure == "echo failed");
}

TEST_CASE("every other key is read", "[pipeline]") {
  ScratchDir dir;
  Pipeline p = load(dir, kMinimal + R"(mode = "per-migration"
[database]
url_env = "PROD_DB"
url = "postgresql://deploy@db.example.com:5432/app?sslmode=require"
schemas = ["public", "billing"]
supabase = false
lock_timeout = "250ms"
statement_timeout = "1h"
lock_wait = "0"
pg_bin_dir = "/usr/lib/postgresql/16/bin"
[backup]
format = "directory"
jobs = 8
compression = "none"
encryption_key_file = "keys/backup.key"
keep_last = 3
max_age_days = 0
[backup.copy]
command = "aws s3 cp \"$MIGSAFE_BACKUP_FILE\" s3://bucket/"
on_error = "fail"
[verify]
max_row_loss_pct = 2.5
allow_dropped_tables = ["public.old"]
pgtap_schema = "tap"
[verify.max_row_loss_pct_per_table]
"public.events" = 50
[rls]
fail_on = "warn"
default_deny = false
public_tables = ["public.countries"]
[hooks]
timeout = "30s"
[on_failure]
restore = false
)");
  CHECK(p.migrations.mode == MigrationMode::per_migration);
  CHECK(p.database.url_env == "PROD_DB");
  CHECK(p.database.url == "postgresql://deploy@db.example.com:5432/app?sslmode=require");
  CHECK(p.database.schemas == std::vector<std::string>{"public", "billing"});
  CHECK_FALSE(p.database.supabase);
  CHECK(p.database.lock_timeout == milliseconds(250));
  CHECK(p.database.statement_timeout == milliseconds(3'600'000));
  CHECK(p.database.lock_wait == milliseconds(0));
  CHECK(p.database.pg_bin_dir == fs::path("/usr/lib/postgresql/16/bin"));
  CHECK(p.backup.format == BackupFormat::directory);
  CHECK(p.backup.jobs == 8);
  CHECK(p.backup.compression == Compression::none);
  CHECK(p.backup.encryption_key_file == dir.path() / "keys/backup.key");
  CHECK(p.backup.keep_last == 3);
  CHECK(p.backup.max_age_days == 0);
  REQUIRE(p.backup.copy);
  CHECK(p.backup.copy->command == "aws s3 cp \"$MIGSAFE_BACKUP_FILE\" s3://bucket/");
  CHECK(p.backup.copy->on_error == CopyOnError::fail);
  CHECK(p.verify.max_row_loss_pct == 2.5);
  CHECK(p.verify.max_row_loss_pct_per_table ==
        std::map<std::string, double>{{"public.events", 50}});
  CHECK(p.verify.allow_dropped_tables == std::vector<std::string>{"public.old"});
  CHECK(p.verify.pgtap_schema == "tap");
  CHECK(p.rls.exposed_schemas == std::vector<std::string>{"public", "billing"});
  CHECK(p.rls.fail_on == RlsFailOn::warn);
  CHECK_FALSE(p.rls.default_deny);
  CHECK(p.rls.public_tables == std::vector<std::string>{"public.countries"});
  CHECK(p.hooks.timeout == milliseconds(30'000));
  CHECK_FALSE(p.on_failure.restore);
}

TEST_CASE("relative paths resolve against the pipeline's directory, normalised", "[pipeline]") {
  ScratchDir dir;
  dir.write("db/migrations/.keep", "");
  Pipeline p = load_pipeline(dir.write("ci/deploy.toml", R"(version = 1
[migrations]
dir = "./../db//migrations/"
[backup]
dir = "/var/backups/../backups/app"
[verify]
tests = ["tests/*.sql", "/abs/t.sql"]
)"));
  CHECK(p.dir == dir.path() / "ci");
  CHECK(p.migrations.dir == dir.path() / "db/migrations");
  CHECK(p.backup.dir == fs::path("/var/backups/app"));
  CHECK(p.verify.tests ==
        std::vector<std::string>{(dir.path() / "ci/tests/*.sql").string(), "/abs/t.sql"});
}

TEST_CASE("a pipeline named by a relative path keeps that name in messages", "[pipeline]") {
  ScratchDir dir;
  dir.write("pipelines/deploy.toml", kMinimal + "mdoe = \"atomic\"\n");
  fs::create_directory(dir.path() / "pipelines/migrations");
  fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  std::string message = load_error("pipelines/deploy.toml");
  Pipeline p = load_pipeline(dir.write("pipelines/ok.toml", kMinimal));
  fs::current_path(cwd);
  CHECK(message ==
        "pipelines/deploy.toml:4:1: unknown key 'migrations.mdoe' (did you mean 'mode'?)");
  CHECK(p.migrations.dir == dir.path() / "pipelines/migrations");
}

TEST_CASE("name defaults to the file's stem and can be set", "[pipeline]") {
  ScratchDir dir;
  CHECK(load_pipeline(dir.write("staging.toml", kMinimal)).name == "staging");
  CHECK(load(dir, "name = \"prod\"\n" + kMinimal).name == "prod");
}

TEST_CASE("a missing or unreadable file is reported without a position", "[pipeline]") {
  ScratchDir dir;
  fs::path missing = dir.path() / "missing.toml";
  CHECK(load_error(missing) ==
        missing.string() + ": cannot read pipeline: No such file or directory");
  CHECK(load_error(dir.path()) == dir.path().string() + ": cannot read pipeline: Is a directory");
}

TEST_CASE("a syntax error carries toml++'s position", "[pipeline]") {
  std::string message = error_for("version = 1\nname = \n");
  CHECK(message.rfind("2:8: ", 0) == 0);
  CHECK(message.size() > 6);
  message = error_for("version = 1\nversion = 2\n");
  CHECK(message.rfind("2:11: ", 0) == 0);
  CHECK(message.find("redefine") != std::string::npos);
}

TEST_CASE("version is required and must be 1", "[pipeline]") {
  CHECK(error_for("[migrations]\ndir = \"migrations\"\n") == "1:1: missing required key 'version'");
  CHECK(error_for("version = 2\n[migrations]\ndir = \"migrations\"\n") ==
        "1:11: unsupported pipeline version 2 (this migsafe reads version 1)");
  CHECK(error_for("version = \"1\"\n[migrations]\ndir = \"migrations\"\n") ==
        "1:11: 'version' must be an integer, not a string");
}

TEST_CASE("unknown keys are errors at every level, with a suggestion", "[pipeline]") {
  CHECK(error_for("nmae = \"x\"\n" + kMinimal) == "1:1: unknown key 'nmae' (did you mean 'name'?)");
  CHECK(error_for(kMinimal + "mdoe = \"atomic\"\n") ==
        "4:1: unknown key 'migrations.mdoe' (did you mean 'mode'?)");
  CHECK(error_for(kMinimal + "[database]\ncolour = \"blue\"\n") ==
        "5:1: unknown key 'database.colour'");
  CHECK(error_for(kMinimal + "[databse]\n") ==
        "4:2: unknown key 'databse' (did you mean 'database'?)");
}

TEST_CASE("unknown keys inside array-of-table entries are errors", "[pipeline]") {
  CHECK(error_for(kMinimal + "[[verify.assert]]\nname = \"a\"\nsql = \"select true\"\n"
                             "[[verify.assert]]\nname = \"b\"\nsqll = \"select true\"\n") ==
        "7:1: missing required key 'verify.assert[1].sql'\n"
        "9:1: unknown key 'verify.assert[1].sqll' (did you mean 'sql'?)");
}

TEST_CASE("unknown keys inside inline tables are errors", "[pipeline]") {
  CHECK(
      error_for(kMinimal + "[rls]\nignore = [{ lint = \"x\", objct = \"t\", reason = \"r\" }]\n") ==
      "5:11: missing required key 'rls.ignore[0].object'\n"
      "5:25: unknown key 'rls.ignore[0].objct' (did you mean 'object'?)");
}

TEST_CASE("values of the wrong type are errors", "[pipeline]") {
  CHECK(error_for(kMinimal + "[database]\nsupabase = \"yes\"\n") ==
        "5:12: 'database.supabase' must be true or false, not a string");
  CHECK(error_for(kMinimal + "[backup]\njobs = \"2\"\n") ==
        "5:8: 'backup.jobs' must be an integer, not a string");
  CHECK(error_for(kMinimal + "[database]\nschemas = \"public\"\n") ==
        "5:11: 'database.schemas' must be an array of strings, not a string");
  CHECK(error_for(kMinimal + "[database]\nschemas = [\"public\", 1]\n") ==
        "5:22: 'database.schemas[1]' must be a string, not an integer");
  CHECK(error_for("database = 1\n" + kMinimal) ==
        "1:12: 'database' must be a table, not an integer");
  CHECK(error_for(kMinimal + "[verify]\nassert = { name = \"a\" }\n") ==
        "5:10: 'verify.assert' must be an array of tables ([[verify.assert]]), not a table");
}

TEST_CASE("durations are checked", "[pipeline]") {
  CHECK(error_for(kMinimal + "[database]\nlock_timeout = \"5 parsecs\"\n") ==
        "5:16: 'database.lock_timeout' is not a duration: \"5 parsecs\" "
        "(write a number and a unit: ms, s, min, h or d)");
  CHECK(error_for(kMinimal + "[database]\nlock_timeout = 5\n") ==
        "5:16: 'database.lock_timeout' must be a duration such as \"5s\", not an integer");
  CHECK(error_for(kMinimal + "[database]\nstatement_timeout = \"30d\"\n") ==
        "5:21: 'database.statement_timeout' must be at most 2147483647ms, not \"30d\"");
  CHECK(error_for(kMinimal + "[hooks]\ntimeout = \"\"\n") ==
        "5:11: 'hooks.timeout' is not a duration: \"\" "
        "(write a number and a unit: ms, s, min, h or d)");
}

TEST_CASE("migrations.dir is required and must be an existing directory", "[pipeline]") {
  CHECK(error_for("version = 1\n") == "1:1: missing required key 'migrations.dir'");
  CHECK(error_for("version = 1\n[migrations]\nmode = \"atomic\"\n") ==
        "2:1: missing required key 'migrations.dir'");
  ScratchDir dir;
  fs::path file = dir.write("deploy.toml", "version = 1\n[migrations]\ndir = \"nope/../absent\"\n");
  CHECK(load_error(file) == file.string() + ":3:7: 'migrations.dir' does not exist: " +
                                (dir.path() / "absent").string());
  dir.write("plain", "");
  file = dir.write("deploy.toml", "version = 1\n[migrations]\ndir = \"plain\"\n");
  CHECK(load_error(file) == file.string() + ":3:7: 'migrations.dir' is not a directory: " +
                                (dir.path() / "plain").string());
}

TEST_CASE("a password in database.url is refused without echoing it", "[pipeline]") {
  for (const char* url : {"postgresql://deploy:s3cret@db.example.com/app",
                          "postgres://deploy:s3cret@db/app", "postgresql://db/app?password=s3cret",
                          "postgresql://db/app?sslmode=require&password=s3cret",
                          "host=db password=s3cret dbname=app", "password = s3cret"}) {
    INFO(url);
    std::string message = error_for(kMinimal + "[database]\nurl = \"" + url + "\"\n");
    CHECK(message.rfind(
              "5:7: 'database.url' contains a password; never put a password in this file", 0) ==
          0);
    CHECK(message.find("s3cret") == std::string::npos);
  }
}

TEST_CASE("database.url without a password, or ephemeral, is accepted", "[pipeline]") {
  ScratchDir dir;
  Pipeline p = load(dir, kMinimal + "[database]\nurl = \"ephemeral\"\n");
  CHECK(p.database.ephemeral);
  CHECK_FALSE(p.database.url);
  p = load(dir, kMinimal + "[database]\nurl = \"host=db user=deploy passfile=/etc/pgpass\"\n");
  CHECK(p.database.url == "host=db user=deploy passfile=/etc/pgpass");
  p = load(dir, kMinimal + "[database]\nurl = \"postgresql://deploy@[::1]:5432/app\"\n");
  CHECK(p.database.url == "postgresql://deploy@[::1]:5432/app");
}

TEST_CASE("choices name the allowed values and suggest one", "[pipeline]") {
  CHECK(error_for(kMinimal + "mode = \"atomc\"\n") ==
        "4:8: 'migrations.mode' must be \"atomic\" or \"per-migration\", not \"atomc\" "
        "(did you mean \"atomic\"?)");
  CHECK(error_for(kMinimal + "[backup]\nformat = \"tar\"\n") ==
        "5:10: 'backup.format' must be \"custom\" or \"directory\", not \"tar\"");
  CHECK(error_for(kMinimal + "[rls]\nfail_on = \"wran\"\n") ==
        "5:11: 'rls.fail_on' must be \"error\" or \"warn\", not \"wran\" (did you mean \"warn\"?)");
}

TEST_CASE("numbers are range-checked", "[pipeline]") {
  CHECK(error_for(kMinimal + "[backup]\njobs = 0\n") ==
        "5:8: 'backup.jobs' must be at least 1, not 0");
  CHECK(error_for(kMinimal + "[backup]\ncompression_level = 22\n") ==
        "5:21: 'backup.compression_level' must be between 1 and 19, not 22");
  CHECK(error_for(kMinimal + "[backup]\nmax_age_days = -1\n") ==
        "5:16: 'backup.max_age_days' must be at least 0, not -1");
  CHECK(error_for(kMinimal + "[verify]\nmax_row_loss_pct = 100.5\n") ==
        "5:20: 'verify.max_row_loss_pct' must be between 0 and 100, not 100.5");
  CHECK(error_for(kMinimal + "[verify.max_row_loss_pct_per_table]\n\"public.t\" = 150\n") ==
        "5:14: 'verify.max_row_loss_pct_per_table.public.t' must be between 0 and 100, not 150");
}

TEST_CASE("an unquoted schema-qualified table name gets a hint", "[pipeline]") {
  CHECK(error_for(kMinimal + "[verify.max_row_loss_pct_per_table]\npublic.todos = 5\n") ==
        "5:1: 'verify.max_row_loss_pct_per_table.public' is a table: quote a schema-qualified "
        "name, as in \"public.todos\" = 5");
}

TEST_CASE("schema lists must be non-empty lists of distinct identifiers", "[pipeline]") {
  CHECK(error_for(kMinimal + "[database]\nschemas = []\n") ==
        "5:11: 'database.schemas' must name at least one schema");
  CHECK(error_for(kMinimal + "[database]\nschemas = [\"public\", \"my-schema\", \"public\"]\n") ==
        "5:22: 'database.schemas[1]' is not a plain SQL identifier: \"my-schema\"\n"
        "5:35: 'database.schemas[2]' repeats \"public\"");
  CHECK(error_for(kMinimal + "[rls]\nexposed_schemas = [\"\"]\n") ==
        "5:20: 'rls.exposed_schemas[0]' must not be empty");
  CHECK(error_for(kMinimal + "[verify]\npgtap_schema = \"1tap\"\n") ==
        "5:16: 'verify.pgtap_schema' is not a plain SQL identifier: \"1tap\"");
}

TEST_CASE("env var names are checked", "[pipeline]") {
  CHECK(error_for(kMinimal + "[database]\nurl_env = \"$DATABASE_URL\"\n") ==
        "5:11: 'database.url_env' must be the name of an environment variable (letters, digits, "
        "'_'), not \"$DATABASE_URL\"");
}

TEST_CASE("rls.database defaults exposed_schemas to database.schemas", "[pipeline]") {
  ScratchDir dir;
  Pipeline p = load(dir, kMinimal + "[database]\nschemas = [\"app\"]\n");
  CHECK(p.rls.exposed_schemas == std::vector<std::string>{"app"});
  p = load(dir, kMinimal + "[database]\nschemas = [\"app\"]\n[rls]\nexposed_schemas = [\"api\"]\n");
  CHECK(p.rls.exposed_schemas == std::vector<std::string>{"api"});
}

TEST_CASE("backup encryption takes an env var or a file, not both", "[pipeline]") {
  CHECK(
      error_for(kMinimal + "[backup]\nencryption_key_env = \"K\"\nencryption_key_file = \"k\"\n") ==
      "6:23: give one of 'backup.encryption_key_env' and 'backup.encryption_key_file', not both");
}

TEST_CASE("compression_level with compression none is an error", "[pipeline]") {
  CHECK(error_for(kMinimal + "[backup]\ncompression = \"none\"\ncompression_level = 5\n") ==
        "6:21: 'backup.compression_level' has no effect with compression = \"none\"");
}

TEST_CASE("backup.copy needs a command", "[pipeline]") {
  CHECK(error_for(kMinimal + "[backup.copy]\non_error = \"fail\"\n") ==
        "4:1: missing required key 'backup.copy.command'");
  CHECK(error_for(kMinimal + "[backup]\ncopy = \"rsync\"\n") ==
        "5:8: 'backup.copy' must be a table, not a string");
}

TEST_CASE("assertions need a name and sql and keep their expected value", "[pipeline]") {
  ScratchDir dir;
  Pipeline p = load(dir, kMinimal + R"([[verify.assert]]
name = "s"
sql = "select 'x'"
expect = ""
[[verify.assert]]
name = "i"
sql = "select 42"
expect = 42
[[verify.assert]]
name = "f"
sql = "select 0.1"
expect = 0.1
[[verify.assert]]
name = "b"
sql = "select false"
expect = false
)");
  using Kind = ExpectedValue::Kind;
  REQUIRE(p.verify.asserts.size() == 4);
  CHECK(p.verify.asserts[0].expect->kind == Kind::text);
  CHECK(p.verify.asserts[0].expect->text.empty());
  CHECK(p.verify.asserts[1].expect->kind == Kind::integer);
  CHECK(p.verify.asserts[1].expect->text == "42");
  CHECK(p.verify.asserts[2].expect->kind == Kind::real);
  CHECK(p.verify.asserts[2].expect->text == "0.1");
  CHECK(p.verify.asserts[3].expect->kind == Kind::boolean);
  CHECK(p.verify.asserts[3].expect->text == "false");
  CHECK(p.verify.asserts[3].pos.line == 16);
  CHECK(p.verify.asserts[3].pos.column == 1);
}

TEST_CASE("float expectations are written as PostgreSQL prints a float8", "[pipeline]") {
  ScratchDir dir;
  auto text_of = [&dir](const std::string& value) {
    Pipeline p = load(dir, kMinimal + "[[verify.assert]]\nname = \"x\"\nsql = \"select 1\"\n" +
                               "expect = " + value + "\n");
    return p.verify.asserts.at(0).expect->text;
  };
  CHECK(text_of("1.5") == "1.5");
  CHECK(text_of("100.0") == "100");
  CHECK(text_of("-0.25") == "-0.25");
  CHECK(text_of("1e14") == "100000000000000");
  CHECK(text_of("1e15") == "1e+15");
  CHECK(text_of("0.0001") == "0.0001");
  CHECK(text_of("1e-5") == "1e-05");
  CHECK(text_of("0.30000000000000004") == "0.30000000000000004");
  CHECK(
      error_for(kMinimal + "[[verify.assert]]\nname = \"x\"\nsql = \"select 1\"\nexpect = nan\n") ==
      "7:10: 'verify.assert[0].expect' must be a string, a finite number or a boolean, not a "
      "float");
}

TEST_CASE("assertion errors point at the entry or the value", "[pipeline]") {
  CHECK(error_for(kMinimal + "[[verify.assert]]\nname = \"a\"\n") ==
        "4:1: missing required key 'verify.assert[0].sql'");
  CHECK(
      error_for(kMinimal + "[[verify.assert]]\nname = \"a\"\nsql = \"select 1\"\nexpect = [1]\n") ==
      "7:10: 'verify.assert[0].expect' must be a string, a finite number or a boolean, not an "
      "array");
  CHECK(error_for(kMinimal + "[[verify.assert]]\nname = \"a\"\nsql = \"select 1\"\n"
                             "[[verify.assert]]\nname = \"a\"\nsql = \"select 2\"\n") ==
        "8:8: 'verify.assert[1].name' repeats \"a\" (first used on line 4)");
}

TEST_CASE("rls ignore entries need lint, object and a reason", "[pipeline]") {
  CHECK(
      error_for(kMinimal + "[rls]\nignore = [{ lint = \"x\", object = \"t\", reason = \"\" }]\n") ==
      "5:48: 'rls.ignore[0].reason' must not be empty");
  CHECK(error_for(kMinimal + "[rls]\nignore = [\"rls_enabled_no_policy\"]\n") ==
        "5:11: 'rls.ignore[0]' must be a table, not a string");
}

TEST_CASE("rls cases keep claims as JSON and one expectation", "[pipeline]") {
  ScratchDir dir;
  Pipeline p = load(dir, kMinimal + R"([[rls.case]]
name = "anon cannot insert"
role = "anon"
claims = { role = "anon", app_metadata = { tier = 2, beta = true }, groups = ["a", "b"], exp = 2030-01-02T03:04:05Z }
setup = "insert into public.todos default values"
sql = "insert into public.todos default values"
expect_error = "42501"
[[rls.case]]
name = "owner sees two"
role = "authenticated"
sql = "select * from public.todos"
expect_rows = 2
)");
  REQUIRE(p.rls.cases.size() == 2);
  const RlsCase& anon = p.rls.cases[0];
  CHECK(
      anon.claims_json ==
      R"({"app_metadata":{"beta":true,"tier":2},"exp":"2030-01-02T03:04:05Z","groups":["a","b"],"role":"anon"})");
  CHECK(anon.setup == "insert into public.todos default values");
  CHECK(anon.expect_error == "42501");
  CHECK_FALSE(anon.expect);
  CHECK_FALSE(anon.expect_rows);
  CHECK(p.rls.cases[1].expect_rows == 2);
  CHECK_FALSE(p.rls.cases[1].claims_json);
}

TEST_CASE("an rls case needs exactly one expectation", "[pipeline]") {
  const std::string head =
      kMinimal + "[[rls.case]]\nname = \"c\"\nrole = \"anon\"\nsql = \"select 1\"\n";
  CHECK(error_for(head) ==
        "4:1: 'rls.case[0]' needs one of 'expect', 'expect_rows' or 'expect_error'");
  CHECK(error_for(head + "expect = 1\nexpect_error = \"42501\"\n") ==
        "9:16: 'rls.case[0].expect_error' cannot be combined with 'expect': give exactly one of "
        "'expect', 'expect_rows' or 'expect_error'");
  CHECK(error_for(head + "expect_rows = -1\n") ==
        "8:15: 'rls.case[0].expect_rows' must be at least 0, not -1");
  CHECK(error_for(head + "expect = 1\nclaims = \"sub=1\"\n") ==
        "9:10: 'rls.case[0].claims' must be a table of JWT claims, not a string");
}

TEST_CASE("every problem is reported at once, in file order", "[pipeline]") {
  CHECK(error_for("version = 1\n[database]\nsupabase = 1\nlock_timeout = \"soon\"\n"
                  "[migrations]\ndir = \"migrations\"\nmdoe = \"x\"\n[backup]\njobs = 0\n") ==
        "3:12: 'database.supabase' must be true or false, not an integer\n"
        "4:16: 'database.lock_timeout' is not a duration: \"soon\" "
        "(write a number and a unit: ms, s, min, h or d)\n"
        "7:1: unknown key 'migrations.mdoe' (did you mean 'mode'?)\n"
        "9:8: 'backup.jobs' must be at least 1, not 0");
}

TEST_CASE("location formats a position in the pipeline's file", "[pipeline]") {
  Pipeline p;
  p.file = "pipelines/deploy.toml";
  CHECK(location(p, SourcePos{7, 3}) == "pipelines/deploy.toml:7:3");
}
