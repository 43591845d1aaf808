// `migsafe backup`: not built yet.
#include "cli/command.hpp"

namespace migsafe::cli {

void register_backup(CLI::App&, Globals&) {}

}  // namespace migsafe::cli
