// `migsafe init [DIR] [--github]`: the first run on an existing Supabase repository in two commands.
// It reads DIR/supabase/ and writes DIR/pipelines/migsafe.toml (and with --github a workflow); then
// `migsafe run pipelines/migsafe.toml --ephemeral` runs the project. It never overwrites a file.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "checks/rls_lints.hpp"
#include "cli/command.hpp"
#include "config/pipeline_reader.hpp"
#include "config/pipeline_template.hpp"
#include "config/supabase_project.hpp"
#include "core/error.hpp"
#include "util/atomic_file.hpp"
#include "util/strings.hpp"

namespace migsafe::cli {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPipelinePath = "pipelines/migsafe.toml";
constexpr const char* kWorkflowPath = ".github/workflows/migsafe.yml";
constexpr const char* kBackupDir = ".migsafe/backups";
constexpr const char* kIgnoreLine = "/.migsafe/";
constexpr const char* kDefaultAction = "<owner>/migsafe/.github/actions/migsafe@<ref>";

struct InitOptions {
  std::string dir = ".";
  bool github = false;
  std::string action = kDefaultAction;
};

bool is_internal(const std::string& schema) {
  const auto& internal = checks::internal_schemas();
  return std::find(internal.begin(), internal.end(), schema) != internal.end();
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// Adds `schema` to `list` unless it is Supabase's own; a name the pipeline cannot hold (not a plain
// identifier) is left out with a note.
void add_schema(std::vector<std::string>& list, const std::string& schema, const Console& console) {
  if (is_internal(schema)) return;
  if (!config::detail::is_identifier(schema)) {
    console.note("note: schema \"" + schema + "\" is not a plain identifier; a pipeline cannot name it, left out");
    return;
  }
  add_unique(list, schema);
}

// The pipeline for `project`: public plus the schemas its migrations create, the API's schemas
// from config.toml, the tests when there are any. Supabase's own schemas are never owned.
config::PipelineTemplate pipeline_for(const config::SupabaseProject& project, const Console& console) {
  config::PipelineTemplate p;
  std::string name = fs::weakly_canonical(project.root).filename().string();
  p.name = name.empty() ? "supabase" : name;
  p.schemas = {"public"};
  for (const auto& schema : project.created_schemas) add_schema(p.schemas, schema, console);
  p.schemas_note = p.schemas.size() == 1
                       ? "Owned schemas: public (no migration creates another schema)."
                       : "Owned schemas: public and the schemas the migrations create.";
  for (const auto& schema : project.api_schemas) add_schema(p.exposed_schemas, schema, console);
  if (!p.exposed_schemas.empty()) {
    p.exposed_note = "Exposed schemas: [api] schemas of supabase/config.toml (Supabase's own left out).";
  } else {
    p.exposed_schemas = {"public"};
    p.exposed_note = project.has_config
                         ? "Exposed schemas: public (supabase/config.toml names no other in [api] schemas)."
                         : "Exposed schemas: public, the Supabase default (no supabase/config.toml).";
  }
  p.migrations_dir = "../supabase/migrations";
  if (project.has_tests) p.tests_glob = "../supabase/tests/**/*.sql";
  p.backup_dir = std::string("../") + kBackupDir;
  return p;
}

// Whether `.gitignore` text already ignores the backup directory's parent.
bool ignores_backups(const std::string& gitignore) {
  std::istringstream lines(gitignore);
  for (std::string line; std::getline(lines, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line == "/.migsafe/" || line == ".migsafe/" || line == ".migsafe" || line == "/.migsafe") return true;
  }
  return false;
}

// Appends the backup directory to DIR/.gitignore (creating it) unless it is already ignored.
// Returns whether the file changed.
bool ignore_backups(const fs::path& dir) {
  const fs::path file = dir / ".gitignore";
  std::string text;
  if (fs::exists(file)) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  if (ignores_backups(text)) return false;
  std::ofstream out(file, std::ios::binary | std::ios::app);
  if (!text.empty() && text.back() != '\n') out << '\n';
  out << "# migsafe's local backups (migsafe init)\n" << kIgnoreLine << '\n';
  if (!out) throw usage_error(file.string() + ": cannot write");
  return true;
}

void write_new_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  try {
    util::AtomicFile file(path, 0644);
    file.write(text);
    file.commit();
  } catch (const std::runtime_error& e) {
    throw usage_error(e.what());
  }
}

int init_command(const InitOptions& options, const Console& console) {
  const fs::path dir = options.dir;
  config::SupabaseProject project = config::read_supabase_project(dir);
  std::vector<std::pair<fs::path, std::string>> files{
      {dir / kPipelinePath, config::render_pipeline(pipeline_for(project, console))}};
  if (options.github) {
    files.emplace_back(dir / kWorkflowPath, config::render_workflow(kPipelinePath, options.action));
  }
  // Refuse before writing anything, so a second `init` changes nothing.
  for (const auto& [path, text] : files) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path, ec))) {
      throw usage_error(path.string() + " already exists; migsafe init never overwrites a file: edit it, "
                                        "or move it away and run init again");
    }
  }
  for (const auto& [path, text] : files) {
    write_new_file(path, text);
    console.note("wrote " + path.string());
  }
  if (ignore_backups(dir)) console.note("added " + std::string(kIgnoreLine) + " to " + (dir / ".gitignore").string());
  if (!project.has_migrations_dir) console.note("note: " + project.migrations_dir.string() + " does not exist yet");
  if (options.github && options.action == kDefaultAction) {
    console.note("edit `uses:` in " + (dir / kWorkflowPath).string() +
                 " to name migsafe's action (or pass --action OWNER/REPO/.github/actions/migsafe@REF)");
  }
  const std::string pipeline = (dir / kPipelinePath).lexically_normal().string();
  console.note("next: migsafe validate " + pipeline + " && migsafe run " + pipeline + " --ephemeral");
  if (console.options().json) {
    nlohmann::json written = nlohmann::json::array();
    for (const auto& file : files) written.push_back(file.first.string());
    std::printf("%s\n", nlohmann::json{{"status", "written"}, {"files", written}, {"exit_code", 0}}.dump(2).c_str());
  }
  return 0;
}

}  // namespace

void register_init(CLI::App& app, Globals& globals) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* cmd = app.add_subcommand(
      "init", "Write pipelines/migsafe.toml (and with --github a workflow) for an existing supabase/ tree");
  cmd->add_option("DIR", options->dir, "The repository that holds supabase/ (default: .)");
  cmd->add_flag("--github", options->github, "Also write .github/workflows/migsafe.yml");
  cmd->add_option("--action", options->action,
                  "What the workflow's `uses:` names: migsafe's action, OWNER/REPO/.github/actions/migsafe@REF");
  cmd->callback([&globals, options] {
    globals.action = [options](const Console& console) { return init_command(*options, console); };
  });
}

}  // namespace migsafe::cli
