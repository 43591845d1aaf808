// Per-statement lock impact. Locks accumulate in a transaction, so a statement's own locks are the
// ones its backend holds now and did not hold before it (the server leaves out the ones this
// recorder has seen, by hash); a rewrite is a relation whose storage (relfilenode) changed. A read
// is one catalog query, sent in the same round trip as the statement it follows.
#include "impact/recorder.hpp"

#include <algorithm>
#include <cctype>

#include "impact/rules.hpp"
#include "util/utf8.hpp"

namespace migsafe::impact {
namespace {

constexpr int kStatementChars = 200;

// The statement's first `kStatementChars` characters (UTF-8 aware).
std::string shortened(const std::string& text) {
  std::string cut = util::truncate_chars(text, kStatementChars);
  return cut.size() < text.size() ? cut + "..." : cut;
}

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool ignored(const nlohmann::json& finding, const config::Safety& safety) {
  return std::any_of(safety.ignore.begin(), safety.ignore.end(), [&](const config::SafetyIgnore& i) {
    return i.rule == finding.value("rule", "") && i.object == finding.value("object", "");
  });
}

// Files `finding` under findings or ignored; returns its summary when it fails the run.
std::optional<std::string> add_finding(nlohmann::json finding, const StatementSource& source,
                                       const config::Safety& safety, nlohmann::json& impact) {
  finding["file"] = source.file;
  finding["line"] = source.line;
  const bool skip = ignored(finding, safety);
  const char* list = skip ? "ignored" : "findings";
  if (!impact.contains(list)) impact[list] = nlohmann::json::array();
  impact[list].push_back(finding);
  if (skip || !fails_run(finding, safety.fail_on)) return std::nullopt;
  return finding.value("rule", "") + " on " + finding.value("object", "") + ": " + finding.value("message", "") +
         " ([safety] fail_on = \"" + (safety.fail_on == config::RlsFailOn::warn ? "warn" : "error") + "\")";
}

}  // namespace

void Recorder::start(pg::Session& session, const config::Safety& safety) {
  if (!safety.measure) return;
  session.prepare(kReadStatement, pg::own_lock_read_sql());
  if (started_) return;
  before_run_ = pg::user_relations(session);
  for (const auto& [oid, relation] : before_run_) {
    filenodes_[oid] = relation.filenode;
    max_before_oid_ = std::max(max_before_oid_, std::stoul(oid));
  }
  started_ = true;
}

void Recorder::enter_transaction(const std::string& vxid) {
  if (vxid == vxid_) return;
  vxid_ = vxid;
  seen_.clear();
  held_oids_.clear();
  exclusive_.clear();
  scans_.clear();
}

void Recorder::end_transaction(const config::Safety& safety, nlohmann::json& impact, bool budget_findings) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [oid, hold] : exclusive_) {
    const long long held_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - hold.since).count();
    if (!impact.contains("exclusive_locks")) impact["exclusive_locks"] = nlohmann::json::array();
    impact["exclusive_locks"].push_back(
        {{"relation", hold.relation}, {"file", hold.source.file}, {"line", hold.source.line}, {"held_ms", held_ms}});
    if (!budget_findings) continue;
    if (auto finding = exclusive_lock_over_budget(hold.relation, held_ms, safety)) {
      add_finding(*finding, hold.source, safety, impact);
    }
  }
  exclusive_.clear();
  // Its locks go with it: the next transaction starts reading every statement again, with nothing seen.
  held_ = 0;
  vxid_.clear();
  seen_.clear();
  held_oids_.clear();
  scans_.clear();
}

std::vector<bool> Recorder::plan_reads(size_t count, const config::Safety& safety, bool read_last) const {
  if (!safety.measure) return {};
  std::vector<bool> plan(count, false);
  size_t pending = pending_.size();
  for (size_t i = 0; i < count; ++i) {
    ++pending;
    if (held_ <= kExactUpTo || pending * kLocksPerRead >= held_) {
      plan[i] = true;
      pending = 0;
    }
  }
  if (read_last && count > 0) plan.back() = true;
  return plan;
}

