// The `--remote` side of the backup commands: the same store operations on `[backup.remote]`, and
// the masking of its secrets in GitHub Actions.
#include <cstdlib>
#include <memory>

#include "cli/cmd_backup.hpp"
#include "cli/publish.hpp"
#include "pipeline/remote_commands.hpp"
#include "report/github.hpp"

namespace migsafe::cli {

void mask_remote_secrets(const config::Pipeline& pipeline, const Console& console, bool github) {
  if (!pipeline.backup.remote || !(github || report::github_actions_enabled(false))) return;
  for (const auto* name : {&pipeline.backup.remote->secret_access_key_env,
                           &pipeline.backup.remote->session_token_env}) {
    if (const char* value = std::getenv(name->c_str())) report::emit_mask(value, workflow_stream(console));
  }
}

backup::Store open_store(const config::Pipeline& pipeline, const Console& console, bool remote) {
  if (!remote) return open_store(pipeline, console);
  mask_remote_secrets(pipeline, console, false);
  backup::Store store = pipeline::open_remote(pipeline).read();
  for (const auto& problem : store.problems) console.note("warning: skipped " + problem);
  return store;
}

void remove_stored(const config::Pipeline& pipeline, const backup::StoredBackup& backup,
                   bool remote) {
  if (remote)
    pipeline::open_remote(pipeline).remove(backup);
  else
    backup::remove_backup(backup);
}

void save_stored_manifest(const config::Pipeline& pipeline, const backup::StoredBackup& backup,
                          const backup::Manifest& manifest, bool remote) {
  if (remote)
    pipeline::open_remote(pipeline).put_manifest(manifest);
  else
    backup::save_manifest(backup.manifest_path, manifest);
}

backup::BackupCheck store_check(const config::Pipeline& pipeline, bool remote) {
  if (!remote) return backup::checksum_problem;
  auto store = std::make_shared<backup::RemoteStore>(pipeline::open_remote(pipeline));
  return [store](const backup::StoredBackup& b) { return store->check(b); };
}

}  // namespace migsafe::cli

namespace migsafe::cli {
namespace {

struct PushFlags {
  BackupFlags common;
  bool all = false;
};

// `backup push`: local backups that the remote store lacks (or the one named) go up, each read
// once and checked against its manifest as it is read.
int push_command(const PushFlags& f, const Console& console) {
  config::Pipeline p = config::load_pipeline(f.common.pipeline);
  mask_remote_secrets(p, console, false);
  backup::Store local = open_store(p, console);
  auto remote = pipeline::open_remote(p);
  std::vector<const backup::StoredBackup*> chosen;
  if (!f.common.id.empty() || !f.common.tag.empty()) {
    chosen.push_back(&backup::find_backup(local, f.common.id, f.common.tag));
  } else {
    backup::Store there = remote.read();
    for (const auto& b : local.backups) {
      bool present = false;
      for (const auto& r : there.backups)
        present = present || (r.manifest.backup_id == b.manifest.backup_id &&
                              r.manifest.checksum == b.manifest.checksum);
      if (!present) chosen.push_back(&b);
    }
  }
  nlohmann::json pushed = nlohmann::json::array();
  for (const auto* b : chosen) {
    backup::Manifest m = b->manifest;
    m.remote = remote.push(*b);
    backup::save_manifest(b->manifest_path, m);
    console.note("pushed " + m.backup_id + " to " + m.remote["key"].get<std::string>() + " (" +
                 std::to_string(m.remote["duration_ms"].get<long long>()) + " ms)");
    pushed.push_back(m.remote);
  }
  if (chosen.empty()) console.note("every local backup is already in " + remote.url());
  print_json(console, {{"pushed", pushed}});
  return 0;
}

}  // namespace

void register_backup_push(CLI::App* backup, Globals& globals) {
  auto f = std::make_shared<PushFlags>();
  CLI::App* cmd = backup->add_subcommand(
      "push", "Upload local backups to [backup.remote] (default: those it lacks), checked");
  add_backup_flags(cmd, f->common, false);
  cmd->callback([&globals, f] {
    globals.action = [f](const Console& console) { return push_command(*f, console); };
  });
}

}  // namespace migsafe::cli
