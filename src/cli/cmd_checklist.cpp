// `migsafe checklist`: not built yet.
#include "cli/command.hpp"

namespace migsafe::cli {

void register_checklist(CLI::App&, Globals&) {}

}  // namespace migsafe::cli
