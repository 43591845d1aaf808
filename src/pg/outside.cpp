// The outside snapshot: one catalog query for the objects, one scan per table for the data.
#include "pg/outside.hpp"

#include <algorithm>
#include <cstdlib>

#include "pg/outside_sql.hpp"
#include "pg/qualified_names.hpp"
#include "pg/session.hpp"

namespace migsafe::pg {
namespace {

unsigned long to_oid(const std::optional<std::string>& text) {
  return text ? std::strtoul(text->c_str(), nullptr, 10) : 0;
}

}  // namespace

OutsideSnapshot take_outside_snapshot(Session& session, const std::vector<std::string>& owned) {
  QualifiedNames qualified(session);
  const std::string owned_array = text_array(session, owned);
  OutsideSnapshot snap;
  snap.taken = true;
  std::string sql = kOutsideObjectsSql;
  for (size_t at = sql.find("$1::text[]"); at != std::string::npos; at = sql.find("$1::text[]", at)) {
    sql.replace(at, 10, owned_array);
  }
  for (const auto& row : session.query(sql).rows) {
    OutsideObject o;
    o.type = row[0].value_or("");
    o.identity = row[1].value_or("");
    o.definition = row[2].value_or("");
    o.classid = to_oid(row[3]);
    o.objid = to_oid(row[4]);
    o.objsubid = int(to_oid(row[5]));
    o.drop_sql = row[6].value_or("");
    o.grant_target = row[7].value_or("");
    o.acl = row[8].value_or("");
    snap.objects.push_back(std::move(o));
  }
  std::sort(snap.objects.begin(), snap.objects.end(),
            [](const OutsideObject& a, const OutsideObject& b) { return a.key() < b.key(); });
  std::string tables = kOutsideTablesSql;
  tables.replace(tables.find("$1::text[]"), 10, owned_array);
  for (const auto& row : session.query(tables).rows) snap.data[*row[0]] = table_data_hash(session, *row[0]);
  return snap;
}

std::string table_data_hash(Session& session, const std::string& qualified_table) {
  std::string sql = kTableHashSql;
  sql.replace(sql.find("%s"), 2, qualified_table);
  return session.query(sql).scalar().value_or("");
}

std::vector<std::string> outside_differences(const OutsideSnapshot& before, const OutsideSnapshot& after,
                                             size_t limit) {
  std::map<std::string, std::string> was, now;
  for (const auto& o : before.objects) was[o.key()] = o.definition;
  for (const auto& o : after.objects) now[o.key()] = o.definition;
  std::vector<std::string> out;
  for (const auto& [key, def] : was) {
    auto it = now.find(key);
    if (it == now.end()) out.push_back(key + ": gone (it was there before the run)");
    else if (it->second != def) out.push_back(key + ": changed, was [" + def + "], now [" + it->second + "]");
  }
  for (const auto& [key, def] : now) {
    if (!was.count(key)) out.push_back(key + ": not there before the run");
  }
  for (const auto& [table, hash] : before.data) {
    auto it = after.data.find(table);
    if (it != after.data.end() && it->second != hash) out.push_back("rows of table " + table + ": differ from before the run");
  }
  if (out.size() > limit) {
    size_t more = out.size() - limit;
    out.resize(limit);
    out.push_back("... and " + std::to_string(more) + " more");
  }
  return out;
}

std::string revert_privileges_sql(Session& session, const std::string& grant_target, const std::string& want,
                                  const std::string& have) {
  return session.query(kRevertPrivilegesSql, {grant_target, want, have}).scalar().value_or("");
}

}  // namespace migsafe::pg
