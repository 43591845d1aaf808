// Writes a shim table as CREATE IF NOT EXISTS plus ADD ... IF NOT EXISTS, so the emulation can be
// installed again (or over an older, thinner one) without failing and without losing rows.
#include "pg/supabase_shim_parts.hpp"

namespace migsafe::pg::shim {

std::string table_sql(const Table& table) {
  const std::string name = table.qualified_name;
  std::string sql = "CREATE TABLE IF NOT EXISTS " + name + " ();\nALTER TABLE " + name;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    sql += std::string(i == 0 ? "\n  " : ",\n  ") + "ADD COLUMN IF NOT EXISTS " +
           table.columns[i].name + " " + table.columns[i].definition;
  }
  sql += ";\n";
  for (const auto& c : table.constraints) {
    sql += "DO $shim$ BEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '" +
           name + "'::regclass AND conname = '" + c.name + "') THEN\n    ALTER TABLE " + name +
           " ADD CONSTRAINT \"" + c.name + "\" " + c.definition + ";\n  END IF;\nEND $shim$;\n";
  }
  return sql;
}

}  // namespace migsafe::pg::shim
