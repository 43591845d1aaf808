// `migsafe backup list|show|prune|pin|unpin|health PIPELINE [TARGET]`: bookkeeping on the backup
// store; no database is needed (TARGET is accepted and not used).
#include <cstdio>

#include "backup/health.hpp"
#include "cli/cmd_backup.hpp"
#include "core/error.hpp"
#include "util/duration.hpp"
#include "util/human_bytes.hpp"

namespace migsafe::cli {
namespace {

struct StoreFlags {
  BackupFlags common;
  std::string positional_id;    // pin/unpin ID
  bool dry_run = false;         // prune
  std::string max_age;          // health
  double min_size_ratio = 0.5;  // health
};

nlohmann::json list_entry(const backup::StoredBackup& b) {
  const auto& m = b.manifest;
  return {{"backup_id", m.backup_id},
          {"created_at", m.created_at},
          {"migration_version", m.migration_version},
          {"target_version", m.target_version},
          {"bytes", m.bytes},
          {"encrypted", b.encrypted()},
          {"verified", b.verified()},
          {"status", m.status},
          {"kind", m.kind},
          {"pinned", m.pinned},
          {"file", b.data_path().string()}};
}

int list_command(const StoreFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::Store store = open_store(p, console, f.common.remote);
  nlohmann::json all = nlohmann::json::array();
  for (const auto& b : store.backups) all.push_back(list_entry(b));
  if (console.options().json) {
    print_json(console, all);
    return 0;
  }
  std::printf("%-44s %-20s %-16s %-16s %10s %-4s %-10s %-8s\n", "ID", "CREATED", "VERSION",
              "TARGET", "SIZE", "ENC", "STATUS", "KIND");
  for (const auto& b : store.backups) {
    const auto& m = b.manifest;
    std::printf("%-44s %-20s %-16s %-16s %10s %-4s %-10s %-8s%s\n", m.backup_id.c_str(),
                m.created_at.c_str(), m.migration_version.c_str(), m.target_version.c_str(),
                util::human_bytes(m.bytes).c_str(), b.encrypted() ? "yes" : "no", m.status.c_str(),
                m.kind.c_str(), m.pinned ? " pinned" : "");
  }
  if (store.backups.empty()) console.note("no backups in " + store.dir.string());
  return 0;
}

int show_command(const StoreFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::Store store = open_store(p, console, f.common.remote);
  const auto& b = backup::find_backup(store, f.common.id, f.common.tag);
  std::printf("%s\n", b.manifest.to_json().dump(2).c_str());
  return 0;
}

int prune_command(const StoreFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::Store store = open_store(p, console, f.common.remote);
  auto doomed = backup::prune_candidates(store, p.backup.keep_last, p.backup.max_age_days,
                                         std::chrono::system_clock::now());
  nlohmann::json ids = nlohmann::json::array();
  for (const auto* b : doomed) {
    if (!f.dry_run) remove_stored(p, *b, f.common.remote);
    console.note((f.dry_run ? "would remove " : "removed ") + b->manifest.backup_id);
    ids.push_back(b->manifest.backup_id);
  }
  console.note(std::to_string(store.backups.size() - doomed.size()) + " kept (keep_last " +
               std::to_string(p.backup.keep_last) + ", max_age_days " +
               std::to_string(p.backup.max_age_days) +
               "; the newest verified and pinned backups are always kept)");
  print_json(
      console,
      {{"dry_run", f.dry_run}, {"removed", ids}, {"kept", store.backups.size() - doomed.size()}});
  return 0;
}

int pin_command(const StoreFlags& f, const Console& console, bool pin) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::Store store = open_store(p, console, f.common.remote);
  std::string id = f.positional_id.empty() ? f.common.id : f.positional_id;
  const auto& b = backup::find_backup(store, id, f.common.tag);
  backup::Manifest m = b.manifest;
  m.pinned = pin;
  save_stored_manifest(p, b, m, f.common.remote);
  console.note((pin ? "pinned " : "unpinned ") + m.backup_id);
  print_json(console, {{"backup_id", m.backup_id}, {"pinned", pin}});
  return 0;
}

int health_command(const StoreFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::HealthLimits limits;
  if (!f.max_age.empty()) {
    limits.max_age = util::parse_duration(f.max_age);
    if (!limits.max_age)
      throw usage_error("--max-age: not a duration: \"" + f.max_age + "\" (e.g. 26h, 2d)");
  }
  if (f.min_size_ratio < 0 || f.min_size_ratio > 1)
    throw usage_error("--min-size-ratio must be between 0 and 1");
  limits.min_size_ratio = f.min_size_ratio;
  backup::Store store = f.common.remote ? open_store(p, console, true) : backup::read_store(p.backup.dir);
  auto problems = backup::health_problems(store, limits, std::chrono::system_clock::now(),
                                          store_check(p, f.common.remote));
  for (const auto& line : problems) console.error(line);
  if (problems.empty()) {
    console.note(
        "healthy: " + std::to_string(store.backups.size()) + " backups, the newest " +
        store.backups.front().manifest.backup_id);  // healthy implies a verified backup exists
  }
  print_json(
      console,
      {{"healthy", problems.empty()}, {"problems", problems}, {"backups", store.backups.size()}});
  return problems.empty() ? 0 : int(Exit::refused);
}

template <typename Fn>
CLI::App* add(CLI::App* backup, Globals& globals, const std::string& name, const std::string& help,
              std::shared_ptr<StoreFlags> flags, Fn command) {
  CLI::App* cmd = backup->add_subcommand(name, help);
  // The contract gives every `backup` subcommand a [TARGET]; the store is the pipeline's backup
  // directory, so these accept it (a CI step can pass the same flags to each) and connect nowhere.
  add_backup_flags(cmd, flags->common, true);
  cmd->callback([&globals, flags, command] {
    globals.action = [flags, command](const Console& console) { return command(*flags, console); };
  });
  return cmd;
}

}  // namespace

