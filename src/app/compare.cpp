// SPDX-License-Identifier: MIT
#include "app/compare.hpp"

#include "core/error.hpp"
#include "platform/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

namespace cskpi::app {

namespace {

/// A second reading's sink: it holds every problem and note back (the first reading told them
/// already) and passes them on only if the reading fails, so the user learns why.
class HeldSink : public RunSink {
public:
  explicit HeldSink(RunSink& to) : m_to(to) {}
  void report(const Diagnostic& d) override { m_problems.push_back(d); }
  void note(Severity severity, const std::string& text) override { m_notes.emplace_back(severity, text); }
  /// Passes on the errors held back.
  void fail(const std::string& why) {
    m_to.note(Severity::error, why);
    for (const Diagnostic& d : m_problems)
      if (d.severity == Severity::error) m_to.report(d);
    for (const auto& [severity, text] : m_notes)
      if (severity == Severity::error) m_to.note(severity, text);
  }

private:
  RunSink& m_to;
  std::vector<Diagnostic> m_problems;
  std::vector<std::pair<Severity, std::string>> m_notes;
};

/// Whether knob `k` changes how an input of this run is read (its forms name the input's role).
bool read_by(const DefinitionKnob& k, const std::vector<InputSummary>& inputs) {
  return std::any_of(inputs.begin(), inputs.end(), [&](const InputSummary& in) { return k.forms == in.role; });
}

/// The knob values of `d`, in definition_knobs() order; `which` keeps only those it marks (0 for the others).
std::vector<int> knob_values(const DefinitionPreset& d, const std::vector<bool>* which = nullptr) {
  std::vector<int> v;
  const auto knobs = definition_knobs();
  for (std::size_t k = 0; k < knobs.size(); ++k) v.push_back(which == nullptr || (*which)[k] ? knobs[k].get(d) : 0);
  return v;
}

} // namespace

std::optional<Comparison> run_comparison(const ReportRequest& request, RunSink& sink) {
  const std::vector<const DefinitionPreset*> presets = parse_compare(request.compare);
  ReportRequest q = request;
  if (q.metrics.empty()) q.metrics.assign(std::begin(k_compare_metrics), std::end(k_compare_metrics));
  const auto knobs = definition_knobs();

  // The runs: the presets named, then the base with each knob another preset sets otherwise
  // switched alone. Runs with the same knob values are one (profitwell is cskpi with once
  // coupons in MRR).
  std::vector<std::pair<std::string, DefinitionPreset>> runs;
  for (const DefinitionPreset* p : presets) runs.emplace_back(std::string(p->name), *p);
  if (!q.reactivation.empty()) // --reactivation pins the knob for every preset
    for (auto& [name, d] : runs) d.cohort_reactivation = q.reactivation == "include";
  // The FX method reads as the run does: the preset's only with --fx and no --fx-method (which
  // pins it for every preset; an invalid one is refused by the reading), constant without --fx.
  const std::optional<FxMethod> pinned = q.fx.empty() ? FxMethod::constant : parse_fx_method(q.fx_method);
  if (pinned)
    for (auto& [name, d] : runs) d.fx_method = *pinned;
  Comparison c;
  c.presets = runs.size();
  c.fx = !q.fx.empty();
  c.switched.assign(runs.size(), std::vector<std::size_t>(knobs.size(), SIZE_MAX));
  const auto find_run = [&](const DefinitionPreset& d) {
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (knob_values(runs[i].second) == knob_values(d)) return i;
    return SIZE_MAX;
  };
  for (std::size_t p = 1; p < c.presets; ++p)
    for (std::size_t k = 0; k < knobs.size(); ++k) {
      const int value = knobs[k].get(runs[p].second);
      if (value == knobs[k].get(runs[0].second)) continue;
      DefinitionPreset switched = runs[0].second;
      knobs[k].set(switched, value);
      std::size_t at = find_run(switched);
      if (at == SIZE_MAX) {
        at = runs.size();
        runs.emplace_back(fmt::format("{}+{}", runs[0].first, knobs[k].id), switched);
      }
      c.switched[p][k] = at;
    }

  // One reading per setting of the knobs that act at reading, where an input of the run has
  // such a form (the FX method: every form, its values differ only with --fx); the first reading
  // tells the user what it finds. A knob that acts on a form no input has changes nothing: runs
  // that differ only there share a report (`same`).
  std::optional<Reading> reading = read_inputs(q, runs[0].second, sink);
  if (!reading) return std::nullopt;
  std::vector<bool> at_reading, acts;
  for (const DefinitionKnob& k : knobs) {
    at_reading.push_back(k.fx || (!k.forms.empty() && read_by(k, reading->loaded.inputs)));
    acts.push_back(k.forms.empty() || at_reading.back());
  }
  std::vector<std::size_t> same(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    same[i] = i;
    for (std::size_t j = 0; j < i && same[i] == i; ++j)
      if (knob_values(runs[j].second, &acts) == knob_values(runs[i].second, &acts)) same[i] = j;
  }
  std::vector<std::optional<Report>> reports(runs.size());
  HeldSink quiet(sink); // the notes of the computing (many groups, the join) are the first run's
  std::vector<int> done_key = knob_values(runs[0].second, &at_reading);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (same[i] != i || reports[i]) continue;
    const std::vector<int> key = knob_values(runs[i].second, &at_reading);
    if (key != done_key) { // another reading, for the runs that need it; the last one is let go
      const auto once = std::find_if(q.files.begin(), q.files.end(), [](const std::string& f) {
        const std::optional<platform::FileInfo> info = f == "-" ? std::nullopt : platform::file_info(f);
        return f == "-" || (info && !info->regular()); // a pipe or a device gives its bytes once
      });
      if (once != q.files.end()) {
        // Named by the knob that differs: a Stripe export's, else the FX method.
        bool fx = true;
        for (std::size_t k = 0; k < knobs.size(); ++k) fx = fx && (knobs[k].fx || key[k] == done_key[k]);
        throw usage_error(fmt::format(
            "--compare reads the inputs again for {}, whose knobs change how {}, and {} can be read only once: "
            "name {} instead",
            runs[i].first, fx ? "--fx values the MRR (its FX method)" : "a Stripe export becomes MRR",
            *once == "-" ? std::string("standard input") : fmt::format("{} (a pipe or device)", *once),
            *once == "-" ? "the file" : "a regular file"));
      }
      reading.reset();
      HeldSink held(sink);
      reading = read_inputs(q, runs[i].second, held);
      if (!reading) {
        held.fail(fmt::format("reading the inputs again with {}'s knobs failed:", runs[i].first));
        return std::nullopt;
      }
      done_key = key;
    }
    for (std::size_t j = i; j < runs.size(); ++j) // every run this reading serves
      if (same[j] == j && !reports[j] && knob_values(runs[j].second, &at_reading) == key)
        reports[j] = compute_report(q, *reading, runs[j].second, j == 0 ? static_cast<RunSink&>(sink) : quiet);
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ComparedRun run{runs[i].first, runs[i].second, *reports[same[i]]};
    run.report.settings.definitions = run.name;
    c.runs.push_back(std::move(run));
  }
  return c;
}

} // namespace cskpi::app
