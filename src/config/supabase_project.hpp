// What `migsafe init` learns from an existing Supabase project directory (`<dir>/supabase/`): where
// its migrations and tests are, which schemas its migrations create, which schemas its API exposes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace migsafe::config {

// An existing `supabase/` tree, as the Supabase CLI lays it out.
struct SupabaseProject {
  std::filesystem::path root;            // the directory that holds `supabase/`
  std::filesystem::path migrations_dir;  // root/supabase/migrations (may not exist yet)
  bool has_migrations_dir = false;       // whether migrations_dir exists
  size_t migration_files = 0;            // the `.sql` files in it
  bool has_tests = false;                // root/supabase/tests holds a `.sql` file, at any depth
  // Every schema a migration creates (`create schema [if not exists] x`), in file-name order, each
  // once.
  std::vector<std::string> created_schemas;
  // `[api] schemas` of root/supabase/config.toml, as written; empty when the file or the key is
  // missing.
  std::vector<std::string> api_schemas;
  bool has_config = false;  // root/supabase/config.toml exists
};

// Reads the project under `root`. Throws a usage error (exit 2) when `root/supabase/` is missing,
// or when config.toml is not valid TOML (file:line:column) or its `[api] schemas` is not a list of
// strings.
SupabaseProject read_supabase_project(const std::filesystem::path& root);

// The schemas that `sql` creates with CREATE SCHEMA, in order (names unquoted, unquoted names
// lower-cased as PostgreSQL folds them; `create schema authorization r` creates schema r).
std::vector<std::string> created_schemas(const std::string& sql);

}  // namespace migsafe::config
