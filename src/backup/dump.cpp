// One backup, in three passes: the archive (pg_dump -> [zstd] -> sha256 -> file, one stream, flat
// memory), the schema-only snapshot, and a read-back check. Both files stay `.partial` until the
// check passes, so a backup that exists under its final name is one that was verified.
#include "backup/dump.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>

#include "backup/archive.hpp"
#include "core/error.hpp"
#include "util/aes_gcm_stream.hpp"
#include "util/atomic_file.hpp"
#include "util/file_reader.hpp"
#include "util/interrupt.hpp"
#include "util/process.hpp"
#include "util/progress.hpp"
#include "util/sha256.hpp"
#include "util/zstd_stream.hpp"

namespace migsafe::backup {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

Error refused(const std::string& message) {
  return Error(Exit::refused, message);
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void refuse_existing(const fs::path& file) {
  std::error_code ec;
  if (fs::exists(file, ec))
    throw refused("backup file " + file.string() + " already exists; not replacing it");
}

// pg_dump with `options`, connecting without the password in argv.
util::Command pg_dump_command(const DumpRequest& r, const std::vector<std::string>& options) {
  util::Command command;
  command.argv = {r.pg_dump_path};
  command.argv.insert(command.argv.end(), options.begin(), options.end());
  command.argv.push_back("--no-password");
  std::string target = r.target.without_password();
  if (!target.empty()) command.argv.push_back("--dbname=" + target);
  command.env = r.target.child_environment();
  return command;
}

// Fails with pg_dump's own words, unless it was our own Ctrl-C that stopped it.
[[noreturn]] void pg_dump_failed(const DumpRequest& r, const util::ProcessResult& result,
                                 const fs::path& file) {
  throw_if_interrupted();
  throw refused("pg_dump failed (" + result.describe() + ") writing " + file.string() + ": " +
                pg::redact_password(trimmed(result.stderr_text), r.target.password()));
}

// Streams the custom-format archive into `file` (pg_dump -> [zstd] -> [aes-gcm] -> sha256 -> file);
// returns its checksum.
std::string write_archive(const DumpRequest& r, util::AtomicFile& file) {
  util::Sha256 hash;
  util::OutputSink store = [&](std::string_view chunk) {
    hash.update(chunk);
    file.write(chunk);
    if (r.tee) r.tee(chunk);
  };
  std::optional<util::AesGcmEncryptor> aes;
  if (!r.key.empty()) {
    aes.emplace(r.key, store);
    store = [&](std::string_view chunk) { aes->write(chunk); };
  }
  std::optional<util::ZstdCompressor> zstd;
  std::vector<std::string> options = {"--format=custom"};
  if (r.compression == "zstd") {
    options.push_back("--compress=0");  // compressing twice only costs time
    zstd.emplace(r.compression_level, store);
  }
  util::Command command = pg_dump_command(r, options);
  util::Progress progress("pg_dump");
  util::OutputSink layers =
      zstd ? util::OutputSink([&](std::string_view chunk) { zstd->write(chunk); }) : store;
  command.on_stdout = [&](std::string_view chunk) {
    progress.add(chunk.size());
    layers(chunk);
  };
  util::ProcessResult result = util::run_process(command);
  if (!result.ok()) pg_dump_failed(r, result, file.path());
  if (zstd) zstd->finish();
  if (aes) aes->finish();
  return "sha256:" + hash.hex();
}

// pg_dump >= 17.6/16.10/15.14/14.19/13.22 writes a random \restrict key into plain dumps unless
// given one.
bool supports_restrict_key(const std::string& pg_dump_path) {
  util::Command command;
  command.argv = {pg_dump_path, "--help"};
  return util::run_process(command).stdout_text.find("--restrict-key") != std::string::npos;
}

// A pg_dump schema pattern matching exactly `name` (quoted: no wildcards, case kept).
std::string exact_schema_pattern(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Writes the schema-only SQL of `r.schemas` into `file`, the same bytes for the same schema.
void write_schema_snapshot(const DumpRequest& r, util::AtomicFile& file) {
  std::vector<std::string> options = {"--schema-only", "--format=plain"};
  for (const auto& schema : r.schemas)
    options.push_back("--schema=" + exact_schema_pattern(schema));
  if (supports_restrict_key(r.pg_dump_path)) options.push_back("--restrict-key=migsafe");
  util::Command command = pg_dump_command(r, options);
  command.on_stdout = [&](std::string_view chunk) { file.write(chunk); };
  util::ProcessResult result = util::run_process(command);
  // Schemas a first migration will create do not exist yet; an empty snapshot is the truth then.
  if (!result.ok() &&
      result.stderr_text.find("no matching schemas were found") != std::string::npos) {
    file.write("-- migsafe: none of the requested schemas exist\n");
    return;
  }
  if (!result.ok()) pg_dump_failed(r, result, file.path());
}

void drain(const util::InputSource& source) {
  std::vector<char> buffer(1 << 17);
  while (source(buffer.data(), buffer.size()) > 0) {
  }
}

// A stored file read once: hashed as read, then (decompressed) fed to pg_restore --list, the rest
// read after pg_restore has seen the table of contents it needs.
void check_stream(const util::InputSource& source, const std::string& name,
                  const std::string& checksum, const std::string& compression,
                  const std::string& pg_restore_path, const std::string& key) {
  auto hash = std::make_shared<util::Sha256>();
  util::InputSource raw = [source, hash](char* buffer, size_t capacity) {
    size_t n = source(buffer, capacity);
    hash->update(buffer, n);
    return n;
  };
  std::string problem;
  try {
    util::InputSource plain = plain_archive_source(raw, compression, key);
    list_archive_stream(plain, name, pg_restore_path);
    drain(plain);  // all of it: a truncated or corrupt frame shows only at its end
  } catch (const std::exception& e) {
    problem = e.what();
  }
  try {
    drain(raw);  // what decompression did not read still counts for the checksum
  } catch (const std::exception& e) {
    throw refused(name + ": " + e.what());
  }
  std::string actual = "sha256:" + hash->hex();
  if (actual != checksum) {
    throw refused(name + ": checksum mismatch: expected " + checksum + ", the file has " + actual +
                  (problem.empty() ? "" : "; also: " + problem));
  }
  if (!problem.empty())
    throw refused(problem.rfind(name, 0) == 0 ? problem : name + ": " + problem);
}

void check_archive(const fs::path& read_from, const std::string& name, const std::string& checksum,
                   const std::string& compression, const std::string& pg_restore_path,
                   const std::string& key) {
  std::optional<util::FileReader> file;
  try {
    file.emplace(read_from);
  } catch (const std::exception& e) {
    throw refused(name + ": " + e.what());
  }
  check_stream(util::InputSource(std::move(*file)), name, checksum, compression, pg_restore_path,
               key);
}

DumpResult take_backup(const DumpRequest& r, DumpResult out) {
  // The schema-only snapshot is mostly the server's catalog work and a pg_dump's start, while the
  // archive and its verification are mostly streaming and our decompression: on two cores they
  // overlap instead of adding up.
  util::AtomicFile schema(out.schema_file, 0600);
  auto snapshot = std::async(std::launch::async, [&] { write_schema_snapshot(r, schema); });
  auto start = Clock::now();
  util::AtomicFile data(out.data_file, 0600);
  out.checksum = write_archive(r, data);
  out.bytes = data.bytes_written();
  out.dump_ms = ms_since(start);
  if (r.on_written) r.on_written(out.checksum, out.bytes);

  start = Clock::now();
  check_archive(data.partial_path(), out.data_file.string(), out.checksum, r.compression,
                r.pg_restore_path, r.key);
  snapshot.get();
  out.verify_ms = ms_since(start);

  schema.commit();
  try {
    data.commit();
  } catch (...) {
    std::error_code ignored;
    fs::remove(out.schema_file, ignored);  // a snapshot without its archive is no backup
    throw;
  }
  return out;
}

// pg_dump -Fd with `jobs` workers into `<id>.partial/`, checksummed file by file, checked by
// pg_restore --list, and renamed into place.
DumpResult take_directory_backup(const DumpRequest& r, DumpResult out) {
  auto start = Clock::now();
  const fs::path partial = out.data_file.string() + ".partial";
  refuse_existing(partial);
  struct Leftover {
    fs::path path;
    ~Leftover() {
      std::error_code ignored;
      if (!path.empty()) fs::remove_all(path, ignored);
    }
  } leftover{partial};
  util::Command command = pg_dump_command(
      r, {"--format=directory", "--jobs=" + std::to_string(r.jobs), "--file=" + partial.string()});
  util::ProcessResult result = util::run_process(command);
  if (!result.ok()) pg_dump_failed(r, result, partial);
  restrict_directory(partial);
  out.files = checksum_files(partial);
  out.checksum = combined_checksum(out.files);
  out.bytes = directory_bytes(partial);
  out.dump_ms = ms_since(start);

  start = Clock::now();
  util::AtomicFile schema(out.schema_file, 0600);
  auto snapshot = std::async(std::launch::async, [&] { write_schema_snapshot(r, schema); });
  verify_directory_archive(partial, out.checksum, out.files, r.pg_restore_path);
  snapshot.get();
  out.verify_ms = ms_since(start);
  schema.commit();
  fs::rename(partial, out.data_file);
  leftover.path.clear();
  return out;
}

}  // namespace

std::string data_file_name(const std::string& backup_id, const std::string& compression,
                           bool encrypted) {
  return backup_id + (compression == "zstd" ? ".dump.zst" : ".dump") + (encrypted ? ".enc" : "");
}

// The backup directory holds whole databases: owner only. Existing directories are left as they
// are.
void make_backup_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw refused("cannot create the backup directory " + dir.string() + ": " +
                  std::strerror(errno));
  }
}

