// pg_restore's table of contents (`pg_restore --list`), parsed, so a restore can pick entries.
#pragma once

#include <string>
#include <vector>

namespace migsafe::backup {

// One TOC line, e.g. "3355; 0 16390 TABLE DATA public t postgres".
struct TocEntry {
  std::string line;       // the line as pg_restore printed it
  long dump_id = 0;       // 3355: the entry's id within the archive
  unsigned long catalog_oid = 0;  // the catalog the object lives in (pg_class...), 0 for none
  unsigned long object_oid = 0;   // the object's OID in the dumped database, 0 for none
  std::vector<long> depends_on;   // dump ids this entry depends on (`--list --verbose` only)
  std::string desc;       // "TABLE DATA", "FK CONSTRAINT", "SCHEMA", ...
  std::string schema;     // namespace, or "-" for none
  std::string tag;        // object tag, e.g. "t", "users on_auth_user_created", "SCHEMA public"
};

// Parses `pg_restore --list` output (with or without --verbose); other comment lines are skipped.
std::vector<TocEntry> parse_toc(const std::string& listing);

}  // namespace migsafe::backup
