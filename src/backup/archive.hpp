// Reading a stored backup archive back: the plain pg_dump custom-format bytes, whatever layer
// (compression) migsafe added when writing it.
#pragma once

#include <filesystem>
#include <string>

#include "util/process.hpp"

namespace migsafe::backup {

// A source of the plain custom-format archive in `path` (stored with `compression`: "zstd" or
// "none"), decompressing on the fly; for feeding `pg_restore` on stdin. Throws std::runtime_error
// if the file cannot be opened or the compression is unknown; reading throws on corrupt or
// truncated data.
util::InputSource open_archive_stream(const std::filesystem::path& path,
                                      const std::string& compression);

// The plain archive produced from `stored`, the bytes of a data file written with `compression`.
// Throws std::runtime_error if the compression is unknown.
util::InputSource plain_archive_source(util::InputSource stored, const std::string& compression);

// Runs `pg_restore --list` on the plain archive that `plain` produces and returns its output;
// `name` names the archive in errors. Throws Error(Exit::refused) with pg_restore's complaint or
// the read error.
std::string list_archive_stream(const util::InputSource& plain, const std::string& name,
                                const std::string& pg_restore_path);

// The table of contents `pg_restore --list` prints for the archive in `path`. Throws
// Error(Exit::refused) naming the file and pg_restore's complaint if it cannot be read.
std::string list_archive(const std::filesystem::path& path, const std::string& compression,
                         const std::string& pg_restore_path);

}  // namespace migsafe::backup
