#include "report/checklist.hpp"

#include "report/evidence.hpp"

namespace migsafe::report {
namespace {

// One Markdown section of checkbox items.
class Section {
 public:
  explicit Section(const std::string& title) : text_("## " + title + "\n\n") {}
  // A ticked item with its evidence.
  void proven(const std::string& item, const std::string& evidence) { add(true, item, evidence); }
  // An unticked item that migsafe tried or could have done, with why it is not ticked.
  void unproven(const std::string& item, const std::string& why) { add(false, item, why); }
  // An unticked item only a human can tick; `note` is what the run knows about it, if anything.
  void human(const std::string& item, const std::string& note = "") {
    add(false, item, "for a human" + (note.empty() ? "" : "; " + note));
  }
  // A sub-item under the last item.
  void detail(const std::string& line) { text_ += "  - " + line + "\n"; }
  // A condition: proven when `done`, else unproven.
  void item(bool done, const std::string& item, const std::string& evidence,
            const std::string& why) {
    add(done, item, done ? evidence : why);
  }
  // The section's Markdown.
  std::string text() const { return text_ + "\n"; }

 private:
  void add(bool done, const std::string& item, const std::string& note) {
    text_ +=
        std::string(done ? "- [x] " : "- [ ] ") + item + (note.empty() ? "" : " — " + note) + "\n";
  }
  std::string text_;
};

std::string code(const std::string& text) {
  return "`" + text + "`";
}

const Step* find_step(const Report& r, const std::string& name) {
  for (const auto& s : r.steps) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// "step failed: reason" / "step skipped: reason" / "not reached", for an unticked item.
std::string step_why(const Report& r, const std::string& name) {
  const Step* s = find_step(r, name);
  if (s == nullptr) return "not reached";
  return name + " " + to_string(s->status) + (s->detail.empty() ? "" : ": " + s->detail);
}

// What a hook did, for a human item's note; empty when the hook did not run.
std::string hook_note(const Report& r, const std::string& name) {
  for (const auto& h : r.hooks) {
    if (h.value("name", std::string()) != name) continue;
    std::string how = h.value("timed_out", false)
                          ? "timed out"
                          : "exited " + std::to_string(h.value("exit_code", -1));
    return code(name) + " hook " + code(h.value("command", std::string())) + " " + how;
  }
  return "";
}

std::string outcome_line(const Report& r) {
  if (r.status == RunStatus::succeeded)
    return "migsafe applied the pending migrations and every check it ran passed.";
  if (r.status == RunStatus::nothing_to_do)
    return "Nothing was pending: no migration ran, so no backup was needed.";
  if (r.status == RunStatus::dry_run)
    return "Dry run: the pipeline ran against the target in one transaction that was rolled back; "
           "nothing was applied.";
  if (r.status == RunStatus::failed_restored)
    return "**The run FAILED** and the database was returned to its pre-run state, verified by "
           "fingerprint.";
  if (r.status == RunStatus::failed_unrestored) {
    return "**The run FAILED and the database could NOT be returned to its pre-run state: a human "
           "must act.** "
           "The pre-run backup is " +
           code(backup_facts(r).id.empty() ? "none" : backup_facts(r).id) + ".";
  }
  if (r.status == RunStatus::refused) return "**The run was refused** before anything changed.";
  return "Status: " + to_string(r.status) + ".";
}

std::string header(const Report& r) {
  std::string out = "# Release checklist: " + code(r.pipeline) + " — " + to_string(r.status) + "\n\n";
  out += "- migsafe " + r.migsafe_version + ", run " + code(r.run_id) + ", pipeline " +
         code(r.pipeline_file) + "\n";
  out += "- database " + code(r.database_url) +
         (r.server_version.empty() ? "" : " (PostgreSQL " + r.server_version + ")") + "\n";
  out += "- status **" + to_string(r.status) + "** (exit " + std::to_string(r.exit_code) + "), version " +
         code(r.from_version) + " → " + code(r.to_version) +
         (r.mode == Mode::unset ? "" : ", mode " + to_string(r.mode)) + "\n\n";
  return out + outcome_line(r) +
         " Ticked items carry their evidence from the run report; unticked items are for a "
         "human.\n\n";
}

void backup_items(const Report& r, Section& s) {
  BackupFacts b = backup_facts(r);
  if (b.present && step_ok(r, "backup")) {
    s.proven("Full database backup completed", code(b.id) + ", " + code(b.checksum) + ", " +
                                                   format_bytes(b.bytes) +
                                                   (b.file.empty() ? "" : ", " + code(b.file)));
  } else {
    s.unproven("Full database backup completed",
               r.backup_skipped ? "skipped (--no-backup, dry run)" : step_why(r, "backup"));
  }
  s.item(b.present && b.verified(),
         "Backup verified (checksum re-read, archive readable by pg_restore)",
         "status " + code(b.status) + ", restores to version " + code(b.migration_version),
         b.present ? "status " + code(b.status) : "no backup");
}

std::string pre_migration(const Report& r) {
  Section s("Pre-migration");
  s.item(
      step_ok(r, "connect") && step_ok(r, "lock"), "Target reachable and the run lock held",
      code(r.database_url) + (r.server_version.empty() ? "" : ", PostgreSQL " + r.server_version),
      step_why(r, step_ok(r, "connect") ? "lock" : "connect"));
  s.item(step_ok(r, "history"),
         "Applied history checked: no edited, missing or out-of-order migration",
         find_step(r, "history") ? find_step(r, "history")->detail : "", step_why(r, "history"));
  s.item(step_ok(r, "snapshot"),
         "Schema snapshot created (tables, RLS policies, functions, grants)",
         find_step(r, "snapshot") ? find_step(r, "snapshot")->detail : "", step_why(r, "snapshot"));
  backup_items(r, s);
  s.human("Migration plan reviewed by the team", "see `migsafe plan`");
  s.human("Development team notified of the deploy");
  s.human("Edge functions and other code outside the database backed up");
  return s.text();
}

std::string migration_line(const Migration& m) {
  std::string line =
      code(m.version) + " " + m.name + " — " + to_string(m.status) + " in " + format_ms(m.duration_ms);
  if (m.error) {
    const MigrationError& e = *m.error;
    line += ": " + e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " +
            e.message + (e.sqlstate.empty() ? "" : " (SQLSTATE " + e.sqlstate + ")");
  }
  for (const auto& n : m.not_run) line += "; would run outside a transaction: " + n;
  return line;
}

void migration_items(const Report& r, Section& s) {
  bool failed = !migrations_with(r, MigrationStatus::failed).empty();
  size_t applied = migrations_with(r, MigrationStatus::applied).size();
  std::string mode =
      r.mode == Mode::unset ? ""
                     : "mode " + to_string(r.mode) + (r.mode_reason.empty() ? "" : " (" + r.mode_reason + ")");
  if (r.status == RunStatus::dry_run) {
    s.item(!failed && !r.migrations.empty(),
           "Migrations executed in order, then rolled back (dry run)", mode,
           failed ? "a migration failed" : "no migration ran");
  } else {
    s.item(!failed && applied > 0 && applied == r.migrations.size(), "Migrations executed in order",
           std::to_string(applied) + " applied, " + mode,
           failed ? "a migration failed"
                  : std::to_string(applied) + " of " + std::to_string(r.migrations.size()) +
                        " applied");
  }
  for (const auto& m : r.migrations) s.detail(migration_line(m));
}

std::string step_timings(const Report& r) {
  std::string out;
  for (const auto& st : r.steps)
    out += (out.empty() ? "" : ", ") + st.name + " " + to_string(st.status) + " " + format_ms(st.duration_ms);
  return out;
}

void integrity_item(const Report& r, Section& s) {
  VerifyFacts v = verify_facts(r.verify);
  std::string facts =
      (v.row_guard
           ? (v.row_violations == 0
                  ? "row-loss guard: no table lost rows"
                  : "row-loss guard: " + std::to_string(v.row_violations) + " table(s) lost rows")
           : "row-loss guard did not run") +
      ", assertions " + std::to_string(v.assertions_passed) + "/" + std::to_string(v.assertions) +
      " passed";
  bool done = v.row_guard && v.row_violations == 0 && v.assertions_passed == v.assertions;
  bool ran = v.row_guard || v.assertions > 0;
  s.item(done, "Row counts and integrity verified", facts, ran ? facts : step_why(r, "verify"));
}

std::string during_migration(const Report& r) {
  Section s("During migration");
  s.human("Application in maintenance mode (if needed)", hook_note(r, "before"));
  migration_items(r, s);
  s.item(!r.steps.empty(), "Each step logged with its timing", step_timings(r), "no step recorded");
  s.item(!r.lock_timeout.empty(), "Lock and statement timeouts in force",
         "lock_timeout " + r.lock_timeout + ", statement_timeout " + r.statement_timeout,
         "not recorded");
  integrity_item(r, s);
  s.human("System performance monitored");
  return s.text();
}

void tests_item(const Report& r, Section& s) {
  TestTotals t = tally_tests(r.tests);
  std::string facts = std::to_string(t.passed) + "/" + std::to_string(t.planned) +
                      " tests passed in " + std::to_string(t.files) + " file(s), " +
                      std::to_string(t.skipped) + " skipped";
  if (t.files == 0)
    return s.unproven("Test suite run and passing", "no pgTAP tests ran (`[verify] tests`)");
  bool done = t.failed == 0 && t.errored_files == 0 && t.planned > 0;
  s.item(done, "Test suite run and passing", facts,
         facts + ", " + std::to_string(t.failed) + " failed" +
             (t.errored_files ? ", " + std::to_string(t.errored_files) + " file(s) could not run"
                              : ""));
  for (const auto& file : r.tests) {
    if (!file.contains("failures") || !file["failures"].is_array()) continue;
    for (const auto& f : file["failures"]) {
      s.detail(code(file.value("file", std::string("?"))) + ": not ok " +
               std::to_string(f.value("number", 0)) + " " + f.value("description", std::string()));
    }
  }
}

void rls_item(const Report& r, Section& s) {
  if (!r.rls.is_object() || !r.rls.contains("findings"))
    return s.unproven("RLS policies verified", "RLS checks did not run");
  auto findings = rls_findings(r.rls);
  auto cases = rls_cases(r.rls);
  int errors = 0, passed = 0;
  for (const auto& f : findings) errors += f.level == "error" ? 1 : 0;
  for (const auto& c : cases) passed += c.passed ? 1 : 0;
  std::string facts = std::to_string(findings.size()) + " finding(s), " + std::to_string(errors) +
                      " at error level; " + std::to_string(passed) + "/" +
                      std::to_string(cases.size()) + " RLS cases passed";
  s.item(step_ok(r, "rls"), "RLS policies verified", facts, facts);
  for (const auto& f : findings)
    s.detail(f.level + " " + code(f.lint) + " on " + code(f.object) + ": " + f.message);
  for (const auto& c : cases) {
    if (!c.passed) s.detail("case " + code(c.name) + " failed: " + c.message);
  }
}

std::string post_migration(const Report& r) {
  Section s("Post-migration");
  s.item(r.status == RunStatus::succeeded, "Migration completed successfully",
         "version " + code(r.from_version) + " → " + code(r.to_version), "status " + to_string(r.status));
  tests_item(r, s);
  rls_item(r, s);
  s.human("Application functionality tested (smoke test)");
  s.human("Edge functions working");
  s.human("Fresh backup of the new schema taken", "`migsafe backup create`");
  s.human("Documentation updated");
  s.human("Team notified of the result",
          hook_note(r, r.exit_code == 0 ? "on_success" : "on_failure"));
  return s.text();
}

std::string recovery(const Report& r) {
  if (!r.restore && r.status != RunStatus::failed_unrestored && r.status != RunStatus::failed_restored) return "";
  Section s("Recovery");
  if (r.restore) {
    const Restore& x = *r.restore;
    s.item(x.verified, "Database returned to its pre-run state",
           x.method + " in " + format_ms(x.duration_ms) + ", fingerprint before " +
               code(x.fingerprint_before) + " = after " + code(x.fingerprint_after),
           x.method + " NOT verified" + (x.error.empty() ? "" : ": " + x.error));
    for (const auto& d : x.differences) s.detail(d);
  } else {
    s.unproven("Database returned to its pre-run state", "no restore was attempted");
  }
  if (r.status == RunStatus::failed_unrestored) {
    s.human("Restore the pre-run backup by hand",
            "`migsafe backup restore " + r.pipeline_file + " --id " + backup_facts(r).id + "`");
  }
  return s.text();
}

// The failing statement's location and PostgreSQL's words about it.
std::string migration_failures(const Report& r) {
  std::string out;
  for (const auto& m : r.migrations) {
    if (!m.error) continue;
    const MigrationError& e = *m.error;
    out += "- migration " + code(m.version + "_" + m.name) + " failed at " +
           code(e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column)) + ": " +
           e.message + (e.sqlstate.empty() ? "" : " (SQLSTATE " + e.sqlstate + ")") + "\n";
    if (!e.detail.empty()) out += "  - DETAIL: " + e.detail + "\n";
    if (!e.hint.empty()) out += "  - HINT: " + e.hint + "\n";
  }
  return out;
}

std::string what_happened(const Report& r) {
  std::string failures = migration_failures(r);
  if (failures.empty() && r.errors.empty() && r.warnings.empty()) return "";
  std::string out = "## What happened\n\n" + failures;
  for (const auto& e : r.errors) out += "- error: " + e + "\n";
  for (const auto& w : r.warnings) out += "- warning: " + w + "\n";
  return out + "\n";
}

}  // namespace

std::string render_checklist(const Report& report) {
  std::string out = header(report) + pre_migration(report) + during_migration(report) +
                    post_migration(report) + recovery(report) + what_happened(report);
  out.pop_back();  // one newline at the end, not a blank line
  return out;
}

}  // namespace migsafe::report
