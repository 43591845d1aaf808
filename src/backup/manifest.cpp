#include "backup/manifest.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/atomic_file.hpp"

namespace migsafe::backup {
namespace {

using nlohmann::json;

// Reads typed fields from a manifest's JSON, naming the origin and field in every error.
class FieldReader {
 public:
  FieldReader(const json& object, const std::string& origin) : object_(object), origin_(origin) {}

  std::string text(const char* key, bool required) const {
    const json* v = find(key, required);
    if (v == nullptr || v->is_null()) return "";
    if (!v->is_string()) bad(key, "must be a string");
    return v->get<std::string>();
  }
  uint64_t size(const char* key) const {
    const json* v = find(key, true);
    if (!v->is_number_unsigned()) bad(key, "must be a non-negative integer");
    return v->get<uint64_t>();
  }
  long long integer(const char* key) const {
    const json* v = find(key, false);
    if (v == nullptr || v->is_null()) return 0;
    if (!v->is_number_integer()) bad(key, "must be an integer");
    return v->get<long long>();
  }
  std::map<std::string, long long> counts(const char* key) const {
    std::map<std::string, long long> out;
    const json* v = find(key, false);
    if (v == nullptr || v->is_null()) return out;
    if (!v->is_object()) bad(key, "must be an object of table -> row count");
    for (const auto& [table, count] : v->items()) {
      if (!count.is_number_integer()) bad(key, "has a non-integer count for " + table);
      out[table] = count.get<long long>();
    }
    return out;
  }
  json any(const char* key) const {
    const json* v = find(key, false);
    return v == nullptr ? json() : *v;
  }
  [[noreturn]] void bad(const std::string& key, const std::string& why) const {
    throw std::runtime_error(origin_ + ": manifest field \"" + key + "\" " + why);
  }

 private:
  const json* find(const char* key, bool required) const {
    auto it = object_.find(key);
    if (it != object_.end()) return &*it;
    if (required) bad(key, "is missing");
    return nullptr;
  }
  const json& object_;
  const std::string& origin_;
};

// A file named in a manifest must sit beside it: a path could point a restore anywhere.
void check_file_name(const FieldReader& r, const char* key, const std::string& name) {
  if (name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    r.bad(key, "must be a file name in the manifest's directory, not \"" + name + "\"");
  }
}

void check_checksum(const FieldReader& r, const std::string& checksum) {
  const std::string prefix = "sha256:";
  bool ok = checksum.size() == prefix.size() + 64 &&
            checksum.compare(0, prefix.size(), prefix) == 0 &&
            checksum.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
  if (!ok)
    r.bad("checksum", "must be \"sha256:\" and 64 lowercase hex digits, not \"" + checksum + "\"");
}

json or_null(const std::string& value) {
  return value.empty() ? json() : json(value);
}

std::string format_utc(std::chrono::system_clock::time_point when, const char* format) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, format, &tm));
}

std::string sanitise(const std::string& text, const std::string& allowed_punctuation) {
  std::string out = text;
  for (char& c : out) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              allowed_punctuation.find(c) != std::string::npos;
    if (!ok) c = '_';
  }
  return out.empty() ? "_" : out;
}

}  // namespace

json Manifest::to_json() const {
  json j = original.is_object() ? original : json::object();
  j["backup_id"] = backup_id;
  j["created_at"] = created_at;
  j["migration_version"] = migration_version;
  j["target_version"] = or_null(target_version);
  j["pipeline"] = or_null(pipeline);
  j["git_sha"] = or_null(git_sha);
  j["database"] = database;
  j["server_version"] = or_null(server_version);
  j["format"] = format;
  j["compression"] = compression;
  j["file"] = file;
  j["bytes"] = bytes;
  j["checksum"] = checksum;
  j["encryption"] = encryption;
  j["duration_ms"] = duration_ms;
  j["schema_fingerprint"] = or_null(schema_fingerprint);
  j["fingerprint_version"] = fingerprint_version;
  j["row_counts"] = row_counts;
  j["schema_file"] = or_null(schema_file);
  j["status"] = status;
  j["kind"] = or_null(kind);
  j["run_id"] = or_null(run_id);
  j["migsafe_version"] = or_null(migsafe_version);
  j["pinned"] = pinned;
  j["tag_note"] = or_null(tag_note);
  j["verified_at"] = or_null(verified_at);
  j["copy"] = copy;
  j["remote"] = remote;
  j["restore_drill"] = restore_drill;
  j["files"] = files;
  return j;
}

Manifest Manifest::from_json(const json& j, const std::string& origin) {
  if (!j.is_object()) throw std::runtime_error(origin + ": a manifest must be a JSON object");
  FieldReader r(j, origin);
  Manifest m;
  m.original = j;
  m.backup_id = r.text("backup_id", true);
  m.created_at = r.text("created_at", true);
  m.migration_version = r.text("migration_version", true);
  m.target_version = r.text("target_version", false);
  m.pipeline = r.text("pipeline", false);
  m.git_sha = r.text("git_sha", false);
  m.database = r.text("database", true);
  m.server_version = r.text("server_version", false);
  m.format = r.text("format", true);
  m.compression = r.text("compression", true);
  m.file = r.text("file", true);
  m.bytes = r.size("bytes");
  m.checksum = r.text("checksum", true);
  m.encryption = r.any("encryption");
  m.duration_ms = r.integer("duration_ms");
  m.schema_fingerprint = r.text("schema_fingerprint", false);
  // Manifests from before fingerprints had versions were made with version 1.
  long long version = r.integer("fingerprint_version");
  if (version < 0 || version > 1000) r.bad("fingerprint_version", "must be a small positive integer");
  m.fingerprint_version = version == 0 ? 1 : int(version);
  m.row_counts = r.counts("row_counts");
  m.schema_file = r.text("schema_file", false);
  m.status = r.text("status", true);
  m.kind = r.text("kind", false);
  m.run_id = r.text("run_id", false);
  m.migsafe_version = r.text("migsafe_version", false);
  m.pinned = r.any("pinned").is_boolean() && r.any("pinned").get<bool>();
  m.tag_note = r.text("tag_note", false);
  m.verified_at = r.text("verified_at", false);
  m.copy = r.any("copy");
  m.remote = r.any("remote");
  m.restore_drill = r.any("restore_drill");
  m.files = r.any("files");
  if (m.backup_id.empty()) r.bad("backup_id", "is empty");
  if (m.file.empty()) r.bad("file", "is empty");
  check_file_name(r, "file", m.file);
  if (!m.schema_file.empty()) check_file_name(r, "schema_file", m.schema_file);
  check_checksum(r, m.checksum);
  return m;
}

Manifest load_manifest(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  json j;
  try {
    j = json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path.string() + ": not a valid manifest (" + e.what() + ")");
  }
  return Manifest::from_json(j, path.string());
}

void save_manifest(const std::filesystem::path& path, const Manifest& manifest) {
  util::AtomicFile file(path, 0600);
  file.write(manifest.to_json().dump(2) + "\n");
  file.commit();
}

std::string make_backup_id(std::chrono::system_clock::time_point when, const std::string& database,
                           const std::string& version) {
  return format_utc(when, "%Y%m%dT%H%M%SZ") + "_" + sanitise(database, "_-") + "_v" +
         sanitise(version, "._-");
}

std::string iso8601_utc(std::chrono::system_clock::time_point when) {
  return format_utc(when, "%Y-%m-%dT%H:%M:%SZ");
}

}  // namespace migsafe::backup
