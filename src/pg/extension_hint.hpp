// Where to get an extension a migration asks for and the server lacks: Supabase offers many that
// plain PostgreSQL does not ship, and "extension is not available" alone leaves a user stuck.
#pragma once

#include <optional>
#include <string>

namespace migsafe::pg {

// For the server's "extension "NAME" is not available" error (`message`, with `detail` naming the
// control file it looked for), a hint naming the extension and where it comes from: the Debian 12
// package, the PostgreSQL project's own apt repository, or Supabase only. nullopt for other errors.
std::optional<std::string> missing_extension_hint(const std::string& message,
                                                  const std::string& detail);

}  // namespace migsafe::pg
