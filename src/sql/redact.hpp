// Query text fit to show to whoever reads a report: another session's query (say, the one that
// blocked a migration) may carry personal data or secrets in its literals.
#pragma once

#include <string>

namespace migsafe::sql {

// `text` with every literal replaced by `?`: '...' strings (also E'', B'', X'', U&''), $tag$ ... $tag$
// bodies and numbers not part of a name; comments are dropped and whitespace runs collapsed to one
// space. Identifiers ("quoted" too), keywords, operators and $1 parameters stay. Then cut to
// `max_chars` characters (UTF-8 aware), "..." added when cut.
std::string redact_literals(const std::string& text, size_t max_chars = 200);

}  // namespace migsafe::sql
