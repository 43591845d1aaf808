// Returning the owned schemas to a backup's state, in one transaction, without reaching past them.
//
// Design. The backup is a pg_dump of the whole database; only the owned schemas (and the history
// tables) are restored from it, so the hard part is the boundary:
//
//  1. Emptying an owned schema drops its objects with CASCADE, which reaches outside: a column of
//     type public.plan_tier in billing.subscriptions, a view or foreign key in another schema, a
//     trigger on auth.users calling public.handle_new_user(), an extension in `public` (pg_dump files
//     it under schema "-"), a cast or event trigger using an owned function. restore_plan.cpp
//     tries the drop in a transaction it rolls back and compares every user object (catalog,
//     OID) before and after: what the drop takes is brought back from the archive by its TOC
//     entry, whose catalog and OID are those of the dumped database, which is this one. A table
//     outside that would LOSE A COLUMN (and so its data) is instead dropped and restored whole,
//     definition and rows, with everything that depends on it. pg_dump's own dependency lists
//     (`--list --verbose`) bring the entries without an identity of their own along (rows,
//     comments, ACLs, sequence values).
//  2. After a failed run (not for `backup restore`), everything outside the owned schemas is
//     compared with the snapshot taken before the run (pg/outside.hpp, object by object, plus a
//     hash of each table's rows). Objects the run made are dropped (a policy on storage.objects, a
//     trigger on auth.users); objects it changed are dropped and brought back from the archive;
//     privileges it changed are granted and revoked back; rows it changed (a storage.buckets row)
//     are put back by comparing the table with the archive's copy of it, loaded into a temp table
//     — but only when every row that differs was written by the run's own transactions (their
//     ledger rows tell their ids), so rows others wrote meanwhile are never undone.
//  3. All of it, and the owned schemas' fingerprint check, runs in ONE psql transaction fed by us:
//     a failure anywhere rolls everything back. After the commit the outside is compared with the
//     pre-run snapshot again, and whatever still differs is returned as a leftover: the caller
//     then reports exit 3 naming each, never exit 1.
#include "backup/restore.hpp"

#include <stdexcept>
#include <thread>

#include "backup/archive.hpp"
#include "backup/copy_redirect.hpp"
#include "backup/restore_plan.hpp"
#include "backup/toc.hpp"
#include "pg/fingerprint.hpp"
#include "pg/outside.hpp"
#include "pg/session.hpp"
#include "util/byte_queue.hpp"
#include "util/process.hpp"
#include "util/progress.hpp"
#include "util/temp_dir.hpp"
#include "util/atomic_file.hpp"

namespace migsafe::backup {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  util::AtomicFile file(path, 0600);
  file.write(text);
  file.commit();
}

std::string verify_sql(pg::Session& session, const RestoreRequest& request) {
  return "DO $migsafe$ DECLARE got text := " +
         pg::fingerprint_hash_sql(pg::text_array(session, request.schemas), request.fingerprint_version) +
         "; BEGIN IF got IS DISTINCT FROM " + session.quote(request.expected_fingerprint) +
         " THEN RAISE EXCEPTION 'migsafe: the restored schema fingerprint % differs from the backup''s %', got, " +
         session.quote(request.expected_fingerprint) + "; END IF; END $migsafe$;\n";
}

// Runs pg_restore on the archive with `list`, handing its SQL output to `sink`.
void run_pg_restore(const RestoreRequest& request, const std::filesystem::path& list,
                    const std::function<void(std::string_view)>& sink) {
  util::Command restore;
  restore.argv = {request.pg_restore_path, "--file=-", "--use-list=" + list.string()};
  if (std::filesystem::is_directory(request.data_file)) {
    restore.argv.push_back(request.data_file.string());  // directory format: read in place
  } else {
    restore.stdin_source = open_archive_stream(request.data_file, request.compression, request.key);
  }
  restore.on_stdout = sink;
  util::ProcessResult produced = util::run_process(restore);
  if (!produced.ok()) throw std::runtime_error("pg_restore " + produced.describe() + ": " + produced.stderr_text);
}

// Feeds psql's script: the undo of the run's outside changes, the drop, the archive, the check.
// (An empty chunk would read as the end of the script.)
void feed_script(const RestoreRequest& request, const RestorePlan& plan, const util::TempDir& work,
                 const std::string& verify, util::ByteQueue& queue) {
  auto script = [&queue](std::string_view text) {
    if (!text.empty()) queue.push(text);
  };
  std::string head = plan.undo_outside;
  for (const auto& r : plan.reverts) head += r.prepare_sql;
  script(head);
  if (!plan.reverts.empty()) {
    std::vector<std::string> targets;
    for (const auto& r : plan.reverts) targets.push_back(r.scratch);
    CopyRedirect redirect(targets, script);
    run_pg_restore(request, work.path() / "revert_list.txt", [&redirect](std::string_view c) { redirect.feed(c); });
    redirect.finish();
    if (redirect.redirected() != plan.reverts.size()) throw std::runtime_error("pg_restore left out a table's rows");
    // Rows come back as they were, without firing triggers or checking foreign keys half-way.
    std::string apply = "SET LOCAL session_replication_role = replica;\n";
    for (const auto& r : plan.reverts) apply += r.apply_sql;
    script(apply + "SET LOCAL session_replication_role = origin;\n");
  }
  script(plan.drop);
  util::Progress progress("restore");
  run_pg_restore(request, work.path() / "list.txt", [&script, &progress](std::string_view chunk) {
    progress.add(chunk.size());
    script(chunk);
  });
  script(verify);
}

}  // namespace

RestoreOutcome restore_owned_schemas(pg::Session& session, const RestoreRequest& request) {
  std::vector<TocEntry> toc = parse_toc(
      list_archive(request.data_file, request.compression, request.pg_restore_path, request.key, true));
  RestorePlan plan = plan_restore(session, toc, request);
  const std::string verify = verify_sql(session, request);

  util::TempDir work("migsafe-restore-");
  write_file(work.path() / "list.txt", plan.list);
  write_file(work.path() / "revert_list.txt", plan.revert_list);

  // psql applies the script from stdin in one transaction. Its stdin is fed by us, not by
  // pg_restore directly, so that a pg_restore that fails half-way never reaches EOF: psql is
  // killed instead and its transaction rolls back.
  util::ByteQueue script;
  util::Command psql;
  psql.argv = {request.psql_path, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
               "--single-transaction", "--dbname=" + request.target.without_password(), "--file=-"};
  psql.env = request.target.child_environment();
  psql.stdin_source = [&script](char* buffer, size_t capacity) { return script.pop(buffer, capacity); };
  psql.on_stdout = [](std::string_view) {};
  util::ProcessResult applied;
  std::exception_ptr psql_failure;
  std::thread psql_thread([&] {
    try {
      applied = util::run_process(psql);
    } catch (...) {
      psql_failure = std::current_exception();
    }
  });
  try {
    feed_script(request, plan, work, verify, script);
  } catch (...) {
    script.abort();
    psql_thread.join();
    throw;
  }
  script.close();
  psql_thread.join();

  if (psql_failure) std::rethrow_exception(psql_failure);
  if (!applied.ok()) {
    throw std::runtime_error(pg::redact_password("psql " + applied.describe() + ": " + applied.stderr_text,
                                                 request.target.password()));
  }
  RestoreOutcome outcome;
  outcome.notes = plan.notes;
  if (request.outside_before != nullptr && request.outside_before->taken) {
    outcome.leftovers =
        pg::outside_differences(*request.outside_before, pg::take_outside_snapshot(session, request.schemas));
  }
  return outcome;
}

}  // namespace migsafe::backup
