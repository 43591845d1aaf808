// The pieces of the Supabase emulation, one SQL script per concern, and the helper that writes a
// table so that installing over an older emulation adds what it lacks instead of failing.
// Internal to src/pg/supabase_shim*.cpp.
#pragma once

#include <string>
#include <vector>

namespace migsafe::pg::shim {

// A column: its name and everything after the name (type, default, NOT NULL, GENERATED ...).
struct Column {
  const char* name;
  const char* definition;
};

// A named table constraint (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY ...).
struct Constraint {
  const char* name;
  const char* definition;
};

// A table as Supabase's own migrations leave it.
struct Table {
  const char* qualified_name;  // e.g. "auth.users"
  std::vector<Column> columns;
  std::vector<Constraint> constraints;
};

// SQL creating `table` if missing and adding any column or constraint it lacks; safe to rerun.
std::string table_sql(const Table& table);

// Roles and their attributes and memberships (cluster-wide: created when missing).
std::string roles_sql();
// The `extensions` schema with the extensions a new project has, and the database search_path.
std::string extensions_sql();
// GoTrue's `auth` schema: types, tables, indexes, auth.uid()/role()/email()/jwt(), grants.
std::string auth_sql();
// Storage's `storage` schema: buckets, objects, migrations, the path helpers and triggers, grants.
std::string storage_sql();
// The grants and default privileges a project gives the API roles on `public`, the realtime
// publication.
std::string public_sql();

}  // namespace migsafe::pg::shim
