// Catalog functions (regclass, pg_get_*def, pg_identify_object) print names relative to
// search_path; while one of these lives, the session's search_path is empty, so they print every
// name schema-qualified and the text is the same whatever the session's setting was.
#pragma once

#include <string>

namespace migsafe::pg {

class Session;

// Empties `session`'s search_path for its lifetime, then puts the old one back.
class QualifiedNames {
 public:
  explicit QualifiedNames(Session& session);
  ~QualifiedNames();
  QualifiedNames(const QualifiedNames&) = delete;
  QualifiedNames& operator=(const QualifiedNames&) = delete;

 private:
  Session& session_;
  std::string saved_;
};

}  // namespace migsafe::pg
