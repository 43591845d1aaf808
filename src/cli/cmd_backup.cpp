// `migsafe backup create|restore|verify|decrypt PIPELINE [TARGET]`: the commands that read or write
// a database or a backup's contents. Bookkeeping commands are in cmd_backup_store.cpp.
#include "cli/cmd_backup.hpp"

#include <unistd.h>

#include <iostream>

#include "core/error.hpp"
#include "pipeline/backup_commands.hpp"
#include "pipeline/checks_step.hpp"
#include "pipeline/connect.hpp"
#include "pipeline/remote_commands.hpp"
#include "pipeline/run.hpp"

namespace migsafe::cli {
namespace {

struct DataFlags {
  BackupFlags common;
  std::string tag_note;  // create
  bool yes = false;      // restore
  bool all = false;      // verify
  bool drill = false;    // verify
  std::string output;    // decrypt
};

// A context for one backup command, wired to the console.
std::unique_ptr<pipeline::Context> make_context(const config::Pipeline& p, const Target& target,
                                                const std::string& name, const Console& console) {
  auto context = std::make_unique<pipeline::Context>(p, target.conninfo);
  context->observer =
      pipeline::Observer{[&console](const report::Step& s) { console.step(s); },
                         [&console](const std::string& line) { console.note(line); }};
  context->report.command = "backup " + name;
  context->report.pipeline = p.name;
  context->report.pipeline_file = p.file.string();
  context->report.run_id = pipeline::new_run_id();
  context->report.database_url = target.display;
  return context;
}

int create_command(const DataFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  if (f.common.remote && !p.backup.remote)
    throw usage_error(p.file.string() + ": --remote needs a [backup.remote] table in the pipeline");
  mask_remote_secrets(p, console, false);
  Target target = resolve_target(f.common.target, &p);
  auto context = make_context(p, target, "create", console);
  backup::Manifest m = pipeline::create_backup(*context, f.tag_note);
  console.note("backup " + m.backup_id + " of version " + m.migration_version + " in " +
               p.backup.dir.string());
  for (const auto& w : context->report.warnings) console.note("warning: " + w);
  print_json(console, m.to_json());
  return 0;
}

// Asks on the terminal; refuses without --yes in CI or when nobody can answer.
bool confirmed(const DataFlags& f, const backup::StoredBackup& b, const Target& target,
               const config::Pipeline& p) {
  if (f.yes) return true;
  if (std::getenv("CI") != nullptr || !isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
    throw Error(Exit::refused,
                "restore needs --yes when not run interactively (CI, or stdin is not a terminal); "
                "nothing was changed");
  }
  std::string schemas;
  for (const auto& s : p.database.schemas) schemas += (schemas.empty() ? "" : ", ") + s;
  std::cerr << "Restore " << b.manifest.backup_id << " (version " << b.manifest.migration_version
            << ") into " << target.display << "?\nThis replaces schemas " << schemas
            << " and the migration history; a safety backup is taken first. Type 'yes' to go on: "
            << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

int restore_command(const DataFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::Store store = open_store(p, console, f.common.remote);
  const backup::StoredBackup* found = &backup::find_backup(store, f.common.id, f.common.tag);
  backup::Store fetched;
  if (f.common.remote) {  // into the local store, checked against the manifest as it arrives
    auto remote = pipeline::open_remote(p);
    fetched = pipeline::fetch_remote_backup(p, remote, *found);
    console.note("fetched " + found->manifest.backup_id + " from " + remote.url());
    found = &fetched.backups.front();
  }
  const backup::StoredBackup& chosen = *found;
  Target target = resolve_target(f.common.target, &p);
  auto context = make_context(p, target, "restore", console);
  pipeline::restore_from_backup(*context, chosen, [&] { return confirmed(f, chosen, target, p); });
  std::string safety = context->report.backup.value("backup_id", std::string());
  console.note("restored " + chosen.manifest.backup_id + ": database back at version " +
               chosen.manifest.migration_version + "; undo with: migsafe backup restore " +
               p.file.string() + " --id " + safety);
  print_json(console, {{"restored", chosen.manifest.backup_id},
                       {"migration_version", chosen.manifest.migration_version},
                       {"safety_backup", safety},
                       {"fingerprint", chosen.manifest.schema_fingerprint}});
  return 0;
}

nlohmann::json outcome_json(const pipeline::VerifyOutcome& o) {
  nlohmann::json j = {{"backup_id", o.backup_id}, {"ok", o.ok}, {"duration_ms", o.duration_ms}};
  j["error"] = o.error.empty() ? nlohmann::json() : nlohmann::json(o.error);
  if (o.drill)
    j["restore_drill"] = {
        {"ok", o.drill->ok}, {"rto_ms", o.drill->restore_ms}, {"problems", o.drill->problems}};
  return j;
}

void show_outcome(const Console& console, const pipeline::VerifyOutcome& o) {
  std::string line = (o.ok ? "ok    " : "FAIL  ") + o.backup_id + "  verified in " +
                     std::to_string(o.duration_ms) + " ms";
  if (o.drill)
    line += ", restore drill " + std::string(o.drill->ok ? "passed" : "failed") + " (RTO " +
            std::to_string(o.drill->restore_ms) + " ms)";
  console.note(line);
  if (!o.ok) console.error(o.backup_id + ": " + o.error);
}

// The pipeline's verification tests (pgTAP files, assertions), run in a drill's scratch database.
backup::DrillTests drill_tests(const config::Pipeline& p) {
  if (!pipeline::has_verify_checks(p)) return nullptr;
  return [&p](const pg::ConnInfo& scratch) {
    pipeline::Context context(p, scratch);
    context.report.command = "drill";
    context.work = pipeline::open_session(scratch, "migsafe restore drill");
    return pipeline::run_verify(context, false, false).failures;
  };
}

int verify_command(const DataFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::Store store = open_store(p, console, f.common.remote);
  std::optional<backup::RemoteStore> remote;
  if (f.common.remote) remote.emplace(pipeline::open_remote(p));
  std::vector<const backup::StoredBackup*> chosen;
  if (f.all) {
    for (const auto& b : store.backups) chosen.push_back(&b);
  } else if (!f.common.id.empty() || !f.common.tag.empty()) {
    chosen.push_back(&backup::find_backup(store, f.common.id, f.common.tag));
  } else if (!store.backups.empty()) {
    chosen.push_back(&store.backups.front());
  }
  if (chosen.empty())
    throw Error(Exit::refused, "no backups to verify in " + store.dir.string());
  std::optional<Target> target;
  if (f.drill) target = resolve_target(f.common.target, &p);
  auto key = backup::load_key(p.backup);
  nlohmann::json results = nlohmann::json::array();
  bool all_ok = true;
  for (const auto* b : chosen) {
    auto outcome =
        !remote   ? pipeline::verify_backup(p, *b, key, target ? &target->conninfo : nullptr,
                                            drill_tests(p))
        : target  ? pipeline::drill_remote_backup(p, *remote, *b, key, target->conninfo,
                                                  drill_tests(p))
                  : pipeline::verify_remote_backup(p, *remote, *b, key);
    show_outcome(console, outcome);
    results.push_back(outcome_json(outcome));
    all_ok = all_ok && outcome.ok;
  }
  print_json(console, {{"ok", all_ok}, {"backups", results}});
  return all_ok ? 0 : int(Exit::refused);
}

int decrypt_command(const DataFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  backup::Store store = open_store(p, console);
  if (f.common.remote) throw usage_error("decrypt works on the local store: fetch the backup first");
  const auto& chosen = backup::find_backup(store, f.common.id, f.common.tag);
  pipeline::decrypt_backup(chosen, backup::load_key(p.backup), f.output);
  if (f.output != "-") console.note("decrypted " + chosen.manifest.backup_id + " to " + f.output);
  return 0;
}

CLI::App* add(CLI::App* backup, Globals& globals, const std::string& name, const std::string& help,
              std::shared_ptr<DataFlags> flags, int (*command)(const DataFlags&, const Console&)) {
  CLI::App* cmd = backup->add_subcommand(name, help);
  add_backup_flags(cmd, flags->common, name != "decrypt");
  cmd->callback([&globals, flags, command] {
    globals.action = [flags, command](const Console& console) { return command(*flags, console); };
  });
  return cmd;
}

}  // namespace

void register_backup_data_commands(CLI::App* backup, Globals& globals) {
  auto f = std::make_shared<DataFlags>();
  add(backup, globals, "create", "Take a verified, tagged backup now (outside a run), then prune",
      f, create_command)
      ->add_option("--tag-note", f->tag_note, "A note stored in the manifest (e.g. \"weekly\")");
  CLI::App* restore =
      add(backup, globals, "restore",
          "Return the owned schemas and the history to a backup's state (safety backup first)", f,
          restore_command);
  restore->add_flag("--yes,-y", f->yes,
                    "Do not ask (required in CI and when stdin is not a terminal)");
  CLI::App* verify =
      add(backup, globals, "verify",
          "Check checksum, decryption and pg_restore --list (default: the newest backup)", f,
          verify_command);
  verify->add_flag("--all", f->all, "Every backup in the store");
  verify->add_flag("--restore-drill", f->drill,
                   "Also restore into a scratch database on TARGET's server and check it "
                   "(with --remote: downloaded to a temporary directory first)");
  add(backup, globals, "decrypt",
      "Write a backup's decrypted data file (zstd -dc | pg_restore reads it)", f, decrypt_command)
      ->add_option("--output,-o", f->output, "Output file, or - for stdout")
      ->required();
}

void register_backup(CLI::App& app, Globals& globals) {
  CLI::App* backup = app.add_subcommand(
      "backup", "The backup store: create, list, show, verify, restore, prune, health");
  backup->require_subcommand(1);
  register_backup_data_commands(backup, globals);
  register_backup_store_commands(backup, globals);
  register_backup_push(backup, globals);
}

}  // namespace migsafe::cli
