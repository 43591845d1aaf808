// Seed discovery as the Supabase CLI does it (pkg/config/config.go: Db.Seed defaults to enabled
// with sql_paths ["seed.sql"], each resolved against the supabase directory; Glob.Files sorts each
// pattern's matches and drops duplicates; a pattern matching nothing is a warning).
#include "config/seed_files.hpp"

#include <glob.h>

#include <algorithm>
#include <toml++/toml.h>

#include "core/error.hpp"

namespace migsafe::config {
namespace fs = std::filesystem;
namespace {

// The files `pattern` matches, sorted by name.
std::vector<fs::path> glob_files(const std::string& pattern) {
  std::vector<fs::path> out;
  glob_t matches{};
  if (glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
    for (size_t i = 0; i < matches.gl_pathc; ++i) {
      std::error_code ec;
      if (fs::is_regular_file(matches.gl_pathv[i], ec)) out.emplace_back(matches.gl_pathv[i]);
    }
  }
  globfree(&matches);
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
  return out;
}

void add_matches(const std::vector<std::string>& patterns, SeedFiles& out) {
  for (const auto& pattern : patterns) {
    std::vector<fs::path> found = glob_files(pattern);
    if (found.empty()) out.warnings.push_back("seed pattern " + pattern + " matched no files");
    for (auto& f : found) {
      if (std::find(out.files.begin(), out.files.end(), f) == out.files.end()) out.files.push_back(f);
    }
  }
}

// The `[db.seed]` patterns of `config` (absolute), or nullopt when seeding is turned off.
std::optional<std::vector<std::string>> config_patterns(const fs::path& supabase_dir, const fs::path& config) {
  std::vector<std::string> patterns = {(supabase_dir / "seed.sql").string()};
  std::error_code ec;
  if (!fs::is_regular_file(config, ec)) return patterns;
  toml::table root;
  try {
    root = toml::parse_file(config.string());
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw usage_error(config.string() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
                      std::string(e.description()));
  }
  const toml::node_view<toml::node> seed = root["db"]["seed"];
  if (auto enabled = seed["enabled"].value<bool>(); enabled && !*enabled) return std::nullopt;
  if (const toml::array* paths = seed["sql_paths"].as_array()) {
    patterns.clear();
    for (const auto& p : *paths) {
      auto text = p.value<std::string>();
      if (!text || text->empty()) continue;
      fs::path path(*text);
      patterns.push_back((path.is_absolute() ? path : supabase_dir / path).lexically_normal().string());
    }
  }
  return patterns;
}

}  // namespace

SeedFiles find_seed_files(const Pipeline& pipeline) {
  SeedFiles out;
  if (pipeline.verify.seed) {
    out.source = "[verify] seed";
    add_matches(*pipeline.verify.seed, out);
    return out;
  }
  const fs::path migrations = pipeline.migrations.dir.lexically_normal();
  fs::path dir = migrations.has_filename() ? migrations : migrations.parent_path();
  if (dir.filename() != "migrations") return out;
  const fs::path supabase_dir = dir.parent_path();
  const fs::path config = supabase_dir / "config.toml";
  std::optional<std::vector<std::string>> patterns = config_patterns(supabase_dir, config);
  if (!patterns) {
    out.source = config.string() + " ([db.seed] enabled = false)";
    return out;
  }
  std::error_code ec;
  out.source = fs::is_regular_file(config, ec) ? config.string() + " [db.seed]" : "supabase/seed.sql (CLI default)";
  const bool defaults = !fs::is_regular_file(config, ec);
  add_matches(*patterns, out);
  if (defaults) out.warnings.clear();  // no config.toml and no seed.sql: nothing to say
  return out;
}

}  // namespace migsafe::config
