#include "pipeline/backup_step.hpp"

#include <cstdio>

#include "backup/dump.hpp"
#include "backup/manifest.hpp"
#include "core/error.hpp"
#include "pg/tools.hpp"
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

std::string human_bytes(uint64_t bytes) {
  char buffer[32];
  if (bytes >= (1ull << 30)) std::snprintf(buffer, sizeof buffer, "%.1f GiB", double(bytes) / (1ull << 30));
  else if (bytes >= (1ull << 20)) std::snprintf(buffer, sizeof buffer, "%.1f MiB", double(bytes) / (1ull << 20));
  else std::snprintf(buffer, sizeof buffer, "%.1f KiB", double(bytes) / 1024);
  return buffer;
}

std::string bin_dir(const config::Pipeline& p) { return p.database.pg_bin_dir ? p.database.pg_bin_dir->string() : ""; }

}  // namespace

int server_major(const Context& context) { return context.control->server_version_num() / 10000; }

void take_snapshot(Context& context) {
  StepTimer step(context, "snapshot");
  context.before = pg::take_fingerprint(*context.control, context.pipeline.database.schemas);
  context.rows_before = pg::count_rows(*context.control, context.pipeline.database.schemas);
  step.ok(context.before.hash.substr(0, 19) + "..., " + std::to_string(context.before.facts.size()) +
          " catalog facts, " + std::to_string(context.rows_before.size()) + " tables");
}

void take_backup(Context& context) {
  StepTimer step(context, "backup");
  const auto& p = context.pipeline;
  backup::DumpRequest request;
  request.target = context.target;
  request.pg_dump_path = pg::find_pg_tool("pg_dump", server_major(context), bin_dir(p), int(Exit::refused));
  request.pg_restore_path = pg::find_pg_tool("pg_restore", server_major(context), bin_dir(p), int(Exit::refused));
  request.dir = p.backup.dir;
  auto now = std::chrono::system_clock::now();
  request.backup_id = backup::make_backup_id(now, context.control->database(), context.state.current_version);
  request.compression = p.backup.compression == config::Compression::zstd ? "zstd" : "none";
  request.compression_level = p.backup.compression_level;
  request.schemas = p.database.schemas;
  backup::DumpResult result = backup::dump_database(request);

  backup::Manifest m;
  m.backup_id = request.backup_id;
  m.created_at = backup::iso8601_utc(now);
  m.migration_version = context.state.current_version;
  m.target_version = context.report.to_version;
  m.pipeline = p.name;
  m.git_sha = git_sha(p);
  m.database = context.control->database();
  m.server_version = context.report.server_version;
  m.compression = request.compression;
  m.file = result.data_file.filename().string();
  m.bytes = result.bytes;
  m.checksum = result.checksum;
  m.duration_ms = result.dump_ms + result.verify_ms;
  m.schema_fingerprint = context.before.hash;
  m.row_counts = context.rows_before;
  m.schema_file = result.schema_file.filename().string();
  m.status = "verified";
  m.kind = "pre-run";
  m.run_id = context.report.run_id;
  m.migsafe_version = MIGSAFE_VERSION;
  backup::save_manifest(p.backup.dir / (m.backup_id + ".json"), m);

  context.backup_file = result.data_file.string();
  context.backup_compression = request.compression;
  context.report.backup = m.to_json();
  step.ok(m.backup_id + ", " + human_bytes(m.bytes) + ", " + m.checksum.substr(0, 19) + "..., verified (dump " +
          std::to_string(result.dump_ms) + " ms, verify " + std::to_string(result.verify_ms) + " ms)");
}

}  // namespace migsafe::pipeline
