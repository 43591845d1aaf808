// Which seed files a pipeline loads before its tests, found as `supabase db reset` finds them:
// `[verify] seed` when the pipeline names them, else `[db.seed] sql_paths` of the project's
// supabase/config.toml (default ["seed.sql"], relative to the supabase directory, `enabled = false`
// turns seeding off), the supabase directory being the parent of a `migrations` directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/pipeline.hpp"

namespace migsafe::config {

// The seed files in load order, and what a user should know about how they were found.
struct SeedFiles {
  std::vector<std::filesystem::path> files;  // absolute, each once, in the order they load
  std::string source;                        // where the list came from, for the report
  std::vector<std::string> warnings;         // e.g. a pattern that matched nothing
};

// The seed files of `pipeline`. As the CLI: each pattern is a glob (`*`, `?`, `[...]`), its
// matches sorted by name, later duplicates dropped. Throws a usage error (exit 2) naming
// config.toml's file:line when it cannot be read.
SeedFiles find_seed_files(const Pipeline& pipeline);

}  // namespace migsafe::config