pg::Session::BatchPiece Recorder::read_piece() const {
  // Relations the run created are not sized: no rule grades them. (Should the oid counter wrap
  // around during the run, some are sized anyway, which costs time only.)
  return {kReadStatement, true, true, pg::own_lock_read_params(vxid_, seen_, held_oids_, max_before_oid_)};
}

std::optional<std::string> Recorder::after_statement(const StatementSource& source,
                                                     std::chrono::steady_clock::time_point started, long long duration_ms,
                                                     const config::Safety& safety, nlohmann::json& impact,
                                                     const pg::Rows* read) {
  if (!safety.measure) return std::nullopt;
  if (!impact.contains("statements")) impact["statements"] = nlohmann::json::array();
  impact["statements"].push_back({{"file", source.file},
                                  {"line", source.line},
                                  {"statement", shortened(source.text)},
                                  {"duration_ms", duration_ms},
                                  {"locks", nlohmann::json::array()},
                                  {"rewrites", nlohmann::json::array()},
                                  {"scans", nlohmann::json::array()},
                                  {"relations", nlohmann::json::array()}});
  pending_.push_back(Pending{source, impact["statements"].size() - 1, started});
  ++measured_;
  if (!read) return std::nullopt;  // measured with the next read
  return file_read(pg::parse_own_lock_read(*read), safety, impact);
}

std::optional<std::string> Recorder::flush(pg::Session& session, const config::Safety& safety, nlohmann::json& impact) {
  if (!safety.measure || pending_.empty()) return std::nullopt;
  return file_read(pg::read_own_locks(session, read_piece().params), safety, impact);
}

