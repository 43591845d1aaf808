// Installs the Supabase emulation (see supabase_shim_parts.hpp for its pieces) in one transaction,
// and refuses a database whose `auth` schema someone else made.
#include "pg/supabase_shim.hpp"

#include "core/error.hpp"
#include "pg/session.hpp"
#include "pg/supabase_shim_parts.hpp"

namespace migsafe::pg {
namespace {

constexpr const char* kMarker = "migsafe supabase shim";

}  // namespace

bool has_supabase_shim(Session& session) {
  return session.query("select obj_description(to_regnamespace('auth'), 'pg_namespace') = $1", {std::string(kMarker)})
             .scalar() == "t";
}

void install_supabase_shim(Session& session) {
  bool auth_exists = session.query("select to_regnamespace('auth') is not null").scalar() == "t";
  if (auth_exists && !has_supabase_shim(session)) {
    throw usage_error("database " + session.database() +
                      " already has an `auth` schema that migsafe did not create (a real Supabase?): "
                      "the shim is only for plain PostgreSQL");
  }
  session.exec("BEGIN");
  try {
    session.exec(shim::roles_sql());
    session.exec(shim::extensions_sql());
    session.exec(shim::auth_sql());
    session.exec(shim::storage_sql());
    session.exec(shim::public_sql());
    session.exec("COMMIT");
  } catch (...) {
    session.exec("ROLLBACK");
    throw;
  }
}

}  // namespace migsafe::pg
