// SPDX-License-Identifier: MIT
// Leading indicators (issue 7): billing rows joined with customer records and survey
// responses on customer_id, summed per period and group. Pure: no I/O.
#pragma once

#include "core/attributes.hpp"
#include "core/money.hpp"
#include "core/period.hpp"
#include "core/records.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cskpi {

/// Leading-indicator sums of one period x group. Health and time to value describe the
/// customers as they are now, so only the latest period carries them (`as_of`); renewals,
/// churn reasons and survey answers belong to the period they fall in.
struct LeadingTotals {
  bool as_of = false;
  bool has_mrr = false; ///< health shares of MRR are known (a billing file was read)
  // Health of the customers active at the end of the latest period.
  std::uint64_t health_n = 0;                    ///< customers with a score
  std::uint64_t unscored = 0;                    ///< active customers without one
  std::array<std::uint64_t, 4> band_customers{}; ///< by HealthBand
  std::array<Money, 4> band_mrr{};
  std::uint64_t over_80 = 0; ///< score > 80 (reference 001's target)
  // Time to value, in days, of the same customers.
  std::vector<std::int32_t> ttv_days;  ///< sorted
  std::vector<std::int32_t> open_ages; ///< days since signup of customers without a value date, sorted
  std::uint64_t ttv_no_signup = 0;     ///< a value date but no signup date
  // Renewals due in the period.
  std::uint64_t renewals_due = 0, renewed = 0, renewed_derived = 0, renewals_unknown = 0;
  // Churned starting customers of the period by reason ("" = none given): customers, MRR.
  std::map<std::string, std::pair<std::uint64_t, Money>, std::less<>> reasons;
  std::uint64_t churned = 0;
  Money churned_mrr{};
  // Survey responses dated in the period.
  std::uint64_t promoters = 0, passives = 0, detractors = 0;
  std::uint64_t csat_n = 0, csat_sum = 0, csat_satisfied = 0;
  int csat_scale = 5;
  std::uint64_t ces_n = 0, ces_sum = 0;
  /// The go-to-market motion whose time-to-value range rates this group: "product_led",
  /// "smb", "mid_market", "enterprise", or "" when unknown.
  std::string motion;

  std::uint64_t responses() const noexcept { return promoters + passives + detractors; }
};

/// The motion a segment label names ("SMB", "Mid-Market", "Enterprise", "PLG"...), or "".
std::string motion_of(std::string_view segment);
/// Parses --motion: product-led (plg), smb, mid-market, enterprise. Nullopt otherwise.
std::optional<std::string> parse_motion(std::string_view text);

/// The p-quantile (0..1) of sorted values, interpolated between ranks like a spreadsheet's
/// PERCENTILE.INC: h = (n - 1) p, v[floor h] + (h - floor h) (v[floor h + 1] - v[floor h]).
double percentile(const std::vector<std::int32_t>& sorted, double p);

/// What the join found: nothing is dropped without being counted here.
struct JoinSummary {
  bool active = false;
  std::uint64_t customer_records = 0;
  std::uint64_t customers_without_billing = 0; ///< records whose customer has no billing row
  std::uint64_t billed_without_record = 0;     ///< active customers of the latest period without a record
  std::uint64_t responses = 0;
  std::uint64_t responses_anonymous = 0;        ///< no customer_id: counted in `all` only
  std::uint64_t responses_unknown_customer = 0; ///< customer_id not billed or recorded: `all` only
  // (An answer of a customer with a record but, in a run with billing, no billing row also
  // counts in `all` only: customers_without_billing counts that record.)
  std::uint64_t responses_outside = 0;                             ///< dated outside every billing period: left out
  std::uint64_t responses_undated = 0;                             ///< no date: counted in the latest period
  std::vector<std::string> unbilled_examples, unrecorded_examples; ///< the first few ids of each
  std::string latest_period;
  std::optional<Day> as_of;
  std::string as_of_source; ///< "--as-of", "end of period 2026-10", "latest date in the files"
  int csat_scale = 0;
  std::string csat_scale_source; ///< "--csat-scale" or "detected"
};

struct LeadingPeriod {
  LeadingTotals all;
  std::map<std::string, LeadingTotals, std::less<>> groups;
};

struct LeadingOptions {
  HealthScheme scheme;
  std::optional<Day> as_of;
  PeriodLength period_length = PeriodLength::month;
  bool grouped = false;
  std::string motion; ///< --motion: rates the `all` group and unrecognised segments
};

struct Leading {
  std::map<std::string, LeadingPeriod, std::less<>> periods; ///< "" without a period column
  JoinSummary summary;
};

/// Passes billing rows on to the next sink and, once the run has customer records or
/// responses, keeps what the join needs per customer: its first and last period, the group
/// and MRR at its last row, and its churn events. Memory grows with customers.
class Joiner : public RowSink {
public:
  /// Records once `attributes()` returns the run's customer records or responses (the
  /// ingestor's, which must outlive every add()).
  Joiner(RowSink& next, std::function<const Attributes*()> attributes)
      : m_next(next), m_attributes(std::move(attributes)) {}
  void add(const MovementRow& row) override;
  /// Lifecycle facts pass on: a customer without MRR is nothing to join.
  void add_lifecycle(const MovementRow& row) override { m_next.add_lifecycle(row); }
  /// Rows fork only while there is nothing to join: then they pass straight on.
  std::unique_ptr<RowSink> fork() const override { return m_attributes() == nullptr ? m_next.fork() : nullptr; }
  bool merge(RowSink& part) override { return m_next.merge(part); }
  void transfer(const TransferRow& t) override { m_next.transfer(t); }

  /// Joins the billing facts kept with `attributes`. `has_periods`: the billing files had a
  /// period column.
  Leading join(const Attributes& attributes, const LeadingOptions& options, bool has_periods) const;

private:
  struct Facts {
    std::uint32_t first = 0, last = 0; ///< period indices
    std::uint32_t group = 0;
    Money end_mrr{};
  };
  struct Churn {
    std::uint32_t customer, period, group;
    Money mrr;
  };
  /// Labels numbered in order of first sight.
  struct Names {
    std::vector<std::string> list;
    std::unordered_map<std::string, std::uint32_t> index;
  };
  static std::uint32_t intern(Names& names, std::string_view text);

  /// One join in progress (leading.cpp); the steps of join() fill its output.
  struct JoinRun;
  /// Health and time to value of the customers active at the end of the latest period.
  void join_customers(JoinRun& run) const;
  /// Churn reasons of the churned starting customers of each period.
  void join_churn(JoinRun& run) const;
  /// Renewals due in the period the renewal date falls in, while the customer was billed.
  void join_renewals(JoinRun& run) const;
  /// Survey responses: the period of their date, the group of their customer.
  void join_responses(JoinRun& run) const;

  RowSink& m_next;
  std::function<const Attributes*()> m_attributes;
  Names m_periods, m_groups;
  std::unordered_map<std::string, std::uint32_t> m_customer_index;
  std::vector<std::string> m_customer_ids;
  std::vector<Facts> m_facts;
  std::vector<Churn> m_churn;
  bool m_seen_rows = false;
};

} // namespace cskpi
