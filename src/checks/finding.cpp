#include "checks/finding.hpp"

namespace migsafe::checks {

nlohmann::json Finding::to_json() const {
  return {{"lint", lint},
          {"level", level},
          {"object", object},
          {"message", message},
          {"remediation", remediation}};
}

bool ignore_matches(const config::RlsIgnore& ignore, const Finding& finding) {
  if (ignore.lint != finding.lint) return false;
  const std::string& want = ignore.object;
  if (finding.object == want) return true;
  // A prefix only counts at a boundary, so "public.todo" never covers "public.todos".
  if (want.empty() || finding.object.size() <= want.size()) return false;
  if (finding.object.compare(0, want.size(), want) != 0) return false;
  char next = finding.object[want.size()];
  return next == '.' || next == '(';
}

IgnoreOutcome apply_ignores(std::vector<Finding> findings,
                            const std::vector<config::RlsIgnore>& ignores) {
  IgnoreOutcome out;
  std::vector<bool> used(ignores.size(), false);
  for (auto& finding : findings) {
    bool matched = false;
    for (size_t i = 0; i < ignores.size(); ++i) {
      if (!ignore_matches(ignores[i], finding)) continue;
      used[i] = true;
      matched = true;
    }
    (matched ? out.ignored : out.kept).push_back(std::move(finding));
  }
  for (size_t i = 0; i < ignores.size(); ++i) {
    if (!used[i]) out.unused.push_back(ignores[i]);
  }
  return out;
}

bool fails_run(const Finding& finding, config::RlsFailOn fail_on) {
  if (finding.level == "error") return true;
  return fail_on == config::RlsFailOn::warn && finding.level == "warn";
}

}  // namespace migsafe::checks
