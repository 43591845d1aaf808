// Internal to the pipeline loader: one reader per table of the pipeline file. Each fills in the
// contract's defaults and records every problem in the reader's Diagnostics.
#pragma once

#include "config/pipeline.hpp"
#include "config/pipeline_reader.hpp"

namespace migsafe::config::detail {

// `[database]`.
Database read_database(const TableReader& table);
// `[migrations]`; `dir` must exist and be a directory.
Migrations read_migrations(const TableReader& table);
// `[backup]`, including `[backup.copy]`.
Backup read_backup(const TableReader& table);
// The environment variable name at `key`, or nullopt (an error is recorded when it is not a name).
std::optional<std::string> env_name(const TableReader& table, std::string_view key);
// `[backup.remote]`.
BackupRemote read_remote(const TableReader& table);
// Records an error when `backup.dir` resolves (through '..' or symlinks) into a system directory
// or into the migrations directory, where migsafe must not write.
void check_backup_dir(const TableReader& table, const Backup& backup, const Migrations& migrations);
// `[verify]`, including `[[verify.assert]]`.
Verify read_verify(const TableReader& table);
// `[rls]`, including `[[rls.case]]`; `exposed_schemas` defaults to `database`'s schemas.
Rls read_rls(const TableReader& table, const Database& database);
// `[hooks]`.
Hooks read_hooks(const TableReader& table);
// `[safety]`, including `ignore`.
Safety read_safety(const TableReader& table);
// `[on_failure]`.
OnFailure read_on_failure(const TableReader& table);

// Whether the libpq URL or keyword string `url` carries a password (user:pw@, password=...).
bool url_has_password(std::string_view url);

}  // namespace migsafe::config::detail
