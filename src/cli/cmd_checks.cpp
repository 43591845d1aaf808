// `migsafe test` and `migsafe rls`: the verification and RLS checks alone; they change nothing.
#include "cli/command.hpp"

namespace migsafe::cli {

void register_test(CLI::App&, Globals&) {}
void register_rls(CLI::App&, Globals&) {}

}  // namespace migsafe::cli
