#include "pg/object_diff.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/utf8.hpp"

namespace migsafe::pg {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxValueChars = 200;

// A definition as JSON; version 1 facts are plain text and become {"definition": text}.
Json parse_definition(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Json{{"definition", text}};
  return j;
}

std::string value_text(const Json& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return util::truncate_chars(v.get<std::string>(), kMaxValueChars);
  return util::truncate_chars(v.dump(), kMaxValueChars);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool multiline(const Json& v) {
  return v.is_string() && v.get<std::string>().find('\n') != std::string::npos;
}

// A multi-line text (a view, a function) is shown by its first differing line.
void diff_text(const std::string& field, const Json& before, const Json& after, std::vector<FieldChange>& out) {
  if (!before.is_string() || !after.is_string()) {
    out.push_back({field, value_text(before), value_text(after), ""});
    return;
  }
  std::vector<std::string> a = split_lines(before.get<std::string>()), b = split_lines(after.get<std::string>());
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::string was = i < a.size() ? util::truncate_chars(a[i], kMaxValueChars) : "(none)";
  std::string now = i < b.size() ? util::truncate_chars(b[i], kMaxValueChars) : "(none)";
  out.push_back({field + " line " + std::to_string(i + 1), was, now, ""});
}

std::string grant_text(const Json& item) {
  if (!item.is_array() || item.size() < 2) return value_text(item);
  std::string text = "grant " + value_text(item[1]) + " to " + value_text(item[0]);
  for (size_t i = 2; i < item.size(); ++i) text += " " + value_text(item[i]);
  return text;
}

void diff_grants(const Json& before, const Json& after, std::vector<FieldChange>& out) {
  auto items = [](const Json& j) {
    std::map<std::string, Json> m;
    if (j.is_array()) for (const auto& item : j) m[item.dump()] = item;
    return m;
  };
  auto was = items(before), now = items(after);
  for (const auto& [key, item] : was) {
    if (!now.count(key)) out.push_back({"grants", grant_text(item), "(none)", grant_text(item) + ": revoked"});
  }
  for (const auto& [key, item] : now) {
    if (!was.count(key)) out.push_back({"grants", "(none)", grant_text(item), grant_text(item) + ": added"});
  }
}

void diff_field(const std::string& field, const Json& before, const Json& after, std::vector<FieldChange>& out) {
  if (before == after) return;
  if (field == "grants") return diff_grants(before, after, out);
  if ((before.is_object() || before.is_null()) && (after.is_object() || after.is_null()) &&
      (before.is_object() || after.is_object())) {
    std::set<std::string> keys;
    for (const Json* side : {&before, &after}) {
      if (side->is_object()) for (auto it = side->begin(); it != side->end(); ++it) keys.insert(it.key());
    }
    for (const auto& key : keys) {
      Json a = before.is_object() && before.contains(key) ? before[key] : Json();
      Json b = after.is_object() && after.contains(key) ? after[key] : Json();
      diff_field(field + "." + key, a, b, out);
    }
    return;
  }
  if (multiline(before) || multiline(after)) return diff_text(field, before, after, out);
  out.push_back({field, value_text(before), value_text(after), ""});
}

// "relation" facts are shown as what they are: table, view, sequence, ...
std::string display_kind(const std::string& kind, const Json& definition) {
  if (kind == "relation" && definition.contains("kind") && definition["kind"].is_string()) {
    return definition["kind"].get<std::string>();
  }
  return kind;
}

std::string summary_of(const Json& definition) {
  if (!definition.contains("definition") || !definition["definition"].is_string()) return "";
  return util::truncate_chars(split_lines(definition["definition"].get<std::string>()).front(), kMaxValueChars);
}

const char* how_text(ObjectChange::How how) {
  switch (how) {
    case ObjectChange::How::added: return "added";
    case ObjectChange::How::removed: return "removed";
    case ObjectChange::How::changed: break;
  }
  return "changed";
}

bool is_relation_kind(const std::string& kind) {
  return kind == "table" || kind == "partitioned table" || kind == "view" || kind == "materialized view" ||
         kind == "sequence" || kind == "foreign table" || kind == "composite type";
}

// A table that was added or removed brings its columns, constraints, triggers, policies and rules
// (and a sequence its sequence fact) with it: they are shown as part of it, counted in its summary.
void fold_parts(std::vector<ObjectChange>& changes) {
  using Key = std::pair<ObjectChange::How, std::string>;
  std::map<Key, std::string> relations;  // added or removed relation -> its kind
  for (const auto& c : changes) {
    if (c.how != ObjectChange::How::changed && is_relation_kind(c.kind)) relations[{c.how, c.identity}] = c.kind;
  }
  std::map<Key, std::map<std::string, int>> parts;
  std::vector<ObjectChange> kept;
  for (auto& c : changes) {
    std::optional<Key> owner;
    if (c.how != ObjectChange::How::changed && !is_relation_kind(c.kind)) {
      if (relations.count({c.how, c.identity})) owner = Key{c.how, c.identity};
      size_t dot = c.identity.rfind('.');
      if (!owner && dot != std::string::npos && relations.count({c.how, c.identity.substr(0, dot)})) {
        owner = Key{c.how, c.identity.substr(0, dot)};
      }
    }
    if (owner && relations[*owner] != "sequence") ++parts[*owner][c.kind];
    if (!owner) kept.push_back(std::move(c));
  }
  for (auto& c : kept) {
    auto it = is_relation_kind(c.kind) ? parts.find({c.how, c.identity}) : parts.end();
    if (it == parts.end()) continue;
    std::vector<std::string> with;
    for (const auto& [kind, count] : it->second) with.push_back(std::to_string(count) + " " + kind + (count > 1 ? "s" : ""));
    c.summary = util::join(with);
  }
  changes = std::move(kept);
}

}  // namespace

std::vector<ObjectChange> diff_objects(const std::vector<SchemaFact>& before, const std::vector<SchemaFact>& after) {
  using Key = std::pair<std::string, std::string>;
  std::map<Key, const SchemaFact*> was, now;
  for (const auto& f : before) was[{f.kind, f.identity}] = &f;
  for (const auto& f : after) now[{f.kind, f.identity}] = &f;
  std::vector<ObjectChange> out;
  for (const auto& [key, fact] : was) {
    auto it = now.find(key);
    Json old_def = parse_definition(fact->definition);
    if (it == now.end()) {
      out.push_back({ObjectChange::How::removed, display_kind(key.first, old_def), key.second, {}, summary_of(old_def)});
      continue;
    }
    if (it->second->definition == fact->definition) continue;
    Json new_def = parse_definition(it->second->definition);
    ObjectChange change{ObjectChange::How::changed, display_kind(key.first, new_def), key.second, {}, ""};
    std::set<std::string> fields;
    for (const Json* side : {&old_def, &new_def}) {
      for (auto f = side->begin(); f != side->end(); ++f) fields.insert(f.key());
    }
    for (const auto& field : fields) {
      diff_field(field, old_def.contains(field) ? old_def[field] : Json(),
                 new_def.contains(field) ? new_def[field] : Json(), change.fields);
    }
    if (change.fields.empty()) change.fields.push_back({"definition", fact->definition, it->second->definition, ""});
    out.push_back(std::move(change));
  }
  for (const auto& [key, fact] : now) {
    if (was.count(key)) continue;
    Json def = parse_definition(fact->definition);
    out.push_back({ObjectChange::How::added, display_kind(key.first, def), key.second, {}, summary_of(def)});
  }
  fold_parts(out);
  std::sort(out.begin(), out.end(), [](const ObjectChange& a, const ObjectChange& b) {
    return std::tie(a.kind, a.identity) < std::tie(b.kind, b.identity);
  });
  return out;
}

std::string describe(const ObjectChange& change) {
  const std::string name = change.kind + " " + change.identity;
  if (change.how != ObjectChange::How::changed) {
    return std::string(change.how == ObjectChange::How::added ? "+ " : "- ") + name + " " + how_text(change.how) +
           (change.summary.empty() ? "" : ": " + change.summary);
  }
  std::vector<std::string> parts;
  for (const auto& f : change.fields) {
    parts.push_back(f.note.empty() ? f.field + ": " + f.before + " → " + f.after : f.note);
  }
  return "~ " + name + ": " + util::join(parts, "; ");
}

nlohmann::json to_json(const ObjectChange& change) {
  Json fields = Json::array();
  for (const auto& f : change.fields) {
    Json field{{"field", f.field}, {"before", f.before}, {"after", f.after}};
    if (!f.note.empty()) field["note"] = f.note;
    fields.push_back(field);
  }
  Json j{{"change", how_text(change.how)}, {"kind", change.kind}, {"identity", change.identity},
         {"fields", fields}, {"text", describe(change)}};
  if (!change.summary.empty()) j["summary"] = change.summary;
  return j;
}

std::string hash_facts(std::vector<SchemaFact> facts) {
  std::sort(facts.begin(), facts.end(), [](const SchemaFact& a, const SchemaFact& b) {
    return std::tie(a.kind, a.identity, a.definition) < std::tie(b.kind, b.identity, b.definition);
  });
  util::Sha256 hash;
  for (size_t i = 0; i < facts.size(); ++i) {
    if (i) hash.update("\n");
    hash.update(facts[i].kind);
    hash.update("\t");
    hash.update(facts[i].identity);
    hash.update("\t");
    hash.update(facts[i].definition);
  }
  return "sha256:" + hash.hex();
}

}  // namespace migsafe::pg
