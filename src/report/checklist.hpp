// The release checklist: the seeds' "SQL Migration Checklist" (pre-migration / during /
// post-migration) filled in from a run's report. migsafe ticks only what the report proves and
// writes the evidence beside it; what it cannot prove stays unticked for a human.
#pragma once

#include <string>

#include "report/report.hpp"

namespace migsafe::report {

// The checklist for `report` as Markdown. Deterministic: the same report gives the same text.
std::string render_checklist(const Report& report);

}  // namespace migsafe::report
