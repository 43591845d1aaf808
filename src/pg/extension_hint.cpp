// Maps an extension missing from the server to where it can be had. Checked in 2026 against
// Debian 12 (bookworm) with `apt-cache policy postgresql-15-<name>`.
#include "pg/extension_hint.hpp"

#include <regex>

namespace migsafe::pg {
namespace {

enum class Source { debian, debian_preload, pgdg, supabase };

struct Known {
  const char* extension;
  const char* package;  // without the "postgresql-NN-" prefix; "" when there is no package
  Source source;
};

const Known kKnown[] = {
    {"postgis", "postgis-3", Source::debian},
    {"postgis_raster", "postgis-3", Source::debian},
    {"postgis_topology", "postgis-3", Source::debian},
    {"postgis_sfcgal", "postgis-3", Source::debian},
    {"postgis_tiger_geocoder", "postgis-3", Source::debian},
    {"address_standardizer", "postgis-3", Source::debian},
    {"address_standardizer_data_us", "postgis-3", Source::debian},
    {"pgrouting", "pgrouting", Source::debian},
    {"rum", "rum", Source::debian},
    {"pg_repack", "repack", Source::debian},
    {"hypopg", "hypopg", Source::debian},
    {"plpgsql_check", "plpgsql-check", Source::debian},
    {"pg_partman", "partman", Source::debian},
    {"pg_cron", "cron", Source::debian_preload},
    {"pgaudit", "pgaudit", Source::debian_preload},
    {"vector", "pgvector", Source::pgdg},
    {"http", "http", Source::pgdg},
    {"pgjwt", "", Source::supabase},
    {"pg_net", "", Source::supabase},
    {"pgsodium", "", Source::supabase},
    {"pg_graphql", "", Source::supabase},
    {"supabase_vault", "", Source::supabase},
    {"vault", "", Source::supabase},
    {"pg_jsonschema", "", Source::supabase},
    {"wrappers", "", Source::supabase},
    {"index_advisor", "", Source::supabase},
};

// The server's major version, read from the control file path in the error's detail.
std::string major_version(const std::string& detail) {
  static const std::regex path(R"(/postgresql/([0-9]+)/extension/)");
  std::smatch m;
  return std::regex_search(detail, m, path) ? m[1].str() : "15";
}

std::string describe(const Known& k, const std::string& major) {
  const std::string name = k.extension;
  const std::string package = "postgresql-" + major + "-" + k.package;
  switch (k.source) {
    case Source::debian:
      return "extension " + name +
             " is packaged by Debian 12 but not installed on this server: "
             "apt-get install " +
             package;
    case Source::debian_preload:
      return "extension " + name +
             " is packaged by Debian 12 but not installed on this server: "
             "apt-get install " +
             package + ", and add " + name +
             " to shared_preload_libraries (--ephemeral does that when it is installed)";
    case Source::pgdg:
      return "extension " + name +
             " is offered by Supabase but not packaged by Debian 12: install " + package +
             " from the PostgreSQL project's own apt repository (PGDG) on the server, or run "
             "against a "
             "Supabase database (--local)";
    case Source::supabase:
      break;
  }
  return "extension " + name +
         " comes with Supabase only (Debian 12 does not package it): run this "
         "migration against a Supabase database (--local, `supabase start`), or guard it so plain "
         "PostgreSQL "
         "skips it";
}

}  // namespace

std::optional<std::string> missing_extension_hint(const std::string& message,
                                                  const std::string& detail) {
  static const std::regex not_available(R"re(^extension "([^"]+)" is not available)re");
  std::smatch m;
  if (!std::regex_search(message, m, not_available)) return std::nullopt;
  const std::string name = m[1].str();
  for (const auto& k : kKnown) {
    if (name == k.extension) return describe(k, major_version(detail));
  }
  return "extension " + name +
         " is not installed on this server (Supabase may offer it; look for "
         "postgresql-" +
         major_version(detail) + "-" + name + " with apt-cache search)";
}

}  // namespace migsafe::pg