void add_backup_flags(CLI::App* command, BackupFlags& flags, bool with_target) {
  command->add_option("PIPELINE", flags.pipeline, "Pipeline file (TOML)")->required();
  command->add_flag("--remote", flags.remote, "The [backup.remote] store (S3) instead of backup.dir");
  if (with_target) add_target_options(command, flags.target);
  auto* id = command->add_option("--id", flags.id, "A backup id");
  command
      ->add_option("--tag", flags.tag,
                   "The backup of this migration version (the newest verified one)")
      ->excludes(id);
}

backup::Store open_store(const config::Pipeline& pipeline, const Console& console) {
  backup::Store store = backup::read_store(pipeline.backup.dir);
  for (const auto& problem : store.problems) console.note("warning: skipped " + problem);
  return store;
}

void print_json(const Console& console, const nlohmann::json& value) {
  if (console.options().json) std::printf("%s\n", value.dump(2).c_str());
}

void register_backup_store_commands(CLI::App* backup, Globals& globals) {
  auto f = std::make_shared<StoreFlags>();
  add(backup, globals, "list", "List backups, newest first", f, list_command);
  add(backup, globals, "show", "Print a backup's manifest", f, show_command);
  add(backup, globals, "prune",
      "Remove backups beyond keep_last and max_age_days (never the newest verified or pinned)", f,
      prune_command)
      ->add_flag("--dry-run", f->dry_run, "Only list what would be removed");
  add(backup, globals, "pin", "Keep a backup forever (prune skips it)", f,
      [](const StoreFlags& s, const Console& c) { return pin_command(s, c, true); })
      ->add_option("ID", f->positional_id, "Backup id");
  add(backup, globals, "unpin", "Let prune remove a backup again", f,
      [](const StoreFlags& s, const Console& c) { return pin_command(s, c, false); })
      ->add_option("ID", f->positional_id, "Backup id");
  CLI::App* health = add(backup, globals, "health",
                         "Exit 4 with the reason when the store is unhealthy", f, health_command);
  health->add_option("--max-age", f->max_age,
                     "Fail when the newest verified backup is older (e.g. 26h)");
  health->add_option(
      "--min-size-ratio", f->min_size_ratio,
      "Fail when the newest verified backup is smaller than R x the previous one (default 0.5)");
}

}  // namespace migsafe::cli
