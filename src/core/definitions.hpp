// SPDX-License-Identifier: MIT
// Definition presets (issue 12): billing analytics vendors differ on a few choices that
// change the figures; --definitions picks a vendor's choices so that "why does this not
// match ChartMogul?" has an answer. The table is data, printed by `cskpi explain definitions`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cskpi {

/// How --fx rates value a foreign-currency MRR over time (issue 30; cskpi explain fx).
enum class FxMethod : std::uint8_t {
  /// No FX line. Snapshot-table forms: every month at the rate of the history's last month;
  /// movements files: each row at its own period's rate (a start is restated).
  constant,
  period_end, ///< each period at its own rate; the starting MRR revalued from the period before's rate is mrr_fx
  transaction ///< each customer's MRR at the rate of the month it last changed; re-pricing at a change is mrr_fx
};
std::string_view to_string(FxMethod m) noexcept;
/// "constant", "period-end" or "transaction"; nullopt for anything else.
std::optional<FxMethod> parse_fx_method(std::string_view text) noexcept;

struct DefinitionPreset {
  std::string_view name;
  /// Stripe coupons that discount only the first invoice (duration once) lower the MRR of
  /// the months it covers (true), or are not recurring revenue and leave MRR alone (false).
  bool once_discounts_in_mrr = false;
  /// Stripe subscriptions in status unpaid keep their MRR until they are cancelled (true),
  /// or stop counting from their unpaid period (false: delinquent churn).
  bool unpaid_keeps_mrr = false;
  /// Exact trailing-12-month cohorts count customers who churned and came back inside the
  /// window at their end MRR (true) or not (false).
  bool cohort_reactivation = true;
  /// One line per choice, for explain: what the preset does and where it comes from.
  std::string_view churn_timing, reactivation, same_month, caps, discounts, delinquency, source;
  /// The vendor's --fx-method where its documentation says (issue 30), and what it says.
  FxMethod fx_method = FxMethod::constant;
  std::string_view fx = "";
};

/// Every preset, cskpi first.
std::span<const DefinitionPreset> definition_presets() noexcept;
/// The preset of that name, or nullptr.
const DefinitionPreset* find_definition_preset(std::string_view name) noexcept;

/// One choice of a preset that changes figures (report --compare attributes differences to
/// them): the booleans of DefinitionPreset and its FX method; the texts only explain.
struct DefinitionKnob {
  std::string_view id;   ///< the member's name: once_discounts_in_mrr
  std::string_view name; ///< for people: "once coupons in MRR"
  /// The input forms whose reading the knob changes ("stripe"): a run with such an input reads
  /// it again under the other value. Empty: the knob acts after reading (on every input).
  std::string_view forms;
  /// The value in a preset, as an int (a bool 0 or 1, an FxMethod its enumerator): one knob
  /// type serves members of either type.
  int (*get)(const DefinitionPreset&);
  void (*set)(DefinitionPreset&, int);
  /// The FX method: it acts at reading on every form, and only when the run converts with --fx
  /// (without it, or with --fx-method, every preset reads alike); shown only then.
  bool fx = false;
};
/// A knob's value for machines: "true"/"false", or the FX method ("period-end").
std::string_view knob_text(const DefinitionKnob& k, int value) noexcept;
/// Every knob, in the order the attribution lists them.
std::span<const DefinitionKnob> definition_knobs() noexcept;

} // namespace cskpi
