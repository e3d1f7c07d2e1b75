// SPDX-License-Identifier: MIT
// check --anomaly (issue 32): every metric of the latest period, in each group, judged
// against its own trailing 12 periods (metrics/anomaly.hpp), as check verdicts; an
// annotated period's flagged figure is expected, not failed.
#pragma once

#include "core/annotations.hpp"
#include "report/check.hpp"
#include "report/report.hpp"

#include <string>
#include <vector>

namespace cskpi {

/// One verdict per metric record of each group of the latest period: pass (within K robust
/// deviations, or flagged in a period an annotation names: "expected: LABEL"), fail
/// (flagged), skip (no judgement: too short a history, or an undefined latest figure). A
/// report without periods gets one skipped verdict saying why. Pure.
std::vector<Verdict> judge_anomalies(const std::vector<Group>& groups, double k,
                                     const std::vector<Annotation>& annotations);

/// The verdict's "anomaly" JSON member (`,"anomaly":{...}`), empty for other verdicts.
std::string anomaly_json(const Verdict& v);

} // namespace cskpi
