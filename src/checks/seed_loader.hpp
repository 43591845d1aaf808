// Loads seed files as the Supabase CLI does after `db reset` (pkg/migration/seed.go): each file
// split into statements as the CLI splits migrations and sent as one batch, so a file loads whole
// or not at all; the first file that fails stops the seeding.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/sql_failure.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// What loading one seed file did.
struct SeedResult {
  std::string file;                 // as shown to the user
  size_t statements = 0;            // statements sent
  std::optional<SqlFailure> error;  // why it did not load, located at file:line:column
  // {file, statements, status ("loaded" | "failed"), error}.
  nlohmann::json to_json() const;
};

// Loads `files` in order on `session`, which must be in a transaction (each file is a savepoint,
// rolled back when it fails). Stops after the first failure. `display` names a file for the user.
std::vector<SeedResult> load_seeds(pg::Session& session, const std::vector<std::filesystem::path>& files,
                                   const std::function<std::string(const std::filesystem::path&)>& display);

}  // namespace migsafe::checks
