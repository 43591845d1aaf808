// A migration file as the migrate step runs it: its statements split, and an error located in it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/migration_files.hpp"
#include "pg/session.hpp"
#include "report/report.hpp"
#include "sql/splitter.hpp"

namespace migsafe::pipeline {

// The statements of a file, which of them cannot run in a transaction, and what history records.
struct SplitMigration {
  std::vector<sql::Statement> statements;      // to run: the file's own BEGIN ... COMMIT left out
  std::vector<std::string> non_transactional;  // "line N: reason"
  std::vector<std::string> recorded;           // schema_migrations.statements, as the Supabase CLI writes it
};
SplitMigration split_migration(const config::MigrationFile& file);

// `path` relative to the working directory when it lies under it, as reports and annotations name files.
std::string display_path(const std::filesystem::path& path);

// `error`, raised by `statement` of `file`, at its file:line:column (the server's position, when
// it gave one, counts characters from the statement's start).
report::MigrationError locate_error(const config::MigrationFile& file, const sql::Statement& statement,
                                    const pg::SqlError& error);

}  // namespace migsafe::pipeline
