// pg_dump's directory format (`format = "directory"`): one file per table, dumped by `jobs`
// workers. Each file is checksummed on its own, so a damaged backup names the damaged file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace migsafe::backup {

// File name -> "sha256:<hex>", for every regular file in an archive directory.
using FileSums = std::map<std::string, std::string>;

// Checksums every file in `dir`; throws std::runtime_error naming a file that cannot be read.
FileSums checksum_files(const std::filesystem::path& dir);

// One checksum for the whole archive: sha256 over the lines "<hex>  <name>\n" in name order (what
// `sha256sum *` prints), as "sha256:<hex>".
std::string combined_checksum(const FileSums& sums);

// The total size of the files in `dir`.
uint64_t directory_bytes(const std::filesystem::path& dir);

// Makes `dir` 0700 and every file in it 0600.
void restrict_directory(const std::filesystem::path& dir);

// Checks every file against `expected` (none missing, none extra, none changed), the whole against
// `checksum`, and that `pg_restore --list` reads the archive. Throws Error(Exit::refused) naming
// the archive and every file that is wrong.
void verify_directory_archive(const std::filesystem::path& dir, const std::string& checksum,
                              const FileSums& expected, const std::string& pg_restore_path);

}  // namespace migsafe::backup