DumpResult dump_database(const DumpRequest& r) {
  if (r.compression != "zstd" && r.compression != "none") {
    throw refused("unknown backup compression \"" + r.compression + "\" (expected zstd or none)");
  }
  if (r.backup_id.empty() || r.backup_id.find('/') != std::string::npos) {
    throw refused("invalid backup id \"" + r.backup_id + "\"");
  }
  make_backup_dir(r.dir);
  DumpResult out;
  const bool directory = r.format == "directory";
  if (directory && !r.key.empty()) {
    throw Error(Exit::usage,
                "backup.format = \"directory\" cannot be encrypted yet: use format = \"custom\"");
  }
  out.data_file = r.dir / (directory ? r.backup_id
                                     : data_file_name(r.backup_id, r.compression, !r.key.empty()));
  out.schema_file = r.dir / (r.backup_id + ".schema.sql");
  refuse_existing(out.data_file);
  refuse_existing(out.schema_file);
  try {
    return directory ? take_directory_backup(r, out) : take_backup(r, out);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw refused("backup " + out.data_file.string() + " failed: " + e.what());
  }
}

void verify_archive_stream(const util::InputSource& stored, const std::string& name,
                           const std::string& checksum, const std::string& compression,
                           const std::string& pg_restore_path, const std::string& key) {
  check_stream(stored, name, checksum, compression, pg_restore_path, key);
}

void verify_archive(const fs::path& data_file, const std::string& checksum,
                    const std::string& compression, const std::string& pg_restore_path,
                    const std::string& key) {
  check_archive(data_file, data_file.string(), checksum, compression, pg_restore_path, key);
}

}  // namespace migsafe::backup
