#include "cli/main.hpp"

#include <cstdio>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"

namespace migsafe::cli {
namespace {

void add_global_flags(CLI::App& app, Globals& g) {
  app.add_flag("--json", g.output.json, "Machine-readable report on stdout; human text goes to stderr");
  app.add_flag("--quiet,-q", g.output.quiet, "Only errors on stderr");
  app.add_flag("--verbose,-v", g.output.verbose, "More detail on stderr");
  bool no_color = false;
  app.add_flag_callback("--no-color", [&g] { g.output.color = false; }, "No ANSI colours (also NO_COLOR)");
  (void)no_color;
  app.set_version_flag("--version", std::string("migsafe ") + MIGSAFE_VERSION);
}

int run_action(Globals& g) {
  Console console(g.output);
  if (g.output.quiet) util::disable_progress();
  try {
    int code = g.action(console);
    // A signal ends with 130, unless the database could not be returned to its pre-run state:
    // then the report's 3 ("a human must act") is what the caller must see.
    if (util::interrupted_by() != 0 && code != int(Exit::failed_unrestored)) {
      console.error("interrupted");
      return int(Exit::interrupted);
    }
    return code;
  } catch (const Interrupted&) {
    console.error("interrupted: stopped, children ended, temporary files removed");
    return int(Exit::interrupted);
  } catch (const util::Interrupted&) {
    console.error("interrupted: stopped, children ended, temporary files removed");
    return int(Exit::interrupted);
  } catch (const Error& e) {
    console.error(e.what());
    if (util::interrupted_by() != 0 && e.code() != Exit::failed_unrestored) return int(Exit::interrupted);
    return int(e.code());
  } catch (const std::exception& e) {  // a bug: every error migsafe throws is an Error
    console.error(std::string("unexpected failure: ") + e.what());
    return int(Exit::failed_unrestored);
  }
}

}  // namespace

int main(int argc, char** argv) {
  util::install_interrupt_handlers();
  CLI::App app{"migsafe: migration-safety pipeline runner for PostgreSQL and Supabase", "migsafe"};
  app.require_subcommand(1);
  app.fallthrough();
  Globals globals;
  add_global_flags(app, globals);
  register_run(app, globals);
  register_plan(app, globals);
  register_status(app, globals);
  register_validate(app, globals);
  register_new(app, globals);
  register_init(app, globals);
  register_supabase_shim(app, globals);
  register_test(app, globals);
  register_rls(app, globals);
  register_backup(app, globals);
  register_checklist(app, globals);
  register_drift(app, globals);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return int(Exit::usage);
  }
  return run_action(globals);
}

}  // namespace migsafe::cli
