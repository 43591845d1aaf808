// Remote verify streams the object through the same checks as a local file (a download thread
// feeding a bounded queue), so it needs no disk and holds a few MiB whatever the backup's size.
#include "pipeline/remote_commands.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include "backup/dump.hpp"
#include "core/error.hpp"
#include "pg/tools.hpp"
#include "pipeline/backup_step.hpp"
#include "util/byte_queue.hpp"
#include "util/temp_dir.hpp"

namespace migsafe::pipeline {
namespace fs = std::filesystem;

backup::RemoteStore open_remote(const config::Pipeline& p) {
  if (!p.backup.remote)
    throw usage_error(p.file.string() + ": --remote needs a [backup.remote] table in the pipeline");
  return backup::RemoteStore(*p.backup.remote);
}

namespace {

// Streams the object into `check` through a bounded queue; the download's own error wins over
// the check's complaint about a cut-off stream.
// Then the object's size and sha256 metadata must be the manifest's, which the stream was checked
// against.
void check_download(backup::RemoteStore& remote, const backup::StoredBackup& stored,
                    const std::function<void(const util::InputSource&)>& check) {
  util::ByteQueue queue(8);
  std::atomic<bool> stop{false};
  std::exception_ptr download_error;
  std::string metadata_problem;
  std::thread download([&] {
    try {
      metadata_problem = remote.read_data(stored, [&](std::string_view chunk) {
        if (stop) throw std::runtime_error("verification stopped");
        queue.push(chunk);
      });
      queue.close();
    } catch (...) {
      download_error = std::current_exception();
      queue.abort();
    }
  });
  try {
    check([&](char* buffer, size_t capacity) { return queue.pop(buffer, capacity); });
  } catch (...) {
    stop = true;
    queue.abort();
    download.join();
    if (download_error) {
      try {
        std::rethrow_exception(download_error);
      } catch (const Error&) {
        throw;  // the service's own error (missing object, no answer) is the real cause
      } catch (...) {
        // our own stop: the check's complaint stands
      }
    }
    throw;
  }
  download.join();
  if (download_error) std::rethrow_exception(download_error);
  if (!metadata_problem.empty()) throw Error(Exit::refused, metadata_problem);
}

}  // namespace

VerifyOutcome verify_remote_backup(const config::Pipeline& p, backup::RemoteStore& remote,
                                   const backup::StoredBackup& stored,
                                   const std::optional<backup::EncryptionKey>& key) {
  VerifyOutcome out;
  const backup::Manifest& m = stored.manifest;
  out.backup_id = m.backup_id;
  auto start = std::chrono::steady_clock::now();
  try {
    if (m.format != "custom")
      throw Error(Exit::refused, "format \"" + m.format + "\" is not in the remote store");
    std::string key_bytes = backup::key_for(m.encryption, key, m.backup_id);
    std::string pg_restore = pg::find_pg_tool("pg_restore", std::atoi(m.server_version.c_str()),
                                              bin_dir(p), int(Exit::refused));
    check_download(remote, stored, [&](const util::InputSource& source) {
      backup::verify_archive_stream(source, stored.data_path().string(), m.checksum,
                                    m.compression, pg_restore, key_bytes);
    });
    out.ok = true;
  } catch (const util::QueueAborted&) {
    out.error = stored.data_path().string() + ": the download stopped";
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.duration_ms = elapsed_ms(start);
  backup::Manifest updated = m;
  updated.status = out.ok ? "verified" : "failed";
  updated.verified_at = backup::iso8601_utc(std::chrono::system_clock::now());
  try {
    remote.put_manifest(updated);
  } catch (const std::exception& e) {
    if (out.ok) {
      out.ok = false;
      out.error = std::string("verified, but the manifest could not be updated: ") + e.what();
    }
  }
  return out;
}

VerifyOutcome drill_remote_backup(const config::Pipeline& p, backup::RemoteStore& remote,
                                  const backup::StoredBackup& stored,
                                  const std::optional<backup::EncryptionKey>& key,
                                  const pg::ConnInfo& drill_server,
                                  const backup::DrillTests& tests) {
  auto start = std::chrono::steady_clock::now();
  util::TempDir dir("migsafe-drill-");
  backup::Manifest m = stored.manifest;
  VerifyOutcome out;
  out.backup_id = m.backup_id;
  try {
    if (m.format != "custom")
      throw Error(Exit::refused, "format \"" + m.format + "\" is not in the remote store");
    remote.download(stored, dir.path());
    backup::Store local = backup::read_store(dir.path());
    if (local.backups.empty())
      throw Error(Exit::refused, m.backup_id + ": downloaded, but its manifest cannot be read back");
    out = verify_backup(p, local.backups.front(), key, &drill_server, tests);
    m = backup::read_store(dir.path()).backups.front().manifest;  // status, verified_at, drill
  } catch (const std::exception& e) {
    out.ok = false;
    out.error = e.what();
    m.status = "failed";
    m.verified_at = backup::iso8601_utc(std::chrono::system_clock::now());
  }
  out.duration_ms = elapsed_ms(start);
  try {
    remote.put_manifest(m);
  } catch (const std::exception& e) {
    if (out.ok) {
      out.ok = false;
      out.error = std::string("verified, but the manifest could not be updated: ") + e.what();
    }
  }
  return out;
}

backup::Store fetch_remote_backup(const config::Pipeline& p, backup::RemoteStore& remote,
                                  const backup::StoredBackup& stored) {
  const backup::Manifest& m = stored.manifest;
  if (m.format != "custom")
    throw Error(Exit::refused, m.backup_id + ": format \"" + m.format + "\" cannot be fetched");
  backup::make_backup_dir(p.backup.dir);
  const fs::path local = p.backup.dir / m.file;
  std::error_code ec;
  bool have = fs::exists(local, ec) && backup::file_checksum(local) == m.checksum &&
              fs::exists(p.backup.dir / (m.backup_id + ".json"), ec);
  if (!have) {
    if (fs::exists(local, ec)) {
      throw Error(Exit::refused, local.string() + " exists and does not match the remote copy of " +
                                     m.backup_id + " (" + m.checksum + "); not replacing it");
    }
    remote.download(stored, p.backup.dir);
  }
  backup::Store all = backup::read_store(p.backup.dir);
  backup::Store one;
  one.dir = all.dir;
  for (auto& b : all.backups)
    if (b.manifest.backup_id == m.backup_id) one.backups.push_back(b);
  if (one.backups.empty())
    throw Error(Exit::refused, m.backup_id + ": fetched, but its manifest cannot be read back");
  return one;
}

}  // namespace migsafe::pipeline
