// What the `migsafe backup ...` command files share: the common flags, and output helpers.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "backup/store.hpp"
#include "cli/command.hpp"
#include "cli/target.hpp"
#include "config/pipeline.hpp"

namespace migsafe::cli {

// Flags every `backup` subcommand takes (each uses what it needs).
struct BackupFlags {
  std::string pipeline;  // PIPELINE
  TargetOptions target;  // [TARGET]
  std::string id, tag;   // --id ID | --tag VERSION
};

// Adds PIPELINE (required) and --id/--tag to `command`; TARGET flags too when `with_target`.
void add_backup_flags(CLI::App* command, BackupFlags& flags, bool with_target);

// Reads the pipeline's backup store, showing unreadable manifests as notes.
backup::Store open_store(const config::Pipeline& pipeline, const Console& console);

// Prints `value` on stdout (pretty) when --json is given.
void print_json(const Console& console, const nlohmann::json& value);

// `create|restore|verify|decrypt` under `backup`: they read or write a database or a backup's
// contents.
void register_backup_data_commands(CLI::App* backup, Globals& globals);
// `list|show|prune|pin|unpin|health` under `backup`: bookkeeping on the store, no database (TARGET
// is accepted, as the contract lists it for every `backup` subcommand, and not used).
void register_backup_store_commands(CLI::App* backup, Globals& globals);

}  // namespace migsafe::cli
