// See qualified_names.hpp: fingerprints and snapshots must not depend on the caller's search_path.
#include "pg/qualified_names.hpp"

#include "pg/session.hpp"

namespace migsafe::pg {

QualifiedNames::QualifiedNames(Session& session)
    : session_(session), saved_(session.query("select current_setting('search_path')").scalar().value_or("")) {
  session_.exec("select set_config('search_path', '', false)");
}

QualifiedNames::~QualifiedNames() {
  try {
    session_.query("select set_config('search_path', $1, false)", {saved_});
  } catch (...) {
    // The session is broken; whoever uses it next reports that.
  }
}

}  // namespace migsafe::pg
