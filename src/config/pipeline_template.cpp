// The text of the files `migsafe init` writes. Kept next to the pipeline reader so a key renamed
// there is renamed here too: the init tests run `migsafe validate` on what this writes.
#include "config/pipeline_template.hpp"

#include <cstdio>

namespace migsafe::config {
namespace {

std::string toml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_string(items[i]);
  return out + "]";
}

// `text` with every "{{pipeline}}" and "{{action}}" replaced.
std::string substitute(std::string text, const std::string& key, const std::string& value) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

constexpr const char* kWorkflow = R"YAML(# Written by `migsafe init --github`. Database migrations with migsafe:
# - on a pull request: a dry run of the whole pipeline (migrations, pgTAP tests, RLS checks) on a
#   throwaway PostgreSQL with the Supabase emulation (--ephemeral), rolled back at the end;
# - on main: the real run against production (the DATABASE_URL secret), one at a time. The report
#   and the release checklist are uploaded whatever the outcome.
# `uses:` names migsafe's composite action (.github/actions/migsafe in migsafe's repository); pin it
# to a release or commit of the migsafe repository you use.
name: migsafe
on:
  pull_request:
    paths: ["supabase/**", "{{pipeline}}"]
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  dry-run:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    container: debian:12
    steps:
      - uses: actions/checkout@v4
      - name: Dry run on a throwaway PostgreSQL
        id: migsafe
        uses: {{action}}
        with:
          pipeline: {{pipeline}}
          dry-run: "true"
          args: --ephemeral
          report: migsafe-report.json
          checklist: migsafe-checklist.md
      - name: Upload the report and the checklist
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: migsafe-dry-run
          path: |
            migsafe-report.json
            migsafe-checklist.md
          if-no-files-found: warn

  deploy:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    container: debian:12
    environment: production
    concurrency:
      group: migsafe-production
      cancel-in-progress: false
    steps:
      - uses: actions/checkout@v4
      - name: Migrate production
        id: migsafe
        uses: {{action}}
        with:
          pipeline: {{pipeline}}
          database-url: ${{ secrets.DATABASE_URL }}
          report: migsafe-report.json
          checklist: migsafe-checklist.md
      # The backup stays on the runner, which is thrown away: point `backup.dir` at storage that
      # outlives the job, or configure [backup.copy] / [backup.remote] in the pipeline.
      - name: Upload the report and the checklist
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: migsafe-deploy-${{ github.run_id }}
          path: |
            migsafe-report.json
            migsafe-checklist.md
          if-no-files-found: warn
      - name: Tell a human when the database could not be restored
        if: failure() && steps.migsafe.outputs.exit_code == '3'
        env:
          BACKUP_ID: ${{ steps.migsafe.outputs.backup_id }}
        run: |
          echo "::error title=migsafe::the database could NOT be returned to its pre-run state: a human must act."
          echo "restore it with: migsafe backup restore {{pipeline}} --id $BACKUP_ID"
)YAML";

}  // namespace

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      out += escape;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string render_pipeline(const PipelineTemplate& p) {
  std::string out =
      "# Written by `migsafe init`. Run it on a throwaway PostgreSQL with the Supabase emulation:\n"
      "#   migsafe run <this file> --ephemeral\n"
      "# and against a database named by DATABASE_URL (never put a password in this file):\n"
      "#   migsafe plan <this file>; migsafe run <this file>\n"
      "# Every key is described in migsafe's README. Paths are relative to this file.\n"
      "version = 1\n"
      "name = " + toml_string(p.name) + "\n\n"
      "[database]\n"
      "url_env = \"DATABASE_URL\"\n"
      "# " + p.schemas_note + "\n"
      "schemas = " + toml_list(p.schemas) + "\n"
      "supabase = true\n"
      "lock_timeout = \"5s\"\n"
      "statement_timeout = \"10min\"\n\n"
      "[migrations]\n"
      "dir = " + toml_string(p.migrations_dir) + "\n"
      "mode = \"atomic\"\n\n"
      "[backup]\n"
      "# Ignored by git (.gitignore); in CI point it at storage that outlives the job.\n"
      "dir = " + toml_string(p.backup_dir) + "\n"
      "keep_last = 30\n"
      "max_age_days = 30\n\n";
  if (!p.tests_glob.empty()) {
    out += "[verify]\n"
           "# pgTAP files, run as `supabase test db` (pg_prove) runs them.\n"
           "tests = [" + toml_string(p.tests_glob) + "]\n\n";
  }
  out += "[rls]\n"
         "# " + p.exposed_note + "\n"
         "exposed_schemas = " + toml_list(p.exposed_schemas) + "\n"
         "fail_on = \"error\"\n\n"
         "[on_failure]\n"
         "restore = true\n";
  return out;
}

std::string render_workflow(const std::string& pipeline_path, const std::string& action) {
  return substitute(substitute(kWorkflow, "{{pipeline}}", pipeline_path), "{{action}}", action);
}

}  // namespace migsafe::config
