#include "cli/target.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "core/error.hpp"
#include "pg/session.hpp"
#include "pg/supabase_shim.hpp"

namespace migsafe::cli {
namespace {

bool something_listens(const char* ip, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  inet_pton(AF_INET, ip, &addr.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

bool pg_environment_names_a_database() {
  for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGSERVICE"}) {
    const char* value = getenv(name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

Target from_text(const std::string& text) {
  Target t;
  t.conninfo = pg::ConnInfo::parse(text);
  t.display = display_without_password(text);
  return t;
}

Target ephemeral() {
  Target t;
  t.cluster = std::make_unique<pg::EphemeralCluster>();
  t.conninfo = t.cluster->conninfo("postgres");
  t.display = "ephemeral PostgreSQL at " + t.cluster->socket_dir() + " (removed afterwards)";
  pg::Session session(t.conninfo, "migsafe supabase-shim");
  pg::install_supabase_shim(session);
  return t;
}

}  // namespace

void add_target_options(CLI::App* command, TargetOptions& options) {
  auto* db = command->add_option("--db", options.db, "Target database: a libpq URL or keyword string");
  auto* local = command->add_flag("--local", options.local, std::string("The local Supabase: ") + kLocalSupabaseUrl);
  auto* eph = command->add_flag("--ephemeral", options.ephemeral,
                                "A throwaway PostgreSQL started for this command, with Supabase emulation");
  db->excludes(local)->excludes(eph);
  local->excludes(eph);
}

std::string display_without_password(const std::string& text) {
  static const std::regex url_password(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@?#]*):[^@/?#]*@)");
  static const std::regex keyword_password(R"((^|\s)password\s*=\s*('([^'\\]|\\.)*'|\S*)\s*)");
  static const std::regex query_password(R"(([?&])password=[^&]*&?)");
  std::string out = std::regex_replace(text, url_password, "$1@");
  out = std::regex_replace(out, query_password, "$1");
  return std::regex_replace(out, keyword_password, "$1");
}

Target resolve_target(const TargetOptions& options, const config::Pipeline* pipeline) {
  if (!options.db.empty()) return from_text(options.db);
  if (options.local) {
    if (!something_listens("127.0.0.1", 54322)) {
      throw Error(Exit::refused,
                  "--local: nothing listens on 127.0.0.1:54322, where a local Supabase runs. "
                  "Start one with `supabase start`, or use --ephemeral for a throwaway PostgreSQL");
    }
    return from_text(kLocalSupabaseUrl);
  }
  if (options.ephemeral) return ephemeral();
  if (pipeline != nullptr) {
    if (pipeline->database.ephemeral) return ephemeral();
    if (pipeline->database.url) return from_text(*pipeline->database.url);
    const char* from_env = getenv(pipeline->database.url_env.c_str());
    if (from_env != nullptr && *from_env != '\0') return from_text(from_env);
  } else if (const char* url = getenv("DATABASE_URL"); url != nullptr && *url != '\0') {
    return from_text(url);
  }
  if (pg_environment_names_a_database()) {
    Target t;
    t.display = "libpq defaults from PG* environment variables";
    return t;
  }
  const std::string env = pipeline ? pipeline->database.url_env : "DATABASE_URL";
  throw usage_error("no target database: pass --db URL, --local or --ephemeral, or set " + env +
                    " (or PGHOST/PGDATABASE); migsafe never picks a database by itself");
}

}  // namespace migsafe::cli
