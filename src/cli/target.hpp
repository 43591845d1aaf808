// TARGET on the command line: --db URL, --local, --ephemeral, or what the pipeline and the
// environment name. Never a silent default.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "config/pipeline.hpp"
#include "pg/conninfo.hpp"
#include "pg/ephemeral_cluster.hpp"

namespace migsafe::cli {

// The TARGET flags of one command.
struct TargetOptions {
  std::string db;          // --db URL or keyword string
  bool local = false;      // --local: the local Supabase
  bool ephemeral = false;  // --ephemeral: a throwaway cluster
};

// Adds --db, --local and --ephemeral to `command`.
void add_target_options(CLI::App* command, TargetOptions& options);

// A database to work on, and the throwaway server behind it, if any (stopped when this goes).
struct Target {
  pg::ConnInfo conninfo;
  std::string display;  // for messages and reports: never with a password
  std::unique_ptr<pg::EphemeralCluster> cluster;
};

// Resolves the target: flags, then database.url, then the env var database.url_env, then libpq's
// PG* variables. Nothing named → Error(Exit::usage) saying how to name one. `pipeline` may be null.
Target resolve_target(const TargetOptions& options, const config::Pipeline* pipeline);

// The local Supabase database URL that --local stands for.
inline constexpr const char* kLocalSupabaseUrl = "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

// `text` (URL or keyword string) with any password removed, for display.
std::string display_without_password(const std::string& text);

}  // namespace migsafe::cli
