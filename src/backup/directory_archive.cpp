#include "backup/directory_archive.hpp"

#include <sys/stat.h>

#include "backup/store.hpp"
#include "core/error.hpp"
#include "util/process.hpp"
#include "util/sha256.hpp"

namespace migsafe::backup {
namespace fs = std::filesystem;

FileSums checksum_files(const fs::path& dir) {
  FileSums sums;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file())
      sums[entry.path().filename().string()] = file_checksum(entry.path());
  }
  return sums;
}

std::string combined_checksum(const FileSums& sums) {
  util::Sha256 hash;
  for (const auto& [name, sum] : sums) hash.update(sum.substr(7) + "  " + name + "\n");
  return "sha256:" + hash.hex();
}

uint64_t directory_bytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

void restrict_directory(const fs::path& dir) {
  ::chmod(dir.c_str(), 0700);
  for (const auto& entry : fs::directory_iterator(dir)) ::chmod(entry.path().c_str(), 0600);
}

namespace {

std::string differences(const FileSums& expected, const FileSums& actual) {
  std::string out;
  for (const auto& [name, sum] : expected) {
    auto it = actual.find(name);
    if (it == actual.end())
      out += "; " + name + " is missing";
    else if (it->second != sum)
      out += "; " + name + ": checksum mismatch (expected " + sum + ", has " + it->second + ")";
  }
  for (const auto& [name, sum] : actual) {
    if (!expected.count(name)) out += "; " + name + " is not in the manifest";
  }
  return out;
}

}  // namespace

void verify_directory_archive(const fs::path& dir, const std::string& checksum,
                              const FileSums& expected, const std::string& pg_restore_path) {
  FileSums actual;
  try {
    actual = checksum_files(dir);
  } catch (const std::exception& e) {
    throw Error(Exit::refused, dir.string() + ": " + e.what());
  }
  std::string wrong = differences(expected, actual);
  if (wrong.empty() && combined_checksum(actual) != checksum)
    wrong = "; the manifest's checksum does not match its files";
  if (!wrong.empty()) throw Error(Exit::refused, dir.string() + ": " + wrong.substr(2));
  util::Command list;
  list.argv = {pg_restore_path, "--list", dir.string()};
  util::ProcessResult result = util::run_process(list);
  if (!result.ok()) {
    throw Error(Exit::refused, dir.string() + ": pg_restore cannot read it (" + result.describe() +
                                   "): " + result.stderr_text);
  }
}

}  // namespace migsafe::backup
