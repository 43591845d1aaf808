#include "backup/toc.hpp"

#include <cstdlib>
#include <sstream>

namespace migsafe::backup {
namespace {

// Object kinds pg_dump writes, longest first so "TABLE DATA" wins over "TABLE".
const std::vector<std::string>& known_descs() {
  static const std::vector<std::string> descs = {
      "PUBLICATION TABLES IN SCHEMA", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY", "FOREIGN DATA WRAPPER",
      "TEXT SEARCH TEMPLATE", "MATERIALIZED VIEW DATA", "PROCEDURAL LANGUAGE", "TEXT SEARCH PARSER",
      "PUBLICATION TABLE", "SEQUENCE OWNED BY", "MATERIALIZED VIEW", "CHECK CONSTRAINT", "OPERATOR FAMILY",
      "OPERATOR CLASS", "FK CONSTRAINT", "EVENT TRIGGER", "ACCESS METHOD", "FOREIGN TABLE", "SEQUENCE SET",
      "INDEX ATTACH", "TABLE ATTACH", "USER MAPPING", "ROW SECURITY", "LARGE OBJECT", "DEFAULT ACL", "SHELL TYPE",
      "SUBSCRIPTION", "PUBLICATION", "STATISTICS", "STDSTRINGS", "SEARCHPATH", "CONSTRAINT", "COLLATION",
      "CONVERSION", "EXTENSION", "AGGREGATE", "PROCEDURE", "TRANSFORM", "TABLE DATA", "FUNCTION", "OPERATOR",
      "SEQUENCE", "ENCODING", "DATABASE", "TRIGGER", "COMMENT", "DEFAULT", "POLICY", "SCHEMA", "DOMAIN", "SERVER",
      "TABLE", "INDEX", "RULE", "VIEW", "TYPE", "CAST", "BLOB", "ACL"};
  return descs;
}

bool parse_line(const std::string& line, TocEntry& entry) {
  size_t semi = line.find("; ");
  if (line.empty() || line[0] == ';' || semi == std::string::npos) return false;
  std::istringstream in(line.substr(semi + 2));
  std::string catalog_oid, object_oid;
  in >> catalog_oid >> object_oid >> std::ws;
  entry.dump_id = std::strtol(line.c_str(), nullptr, 10);
  entry.catalog_oid = std::strtoul(catalog_oid.c_str(), nullptr, 10);
  entry.object_oid = std::strtoul(object_oid.c_str(), nullptr, 10);
  std::string rest;
  std::getline(in, rest);
  for (const auto& desc : known_descs()) {
    if (rest.rfind(desc + " ", 0) != 0) continue;
    entry.line = line;
    entry.desc = desc;
    rest = rest.substr(desc.size() + 1);
    size_t space = rest.find(' ');
    entry.schema = rest.substr(0, space);
    std::string tail = space == std::string::npos ? "" : rest.substr(space + 1);
    size_t last = tail.rfind(' ');  // the owner is the last word
    entry.tag = last == std::string::npos ? tail : tail.substr(0, last);
    return true;
  }
  return false;
}

}  // namespace

std::vector<TocEntry> parse_toc(const std::string& listing) {
  std::vector<TocEntry> entries;
  std::istringstream in(listing);
  std::string line;
  const std::string depends = ";\tdepends on:";
  while (std::getline(in, line)) {
    if (line.rfind(depends, 0) == 0 && !entries.empty()) {
      std::istringstream ids(line.substr(depends.size()));
      for (long id; ids >> id;) entries.back().depends_on.push_back(id);
      continue;
    }
    TocEntry entry;
    if (parse_line(line, entry)) entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace migsafe::backup