std::optional<std::string> Recorder::file_read(const pg::OwnLockRead& read, const config::Safety& safety,
                                               nlohmann::json& impact) {
  if (!read.locks.empty()) enter_transaction(read.locks.front().vxid);
  std::vector<const pg::OwnLock*> fresh;  // not attributed before, in this transaction
  for (const pg::OwnLock& lock : read.locks) {
    if (!seen_.count({lock.oid, lock.mode})) fresh.push_back(&lock);
  }
  // The relations as they are now: the newly locked ones, and those held before (to see them rewritten).
  std::map<std::string, const pg::RelationState*> states;
  for (const auto& [oid, state] : read.watched) states[oid] = &state;
  for (const pg::OwnLock* lock : fresh) {
    if (lock->relation) states[lock->oid] = &lock->relation->state;
  }

  nlohmann::json& entry = impact["statements"][pending_.back().entry];
  if (pending_.size() > 1) {
    entry["batch"] = pending_.size();
    for (size_t i = 0; i + 1 < pending_.size(); ++i) impact["statements"][pending_[i].entry]["measured_with_next"] = true;
  }
  std::set<std::string> rewritten, scanned;
  for (const auto& [oid, state] : states) {
    auto previous = filenodes_.find(oid);
    if (previous != filenodes_.end() && !previous->second.empty() && !state->filenode.empty() &&
        previous->second != state->filenode) {
      entry["rewrites"].push_back(state->name);
      rewritten.insert(oid);
    }
    filenodes_[oid] = state->filenode;
    // Scanned since the last read (the count includes what this session has not reported yet, so a
    // relation first seen in a transaction may show an earlier one's scans: never fewer than happened).
    long long& seen_scans = scans_[oid];
    if (state->scans > seen_scans) {
      entry["scans"].push_back(state->name);
      scanned.insert(oid);
    }
    seen_scans = std::max(seen_scans, state->scans);
    // Asked about again at each read to see it rewritten: only what others can see, which keeps
    // the read small in a run that creates many tables.
    if (before_run_.count(oid)) held_oids_.insert(oid);
  }
  std::set<std::string> sized;
  std::optional<std::string> failure;
  std::vector<std::string> pending_texts;  // lower case, when a read measured several statements
  if (pending_.size() > 1) {
    for (const Pending& p : pending_) pending_texts.push_back(lowered(p.source.text));
  }
  for (const pg::OwnLock* lock : fresh) {
    seen_.insert({lock->oid, lock->mode});
    const std::optional<pg::RelationDetail>& detail = lock->relation;
    auto before = before_run_.find(lock->oid);
    // Not a user relation now and not one before the run: a catalog, migsafe's own, or a dropped TOAST table or index.
    if (!detail && before == before_run_.end()) continue;
    const std::string name = detail ? detail->state.name : before->second.name;
    const std::string kind = detail ? detail->state.kind : "dropped";
    const bool created = before == before_run_.end();
    entry["locks"].push_back({{"relation", name}, {"kind", kind}, {"mode", lock->mode}});
    // The statement of a read that took it: the only one, or the first that names the relation
    // (its name without the schema, in any case).
    const Pending* by = &pending_.front();
    if (pending_.size() > 1) {
      const std::string bare = lowered(name.substr(name.find('.') + 1));
      for (size_t i = 0; i < pending_.size(); ++i) {
        if (pending_texts[i].find(bare) == std::string::npos) continue;
        by = &pending_[i];
        break;
      }
    }
    if (lock->mode == "AccessExclusiveLock" && !created && !exclusive_.count(lock->oid)) {
      exclusive_[lock->oid] = ExclusiveHold{name, by->source, by->started};
    }
    if (!detail) continue;
    const pg::RelationDetail& d = *detail;
    // Sized: a relation with storage that existed before the run. One the run created has storage
    // but no size (it needs none: no rule grades it); one without storage (a view) is not listed.
    static const std::set<std::string> kStored = {"table", "index", "sequence", "materialized view"};
    if (!d.bytes && !(created && kStored.count(kind))) continue;
    MeasuredRelation measured{name, kind, lock->mode, d.bytes.value_or(0), d.rows.value_or(0), created,
                              scanned.count(lock->oid) > 0};
    std::vector<nlohmann::json> findings;
    if (auto finding = index_without_concurrently(by->source.text, measured, safety)) findings.push_back(*finding);
    if (!sized.count(lock->oid)) {
      for (auto& f : statement_findings(by->source.text, measured, rewritten.count(lock->oid) > 0, safety)) {
        findings.push_back(std::move(f));
      }
    }
    for (auto& finding : findings) {
      auto fails = add_finding(std::move(finding), by->source, safety, impact);
      if (!failure) failure = fails;
    }
    if (!sized.insert(lock->oid).second) continue;
    // Measuring the size took an ACCESS SHARE lock: it is ours, not the next statement's.
    if (d.bytes) seen_.insert({lock->oid, "AccessShareLock"});
    nlohmann::json relation{{"relation", name}, {"kind", kind}, {"created", created}};
    relation["bytes"] = d.bytes ? nlohmann::json(*d.bytes) : nlohmann::json(nullptr);
    relation["rows"] = d.rows ? nlohmann::json(static_cast<long long>(*d.rows)) : nlohmann::json(nullptr);
    entry["relations"].push_back(relation);
  }
  pending_.clear();
  held_ = seen_.size();
  return failure;
}

Recorder::Mark Recorder::mark(const nlohmann::json& impact) const {
  auto size = [&](const char* key) { return impact.contains(key) ? impact[key].size() : size_t{0}; };
  return Mark{size("statements"), size("findings"), size("ignored"), measured_, filenodes_};
}

void Recorder::rewind(const Mark& mark, nlohmann::json& impact) {
  const std::pair<const char*, size_t> lists[] = {
      {"statements", mark.statements}, {"findings", mark.findings}, {"ignored", mark.ignored}};
  for (const auto& [key, keep] : lists) {
    if (!impact.contains(key)) continue;
    auto& list = impact[key];
    if (list.size() > keep) list.erase(list.begin() + static_cast<std::ptrdiff_t>(keep), list.end());
  }
  measured_ = mark.measured;
  filenodes_ = mark.filenodes;
  pending_.clear();
  held_ = 0;
  vxid_.clear();
  seen_.clear();
  held_oids_.clear();
  exclusive_.clear();
  scans_.clear();
}

}  // namespace migsafe::impact
