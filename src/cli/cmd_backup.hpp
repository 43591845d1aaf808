// What the `migsafe backup ...` command files share: the common flags, and output helpers.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "backup/health.hpp"
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
  bool remote = false;   // --remote: the `[backup.remote]` store instead of the directory
};

// Adds PIPELINE (required) and --id/--tag to `command`; TARGET flags too when `with_target`.
void add_backup_flags(CLI::App* command, BackupFlags& flags, bool with_target);

// Reads the pipeline's backup store, showing unreadable manifests as notes.
backup::Store open_store(const config::Pipeline& pipeline, const Console& console);

// The local store, or with `remote` the `[backup.remote]` one (its paths are s3:// URLs).
backup::Store open_store(const config::Pipeline& pipeline, const Console& console, bool remote);
// Removes `backup` from the local or (`remote`) the remote store.
void remove_stored(const config::Pipeline& pipeline, const backup::StoredBackup& backup,
                   bool remote);
// Writes `manifest` for `backup` back to the local or (`remote`) the remote store.
void save_stored_manifest(const config::Pipeline& pipeline, const backup::StoredBackup& backup,
                          const backup::Manifest& manifest, bool remote);
// The per-backup check `health` runs: the local checksum, or (`remote`) HEAD size and ETag.
backup::BackupCheck store_check(const config::Pipeline& pipeline, bool remote);
// Prints `::add-mask::` for the remote store's secret key and session token when GitHub output
// is on (`github`, or GITHUB_ACTIONS=true).
void mask_remote_secrets(const config::Pipeline& pipeline, const Console& console, bool github);

// Prints `value` on stdout (pretty) when --json is given.
void print_json(const Console& console, const nlohmann::json& value);

// `create|restore|verify|decrypt` under `backup`: they read or write a database or a backup's
// contents.
void register_backup_data_commands(CLI::App* backup, Globals& globals);
// `push` under `backup`: local backups up to the remote store.
void register_backup_push(CLI::App* backup, Globals& globals);
// `list|show|prune|pin|unpin|health` under `backup`: bookkeeping on the store, no database (TARGET
// is accepted, as the contract lists it for every `backup` subcommand, and not used).
void register_backup_store_commands(CLI::App* backup, Globals& globals);

}  // namespace migsafe::cli
