// Commands that need no database: `validate` and `new`; and `supabase-shim`, which only installs.
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/command.hpp"
#include "cli/target.hpp"
#include "config/migration_files.hpp"
#include "config/pipeline.hpp"
#include "core/error.hpp"
#include "pg/session.hpp"
#include "pg/supabase_shim.hpp"
#include "sql/splitter.hpp"

namespace migsafe::cli {
namespace {

int validate_command(const std::string& file, const Console& console) {
  config::Pipeline pipeline = config::load_pipeline(file);
  std::vector<std::string> warnings;
  auto migrations = config::scan_migrations(pipeline.migrations.dir, {pipeline.migrations.strict}, &warnings);
  size_t statements = 0;
  for (const auto& m : migrations) statements += sql::split(m.sql).size();
  for (const auto& warning : warnings) console.note("warning: " + warning);
  console.note(pipeline.file.string() + ": valid; " + std::to_string(migrations.size()) + " migrations, " +
               std::to_string(statements) + " statements");
  if (console.options().json) {
    std::printf("%s\n", nlohmann::json{{"pipeline", pipeline.name}, {"status", "valid"},
                                       {"migrations", migrations.size()}, {"warnings", warnings}, {"exit_code", 0}}
                            .dump(2)
                            .c_str());
  }
  return 0;
}

std::string slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(char(std::tolower(static_cast<unsigned char>(c))));
    else if (!out.empty() && out.back() != '_') out.push_back('_');
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) throw usage_error("migration name '" + name + "' has no letters or digits");
  return out;
}

// Migrations run in file-name order (byte-wise, as the Supabase CLI orders them): a new file that
// would not sort last would run before an existing one, or be refused as out of order.
void warn_if_not_last(const std::filesystem::path& path, const Console& console) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path(), ec)) {
    const std::string existing = entry.path().filename().string();
    if (config::parse_migration_name(existing) && existing > path.filename().string()) {
      console.note("warning: " + existing + " sorts after the new file, so it runs after it (migrations run in "
                   "file-name order)");
    }
  }
}

int new_command(const std::string& name, const std::string& dir, const Console& console) {
  std::time_t now = std::time(nullptr);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", std::gmtime(&now));
  std::filesystem::create_directories(dir);
  std::filesystem::path path = std::filesystem::path(dir) / (std::string(stamp) + "_" + slug(name) + ".sql");
  if (std::filesystem::exists(path)) throw usage_error(path.string() + " already exists");
  warn_if_not_last(path, console);
  std::ofstream out(path);
  out << "-- " << name << "\n";
  if (!out) throw usage_error("cannot write " + path.string());
  std::printf("%s\n", path.string().c_str());
  return 0;
}

int shim_command(const TargetOptions& options, const Console& console) {
  if (options.ephemeral) throw usage_error("supabase-shim: --ephemeral already includes the emulation");
  Target target = resolve_target(options, nullptr);
  pg::Session session(target.conninfo, "migsafe supabase-shim");
  pg::install_supabase_shim(session);
  console.note("Supabase emulation installed in " + target.display);
  return 0;
}

}  // namespace

void register_validate(CLI::App& app, Globals& globals) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("validate", "Check the pipeline and migration files offline; no database");
  cmd->add_option("PIPELINE", *file, "Pipeline file (TOML)")->required();
  cmd->callback([&globals, file] {
    globals.action = [file](const Console& console) { return validate_command(*file, console); };
  });
}

void register_new(CLI::App& app, Globals& globals) {
  auto name = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>("supabase/migrations");
  CLI::App* cmd = app.add_subcommand("new", "Create DIR/<UTC YYYYMMDDHHMMSS>_<name>.sql and print its path");
  cmd->add_option("NAME", *name, "Migration name")->required();
  cmd->add_option("--dir", *dir, "Migrations directory (default: supabase/migrations)");
  cmd->callback([&globals, name, dir] { globals.action = [name, dir](const Console& console) { return new_command(*name, *dir, console); }; });
}

void register_supabase_shim(CLI::App& app, Globals& globals) {
  auto options = std::make_shared<TargetOptions>();
  CLI::App* cmd = app.add_subcommand(
      "supabase-shim", "Install the Supabase emulation (roles, extensions, auth, storage, grants) into a plain PostgreSQL");
  add_target_options(cmd, *options);
  cmd->callback([&globals, options] {
    globals.action = [options](const Console& console) { return shim_command(*options, console); };
  });
}

}  // namespace migsafe::cli
