// Reading a stored backup archive back: the plain pg_dump custom-format bytes, whatever layers
// (compression, encryption) migsafe added when writing it.
#pragma once

#include <filesystem>
#include <string>

#include "util/process.hpp"

namespace migsafe::backup {

// A source of the plain custom-format archive in `path` (stored with `compression`: "zstd" or
// "none", encrypted with `key` unless it is empty), decrypting and decompressing on the fly; for
// feeding `pg_restore` on stdin. Throws std::runtime_error if the file cannot be opened or the
// compression is unknown; reading throws on corrupt, altered or truncated data.
util::InputSource open_archive_stream(const std::filesystem::path& path,
                                      const std::string& compression, const std::string& key = "");

// The plain archive produced from `stored`, the bytes of a data file written with `compression`
// and encrypted with `key` (empty: not encrypted). Throws std::runtime_error if the compression is
// unknown.
util::InputSource plain_archive_source(util::InputSource stored, const std::string& compression,
                                       const std::string& key = "");

// Runs `pg_restore --list` on the plain archive that `plain` produces (null: on the archive
// directory `name`) and returns its output; `name` names the archive in errors. With `verbose`,
// each entry is followed by its "depends on" line. Throws Error(Exit::refused) with pg_restore's
// complaint or the read error.
std::string list_archive_stream(const util::InputSource& plain, const std::string& name,
                                const std::string& pg_restore_path, bool verbose = false);

// The table of contents `pg_restore --list` prints for the archive in `path` (see
// open_archive_stream for `compression` and `key`; a directory is a directory-format archive).
// Throws Error(Exit::refused) naming the file and pg_restore's complaint if it cannot be read.
std::string list_archive(const std::filesystem::path& path, const std::string& compression,
                         const std::string& pg_restore_path, const std::string& key = "",
                         bool verbose = false);

}  // namespace migsafe::backup
