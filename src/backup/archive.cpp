#include "backup/archive.hpp"

#include <stdexcept>

#include "core/error.hpp"
#include "util/aes_gcm_stream.hpp"
#include "util/file_reader.hpp"
#include "util/interrupt.hpp"
#include "util/zstd_stream.hpp"

namespace migsafe::backup {
namespace {

void check_compression(const std::string& compression, const std::string& name) {
  if (compression != "zstd" && compression != "none") {
    throw std::runtime_error(name + ": unknown compression \"" + compression +
                             "\" (expected zstd or none)");
  }
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

util::InputSource plain_archive_source(util::InputSource stored, const std::string& compression,
                                       const std::string& key) {
  check_compression(compression, "archive");
  if (!key.empty()) stored = util::aes_gcm_decrypting_source(std::move(stored), key);
  if (compression == "none") return stored;
  return util::zstd_decompressing_source(std::move(stored));
}

util::InputSource open_archive_stream(const std::filesystem::path& path,
                                      const std::string& compression, const std::string& key) {
  check_compression(compression, path.string());
  return plain_archive_source(util::FileReader(path), compression, key);
}

std::string list_archive_stream(const util::InputSource& plain, const std::string& name,
                                const std::string& pg_restore_path, bool verbose) {
  util::Command command;
  command.argv = {pg_restore_path, "--list"};
  if (verbose) command.argv.push_back("--verbose");
  if (plain)
    command.stdin_source = plain;
  else
    command.argv.push_back(name);  // a directory-format archive, read in place
  util::ProcessResult result;
  try {
    result = util::run_process(command);
  } catch (const std::exception& e) {
    throw Error(Exit::refused, name + ": cannot be read back: " + e.what());
  }
  if (!result.ok()) {
    throw_if_interrupted();  // our Ctrl-C stopped it: report the interruption instead
    throw Error(Exit::refused, name + ": pg_restore cannot read it (" + result.describe() +
                                   "): " + trimmed(result.stderr_text));
  }
  return result.stdout_text;
}

std::string list_archive(const std::filesystem::path& path, const std::string& compression,
                         const std::string& pg_restore_path, const std::string& key, bool verbose) {
  if (std::filesystem::is_directory(path))
    return list_archive_stream(nullptr, path, pg_restore_path, verbose);
  util::InputSource plain;
  try {
    plain = open_archive_stream(path, compression, key);
  } catch (const std::exception& e) {
    throw Error(Exit::refused, e.what());
  }
  return list_archive_stream(plain, path.string(), pg_restore_path, verbose);
}

}  // namespace migsafe::backup
