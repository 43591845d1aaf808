#include "pipeline/backup_step.hpp"

#include <thread>

#include "backup/copy.hpp"
#include "backup/dump.hpp"
#include "backup/key.hpp"
#include "backup/store.hpp"
#include "core/error.hpp"
#include "pg/tools.hpp"
#include "pipeline/remote_copy.hpp"
#include "util/human_bytes.hpp"
#include "util/process.hpp"

namespace migsafe::pipeline {
namespace {

std::string git_sha(const config::Pipeline& pipeline) {
  if (const char* sha = getenv("GITHUB_SHA")) return sha;
  if (!util::find_program("git")) return "";
  util::Command git;
  git.argv = {"git", "-C", pipeline.dir.string(), "rev-parse", "HEAD"};
  auto result = util::run_process(git);
  std::string out = result.ok() ? result.stdout_text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Ids have one-second resolution: a second backup in the same second (e.g. a safety backup right
// after a manual one) waits for the next second instead of colliding.
std::string unique_backup_id(const Context& context, std::chrono::system_clock::time_point& now) {
  const auto& dir = context.pipeline.backup.dir;
  while (true) {
    now = std::chrono::system_clock::now();
    std::string id =
        backup::make_backup_id(now, context.control->database(), context.state.current_version);
    std::error_code ec;
    if (!std::filesystem::exists(dir / (id + ".json"), ec)) return id;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

backup::DumpRequest dump_request(Context& context,
                                 const std::optional<backup::EncryptionKey>& key) {
  const auto& p = context.pipeline;
  backup::DumpRequest request;
  request.target = context.target;
  request.pg_dump_path =
      pg::find_pg_tool("pg_dump", server_major(context), bin_dir(p), int(Exit::refused));
  request.pg_restore_path =
      pg::find_pg_tool("pg_restore", server_major(context), bin_dir(p), int(Exit::refused));
  request.dir = p.backup.dir;
  const bool directory = p.backup.format == config::BackupFormat::directory;
  request.format = directory ? "directory" : "custom";
  request.jobs = p.backup.jobs;
  // The directory format's files are compressed by pg_dump itself; migsafe adds no layer.
  request.compression =
      !directory && p.backup.compression == config::Compression::zstd ? "zstd" : "none";
  request.compression_level = p.backup.compression_level;
  request.schemas = p.database.schemas;
  if (key) request.key = key->bytes;
  return request;
}

// Runs `[backup.copy]` and records its outcome in the manifest; a failure warns or refuses.
void copy_backup(Context& context, backup::Manifest& m,
                 const std::filesystem::path& manifest_path) {
  const auto& copy = context.pipeline.backup.copy;
  if (!copy) return;
  m.copy = backup::run_copy(context.pipeline.backup, context.pipeline.dir, manifest_path, m);
  backup::save_manifest(manifest_path, m);
  if (m.copy["status"] == "ok") return;
  std::string message =
      "backup copy of " + m.backup_id + " failed (" + m.copy["error"].get<std::string>() + ")";
  if (copy->on_error == config::CopyOnError::fail)
    throw Error(Exit::refused, message + "; backup.copy.on_error = \"fail\"");
  context.report.warnings.push_back(message);
  context.note("warning: " + message);
}

}  // namespace

int server_major(const Context& context) {
  return context.control->server_version_num() / 10000;
}

std::string bin_dir(const config::Pipeline& p) {
  return p.database.pg_bin_dir ? p.database.pg_bin_dir->string() : "";
}

void take_snapshot(Context& context, bool outside) {
  StepTimer step(context, "snapshot");
  context.before = pg::take_fingerprint(*context.control, context.pipeline.database.schemas);
  context.rows_before = pg::count_rows(*context.control, context.pipeline.database.schemas);
  if (outside) context.outside_before = pg::take_outside_snapshot(*context.control, context.pipeline.database.schemas);
  step.ok(context.before.hash.substr(0, 19) + "..., " +
          std::to_string(context.before.facts.size()) + " catalog facts, " +
          std::to_string(context.rows_before.size()) + " tables" +
          (outside ? ", " + std::to_string(context.outside_before.objects.size()) + " objects and " +
                         std::to_string(context.outside_before.data.size()) + " tables outside them"
                   : std::string()));
}

backup::Manifest write_backup(Context& context, const std::string& kind,
                              const std::string& tag_note, std::string* timings) {
  const auto& p = context.pipeline;
  std::optional<backup::EncryptionKey> key = backup::load_key(p.backup);
  backup::DumpRequest request = dump_request(context, key);
  auto now = std::chrono::system_clock::now();
  request.backup_id = unique_backup_id(context, now);
  auto remote = RemoteCopy::start(
      context, backup::data_file_name(request.backup_id, request.compression, !request.key.empty()),
      request.backup_id);
  if (remote) {
    request.tee = remote->sink();
    request.on_written = remote->on_written();
  }
  auto start = std::chrono::steady_clock::now();
  backup::DumpResult result = backup::dump_database(request);
  if (timings)
    *timings = "dump " + std::to_string(result.dump_ms) + " ms, verify " +
               std::to_string(result.verify_ms) + " ms";

  backup::Manifest m;
  m.backup_id = request.backup_id;
  m.created_at = backup::iso8601_utc(now);
  m.migration_version = context.state.current_version;
  m.target_version =
      context.report.to_version.empty() ? context.state.current_version : context.report.to_version;
  m.pipeline = p.name;
  m.git_sha = git_sha(p);
  m.database = context.control->database();
  m.server_version = context.control->server_version();
  m.format = request.format;
  m.compression = request.compression;
  if (m.format == "directory") m.files = result.files;
  m.file = result.data_file.filename().string();
  m.bytes = result.bytes;
  m.checksum = result.checksum;
  if (key) m.encryption = backup::encryption_json(*key);
  m.duration_ms = elapsed_ms(start);
  m.schema_fingerprint = context.before.hash;
  m.fingerprint_version = context.before.version;
  m.row_counts = context.rows_before;
  m.schema_file = result.schema_file.filename().string();
  m.status = "verified";
  m.kind = kind;
  m.tag_note = tag_note;
  m.run_id = context.report.run_id;
  m.migsafe_version = MIGSAFE_VERSION;
  const auto manifest_path = p.backup.dir / (m.backup_id + ".json");
  backup::save_manifest(manifest_path, m);
  if (remote) remote->finish(context, m, manifest_path);
  context.backup_file = result.data_file.string();
  context.backup_compression = request.compression;
  copy_backup(context, m, manifest_path);
  return m;
}

void take_backup(Context& context) {
  StepTimer step(context, "backup");
  std::string timings;
  backup::Manifest m = write_backup(context, "pre-run", "", &timings);
  context.report.backup = m.to_json();
  step.ok(m.backup_id + ", " + util::human_bytes(m.bytes) + ", " + m.checksum.substr(0, 19) +
          "...," +
          (m.encryption.is_null()
               ? ""
               : " encrypted with key " + m.encryption["key_id"].get<std::string>() + ",") +
          " verified (" + timings + ")");
}

void prune_backups(Context& context) {
  StepTimer step(context, "prune");
  const auto& b = context.pipeline.backup;
  try {
    backup::Store store = backup::read_store(b.dir);
    auto doomed = backup::prune_candidates(store, b.keep_last, b.max_age_days,
                                           std::chrono::system_clock::now());
    for (const auto* d : doomed) backup::remove_backup(*d);
    step.ok(std::to_string(doomed.size()) + " removed, " +
            std::to_string(store.backups.size() - doomed.size()) + " kept (keep_last " +
            std::to_string(b.keep_last) + ", max_age_days " + std::to_string(b.max_age_days) + ")");
  } catch (const std::exception& e) {
    context.report.warnings.push_back(std::string("pruning backups failed: ") + e.what());
    step.failed(e.what());
  }
  prune_remote_backups(context);
}

}  // namespace migsafe::pipeline
