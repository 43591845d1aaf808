// Facts the renderers (GitHub summary, checklist) read out of a Report, each in one place: test
// totals, RLS findings, backup facts, and the small formatting they share.
#pragma once

#include <string>
#include <vector>

#include "report/report.hpp"

namespace migsafe::report {

// Totals over `report.tests`.
struct TestTotals {
  int files = 0, planned = 0, passed = 0, failed = 0, skipped = 0;
  int errored_files = 0;  // files that could not run at all (an `error` object)
};

// One RLS finding from `report.rls.findings`.
struct Finding {
  std::string lint, level, object, message;  // level: error | warn | info
  bool ignored = false;                      // matched an `ignore` entry of the pipeline
};

// One RLS case from `report.rls.cases`.
struct RlsCase {
  std::string name, message;
  bool passed = false;
};

// `report.verify`: SQL assertions and the row-loss guard.
struct VerifyFacts {
  int assertions = 0, assertions_passed = 0;
  bool row_guard = false;  // the row-loss guard ran
  int row_violations = 0;  // tables that lost rows or were dropped
};

// The backup facts a reader wants, from the manifest in `report.backup`.
struct BackupFacts {
  bool present = false;  // a manifest is in the report
  std::string id, checksum, status, file, migration_version;
  long long bytes = 0;
  // True when the manifest says the backup was verified.
  bool verified() const { return status == "verified"; }
};

// Sums the planned/passed/failed/skipped counts of every test file in `tests`.
TestTotals tally_tests(const nlohmann::json& tests);
// The findings in `rls` (empty when RLS did not run).
std::vector<Finding> rls_findings(const nlohmann::json& rls);
// The cases in `rls` (empty when there were none).
std::vector<RlsCase> rls_cases(const nlohmann::json& rls);
// The assertion and row-guard facts in `verify`.
VerifyFacts verify_facts(const nlohmann::json& verify);
// The backup facts of `report`.
BackupFacts backup_facts(const Report& report);
// True when `report` has a step `name` with status ok.
bool step_ok(const Report& report, const std::string& name);
// Migrations of `report` whose status is `status`.
std::vector<const Migration*> migrations_with(const Report& report, MigrationStatus status);

// "412 ms", "3.2 s", "2 min 5 s".
std::string format_ms(long long ms);
// "812 B", "12.3 KiB", "1.5 MiB", "2.0 GiB".
std::string format_bytes(long long bytes);
// `text` made safe for one Markdown table cell: no newlines, `|` escaped.
std::string table_cell(const std::string& text);
// The first 12 characters of a hex digest (after any `sha256:` prefix), for tables.
std::string short_hash(const std::string& digest);

}  // namespace migsafe::report
