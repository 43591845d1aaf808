// `backup verify` (with restore drills) and `backup decrypt`: reading a stored backup back whole.
#include <chrono>
#include <cstdio>

#include "backup/archive.hpp"
#include "backup/dump.hpp"
#include "core/error.hpp"
#include "pg/tools.hpp"
#include "pg/schema_snapshots.hpp"
#include "pg/session.hpp"
#include "pipeline/backup_commands.hpp"
#include "pipeline/backup_step.hpp"
#include "util/aes_gcm_stream.hpp"
#include "util/atomic_file.hpp"
#include "util/file_reader.hpp"
#include "util/sha256.hpp"

namespace migsafe::pipeline {
namespace {

long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

std::string pg_restore_for(const config::Pipeline& p, const backup::Manifest& m) {
  return pg::find_pg_tool("pg_restore", std::atoi(m.server_version.c_str()), bin_dir(p),
                          int(Exit::refused));
}

nlohmann::json drill_json(const backup::DrillResult& d) {
  return {{"at", backup::iso8601_utc(std::chrono::system_clock::now())},
          {"ok", d.ok},
          {"rto_ms", d.restore_ms},
          {"problems", d.problems}};
}

// Checks the archive whole: checksums, key, decryption, pg_restore --list.
void check_archive(const config::Pipeline& p, const backup::StoredBackup& stored,
                   const std::optional<backup::EncryptionKey>& key, std::string& key_bytes) {
  const auto& m = stored.manifest;
  if (m.format == "directory") {
    backup::FileSums files =
        m.files.is_object() ? m.files.get<backup::FileSums>() : backup::FileSums();
    return backup::verify_directory_archive(stored.data_path(), m.checksum, files,
                                            pg_restore_for(p, m));
  }
  if (m.format != "custom")
    throw Error(Exit::refused, "format \"" + m.format + "\" is not supported");
  key_bytes = backup::key_for(m.encryption, key, m.backup_id);
  backup::verify_archive(stored.data_path(), m.checksum, m.compression, pg_restore_for(p, m),
                         key_bytes);
}

// The object snapshot the ledger stored with this backup, to explain a drill that does not match;
// empty when the ledger is not reachable or does not have it.
std::vector<pg::SchemaFact> stored_objects(const pg::ConnInfo& server, const backup::Manifest& m) {
  try {
    pg::Session session(server, "migsafe restore drill");
    auto snapshot = pg::snapshot_of_backup(session, m.backup_id);
    if (snapshot && snapshot->fingerprint_version == m.fingerprint_version) return snapshot->objects;
  } catch (const std::exception&) {
    // Only an explanation: the drill judges by the fingerprint either way.
  }
  return {};
}

void run_drill(const config::Pipeline& p, const backup::StoredBackup& stored,
               const std::string& key, const pg::ConnInfo& server, const backup::DrillTests& tests,
               VerifyOutcome& out) {
  backup::DrillRequest request;
  request.server = server;
  request.pg_restore_path = pg_restore_for(p, stored.manifest);
  request.data_file = stored.data_path();
  request.compression = stored.manifest.compression;
  request.key = key;
  request.schemas = p.database.schemas;
  request.expected_fingerprint = stored.manifest.schema_fingerprint;
  request.fingerprint_version = stored.manifest.fingerprint_version;
  request.row_counts = stored.manifest.row_counts;
  request.tests = tests;
  request.jobs = p.backup.jobs;
  request.expected_objects = stored_objects(server, stored.manifest);
  out.drill = backup::restore_drill(request);
  if (!out.drill->ok) {
    out.ok = false;
    out.error = "restore drill failed: " +
                (out.drill->problems.empty() ? std::string("?") : out.drill->problems.front());
  }
}

}  // namespace

VerifyOutcome verify_backup(const config::Pipeline& pipeline, const backup::StoredBackup& stored,
                            const std::optional<backup::EncryptionKey>& key,
                            const pg::ConnInfo* drill_server, const backup::DrillTests& tests) {
  VerifyOutcome out;
  out.backup_id = stored.manifest.backup_id;
  auto start = std::chrono::steady_clock::now();
  std::string key_bytes;
  try {
    check_archive(pipeline, stored, key, key_bytes);
    out.ok = true;
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.duration_ms = ms_since(start);
  if (out.ok && drill_server) run_drill(pipeline, stored, key_bytes, *drill_server, tests, out);

  backup::Manifest m = stored.manifest;
  m.status = out.ok ? "verified" : "failed";
  m.verified_at = backup::iso8601_utc(std::chrono::system_clock::now());
  if (out.drill) m.restore_drill = drill_json(*out.drill);
  backup::save_manifest(stored.manifest_path, m);
  return out;
}

void decrypt_backup(const backup::StoredBackup& stored,
                    const std::optional<backup::EncryptionKey>& key, const std::string& output) {
  const auto& m = stored.manifest;
  std::string key_bytes = backup::key_for(m.encryption, key, m.backup_id);
  if (key_bytes.empty())
    throw Error(Exit::usage,
                m.backup_id + " is not encrypted; its file is " + stored.data_path().string());
  auto hash = std::make_shared<util::Sha256>();
  util::FileReader file(stored.data_path());
  util::InputSource raw = [file, hash](char* buffer, size_t capacity) mutable {
    size_t n = file.read(buffer, capacity);
    hash->update(buffer, n);
    return n;
  };
  util::InputSource plain = util::aes_gcm_decrypting_source(raw, key_bytes);
  std::optional<util::AtomicFile> out;
  if (output != "-") out.emplace(output, 0600);
  std::string buffer(1 << 20, '\0');
  try {
    while (size_t n = plain(buffer.data(), buffer.size())) {
      if (out)
        out->write(std::string_view(buffer.data(), n));
      else if (std::fwrite(buffer.data(), 1, n, stdout) != n)
        throw std::runtime_error("cannot write to stdout");
    }
  } catch (const std::exception& e) {
    throw Error(Exit::refused, stored.data_path().string() + ": " + e.what());
  }
  std::string actual = "sha256:" + hash->hex();
  if (actual != m.checksum) {
    throw Error(Exit::refused, stored.data_path().string() + ": checksum mismatch: expected " +
                                   m.checksum + ", the file has " + actual);
  }
  if (out) out->commit();
  std::fflush(stdout);
}

}  // namespace migsafe::pipeline
