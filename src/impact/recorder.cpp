// Per-statement lock impact. Locks accumulate in a transaction, so a statement's own locks are the
// ones its backend holds now and did not hold before it; a rewrite is a relation whose storage
// (relfilenode) changed. One catalog query per statement, plus one at the start of the run.
#include "impact/recorder.hpp"

#include <algorithm>

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

// "<vxid>/<oid>/<mode>" -> "<vxid>".
std::string vxid_of(const pg::RelationLock& lock) {
  return lock.key.substr(0, lock.key.size() - lock.oid.size() - lock.mode.size() - 2);
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
  if (started_ || !safety.measure) return;
  before_run_ = pg::user_relations(session);
  for (const auto& [oid, relation] : before_run_) filenodes_[oid] = relation.filenode;
  started_ = true;
}

void Recorder::enter_transaction(const std::string& vxid) {
  if (vxid == vxid_) return;
  vxid_ = vxid;
  known_keys_.clear();
  held_oids_.clear();
}

std::optional<std::string> Recorder::after_statement(pg::Session& session, const StatementSource& source, long long duration_ms,
                               const config::Safety& safety, nlohmann::json& impact) {
  if (!safety.measure) return std::nullopt;
  start(session, safety);
  std::vector<std::string> keys(known_keys_.begin(), known_keys_.end());
  std::vector<std::string> held;
  for (const std::string& oid : held_oids_) held.push_back(oid + ":" + filenodes_[oid]);
  std::vector<pg::RelationLock> locks = pg::own_relation_locks(session, keys, held);

  nlohmann::json entry{{"file", source.file},       {"line", source.line},
                       {"statement", shortened(source.text)}, {"duration_ms", duration_ms},
                       {"locks", nlohmann::json::array()},    {"rewrites", nlohmann::json::array()},
                       {"relations", nlohmann::json::array()}};
  std::set<std::string> sized;
  std::optional<std::string> failure;
  for (const pg::RelationLock& lock : locks) {
    if (lock.is_new) enter_transaction(vxid_of(lock));
  }
  for (const pg::RelationLock& lock : locks) {
    if (!lock.relation && before_run_.count(lock.oid) == 0) continue;  // a dropped TOAST table or index
    const std::string name = lock.relation ? lock.relation->name
                             : before_run_.count(lock.oid) ? before_run_[lock.oid].name
                                                           : "oid " + lock.oid;
    const std::string kind = lock.relation ? lock.relation->kind : "dropped";
    const bool created = before_run_.count(lock.oid) == 0;
    if (lock.is_new) {
      known_keys_.insert(lock.key);
      entry["locks"].push_back({{"relation", name}, {"kind", kind}, {"mode", lock.mode}});
    }
    if (lock.relation) {
      auto previous = filenodes_.find(lock.oid);
      if (previous != filenodes_.end() && !previous->second.empty() && !lock.relation->filenode.empty() &&
          previous->second != lock.relation->filenode) {
        entry["rewrites"].push_back(name);
      }
      filenodes_[lock.oid] = lock.relation->filenode;
      held_oids_.insert(lock.oid);
    }
    if (!lock.bytes) continue;
    MeasuredRelation measured{name, kind, lock.mode, *lock.bytes, lock.rows.value_or(0), created};
    if (auto finding = index_without_concurrently(source.text, measured, safety)) {
      auto fails = add_finding(*finding, source, safety, impact);
      if (!failure) failure = fails;
    }
    if (!sized.insert(lock.oid).second) continue;
    // Measuring the size took an ACCESS SHARE lock: it is ours, not the next statement's.
    known_keys_.insert(vxid_ + "/" + lock.oid + "/AccessShareLock");
    nlohmann::json relation{{"relation", name}, {"kind", kind}, {"bytes", *lock.bytes}, {"created", created}};
    relation["rows"] = lock.rows ? nlohmann::json(static_cast<long long>(*lock.rows)) : nlohmann::json(nullptr);
    entry["relations"].push_back(relation);
  }
  if (!impact.contains("statements")) impact["statements"] = nlohmann::json::array();
  impact["statements"].push_back(std::move(entry));
  ++measured_;
  return failure;
}

}  // namespace migsafe::impact
