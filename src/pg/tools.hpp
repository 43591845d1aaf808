// Finding PostgreSQL's programs (pg_dump, pg_restore, psql, initdb, pg_ctl) for a server version.
#pragma once

#include <string>

namespace migsafe::pg {

// The path of `program` able to work with a server of major version `server_major`: the one in
// `preferred_dir` if given, else Debian's /usr/lib/postgresql/<N>/bin for N = the server's major
// or the lowest newer one installed. Throws an error (exit `code`) saying what to install if none is.
std::string find_pg_tool(const std::string& program, int server_major, const std::string& preferred_dir,
                         int exit_code);

// The newest installed PostgreSQL server's bin directory (with initdb), or throws saying what to install.
std::string newest_server_bin_dir();

// The major version of a PostgreSQL program from its `--version` output, or 0 if unknown.
int tool_major_version(const std::string& program_path);

}  // namespace migsafe::pg
