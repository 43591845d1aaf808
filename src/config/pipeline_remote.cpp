// `[backup.remote]`: where off-site copies go and which variables hold the credentials. The
// credentials themselves never appear in the pipeline file.
#include <stdexcept>

#include "config/pipeline_diagnostics.hpp"
#include "config/pipeline_sections.hpp"
#include "remote/s3_location.hpp"

namespace migsafe::config::detail {

BackupRemote read_remote(const TableReader& table) {
  table.allow_only({"url", "endpoint", "region", "force_path_style", "access_key_id_env",
                    "secret_access_key_env", "session_token_env", "required", "part_size_mib"});
  BackupRemote remote;
  remote.pos = table.pos();
  remote.url = table.required_string("url");
  set_if(remote.endpoint, table.string("endpoint"));
  set_if(remote.region, table.string("region"));
  set_if(remote.force_path_style, table.boolean("force_path_style"));
  set_if(remote.access_key_id_env, env_name(table, "access_key_id_env"));
  set_if(remote.secret_access_key_env, env_name(table, "secret_access_key_env"));
  set_if(remote.session_token_env, env_name(table, "session_token_env"));
  set_if(remote.required, table.boolean("required"));
  if (auto part = table.integer("part_size_mib", 5, 512)) remote.part_size_mib = int(*part);
  if (remote.url.empty()) return remote;
  try {
    remote::parse_location(remote.url, remote.endpoint, remote.region, remote.force_path_style);
  } catch (const std::invalid_argument& e) {
    const char* key = std::string(e.what()).rfind("endpoint", 0) == 0 ? "endpoint" : "url";
    table.error(key, "'" + table.key_path(key) + "': " + e.what());
  }
  return remote;
}

}  // namespace migsafe::config::detail
