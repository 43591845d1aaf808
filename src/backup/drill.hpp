// Restore drills: "an untested backup is not a backup". A backup is restored whole into a scratch
// database on the same server (created and dropped by migsafe), then checked: schema fingerprint
// and row counts as recorded in its manifest, and the pipeline's verification tests when a runner
// is given. The time the restore took is the recovery time objective actually achieved (RTO).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "pg/conninfo.hpp"
#include "pg/fingerprint.hpp"

namespace migsafe::backup {

// Runs verification tests against the scratch database; returns one line per failure.
using DrillTests = std::function<std::vector<std::string>(const pg::ConnInfo& scratch)>;

// What to restore and what it must come out as.
struct DrillRequest {
  pg::ConnInfo server;               // any database on the server; the scratch one sits beside it
  std::string pg_restore_path;       // pg_restore able to read the archive
  std::filesystem::path data_file;   // the archive as stored
  std::string compression, key;      // its layers (key empty: not encrypted)
  std::vector<std::string> schemas;  // the owned schemas
  std::string expected_fingerprint;  // the manifest's schema_fingerprint
  int fingerprint_version = 1;       // ... and the version it was computed with
  std::map<std::string, long long> row_counts;  // the manifest's row counts
  std::vector<pg::SchemaFact> expected_objects;  // the snapshot stored with the backup, when known:
                                                 // a mismatch is then explained object by object
  DrillTests tests;                             // null: no tests to run
  int jobs = 1;                                 // pg_restore workers for a directory-format archive
};

// How a drill went.
struct DrillResult {
  bool ok = false;                    // restored and every check passed
  long long restore_ms = 0;           // RTO: time to restore into the scratch database
  std::string database;               // the scratch database's name (dropped again)
  std::vector<std::string> problems;  // why it failed, one line each
};

// Creates the scratch database, restores into it, checks it, and drops it again whatever happened.
// Failures are reported in the result; only a failure to create the scratch database throws
// (Error(Exit::refused)).
DrillResult restore_drill(const DrillRequest& request);

}  // namespace migsafe::backup
