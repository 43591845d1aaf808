// The files `migsafe init` writes: a pipeline for an existing Supabase project and a GitHub
// Actions workflow that runs it. Pure text; the caller decides where they go.
#pragma once

#include <string>
#include <vector>

namespace migsafe::config {

// What goes into a new pipeline. Paths are relative to the pipeline file, with '/'.
struct PipelineTemplate {
  std::string name;                          // the pipeline's `name`
  std::vector<std::string> schemas;          // `[database] schemas`
  std::string schemas_note;                  // a comment line on where they came from
  std::string migrations_dir;                // `[migrations] dir`
  std::string tests_glob;                    // `[verify] tests`; empty: no [verify] table
  std::string backup_dir;                    // `[backup] dir`
  std::vector<std::string> exposed_schemas;  // `[rls] exposed_schemas`
  std::string exposed_note;                  // a comment line on where they came from
};

// The pipeline file's text (TOML, commented), valid for `migsafe validate`.
std::string render_pipeline(const PipelineTemplate& pipeline);

// A workflow running `pipeline_path` (relative to the repository root): a dry run on --ephemeral
// for each pull request, the real run on pushes to main with secrets.DATABASE_URL.
// `action` is what its `uses:` names (migsafe's composite action).
std::string render_workflow(const std::string& pipeline_path, const std::string& action);

// `text` as a TOML basic string, quotes included.
std::string toml_string(const std::string& text);

}  // namespace migsafe::config
