// SPDX-License-Identifier: MIT
// Customer attributes and survey responses (issue 7): the records of customers and
// responses files (SPEC §1.1), calendar dates, health-score schemes and weighted health
// scoring. Pure: no I/O.
#pragma once

#include "core/money.hpp"
#include "core/period.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cskpi {

/// A calendar day as days since 1970-01-01.
using Day = std::int32_t;

/// Parses an ISO date `YYYY-MM-DD`, optionally followed by a time (`T...` or ` ...`).
/// Surrounding spaces are ignored. Nullopt for anything else or an impossible date.
std::optional<Day> parse_date(std::string_view text);
/// "2026-10-31".
std::string format_date(Day d);
/// A calendar date and its day number, both ways (H. Hinnant's algorithms, proleptic Gregorian).
struct Civil {
  int y, m, d;
};
Day days_from_civil(int y, int m, int d) noexcept;
Civil civil_from_days(Day z) noexcept;
/// The label of the period of `length` that day `d` lies in: "2026-10", "2026-Q4", "2026".
std::string period_of_day(Day d, PeriodLength length);
/// The last day of the period labelled `label` ("2026-10", "2026-Q4", "2026"), if it is one.
std::optional<Day> last_day_of_period(std::string_view label);

/// One customer's attributes, from a customers file or from attribute columns of a
/// movements file. Scores are exact, in micro-units (80.5 = 80500000).
struct CustomerRecord {
  std::string id;
  std::string group; ///< the --by value when the customers file has that column
  bool has_group = false;
  std::optional<std::int64_t> health;                  ///< health_score in micro-units
  std::vector<std::optional<std::int64_t>> components; ///< per Attributes::component_names
  std::optional<Day> signup, first_value, renewal;
  std::optional<bool> renewed;
  std::string churn_reason;
  std::string name; ///< the customer's name (a name or company column), "" if none
  std::string file; ///< where the record came from
  std::uint64_t line = 0;
  std::string period;        ///< movements rows only: the period the attributes were read in
  bool from_billing = false; ///< read from attribute columns of a movements file
};

/// One survey answer. Scores are whole numbers; -1 means no answer.
struct ResponseRecord {
  std::string customer_id; ///< empty: anonymous
  int score = -1;          ///< NPS 0..10
  int csat = -1;           ///< 1..5 or 1..10
  int ces = -1;            ///< 1..7
  std::optional<Day> date;
  std::uint64_t line = 0;
};

/// Which attribute columns the run's files had.
struct AttributeColumns {
  bool health = false, signup = false, first_value = false, renewal = false, renewed = false, churn_reason = false;
  bool score = false, csat = false, ces = false, response_date = false;
  bool any_customer() const { return health || signup || first_value || renewal || renewed || churn_reason; }
};

/// Every customer record and response of a run, with the customer index.
struct Attributes {
  std::vector<CustomerRecord> customers;
  std::unordered_map<std::string, std::size_t> index; ///< id -> position in `customers`
  std::vector<std::string> component_names;           ///< normalised column names (cskpi health)
  std::vector<ResponseRecord> responses;
  AttributeColumns columns;
  std::vector<std::string> customer_files; ///< files read as customers files
  std::vector<std::string> response_files; ///< files read as responses files
  int csat_scale = 0;                      ///< 5 or 10 once known (forced or detected)

  const CustomerRecord* find(std::string_view id) const;
};

/// Green / yellow / red cut-offs of a health score (SPEC §2.4): green from `green` up,
/// yellow from `yellow` up, red below; with `power_users`, scores above 100 form a fourth
/// band (reference 003).
struct HealthScheme {
  std::int64_t green = 80 * Money::k_scale;
  std::int64_t yellow = 50 * Money::k_scale;
  bool power_users = false;
  std::string name = "80/50";
};

/// Parses --health-scheme: "default" or "80/50" (reference 002), "power-users" or "71/41"
/// (reference 003, with power users above 100), or custom cut-offs "GREEN/YELLOW" such as
/// "75/40". Nullopt when malformed or when green <= yellow.
std::optional<HealthScheme> parse_health_scheme(std::string_view text);

enum class HealthBand : std::uint8_t { red, yellow, green, power_user };
std::string_view to_string(HealthBand b) noexcept;
HealthBand health_band(std::int64_t score_micros, const HealthScheme& scheme) noexcept;

/// One component and its weight (`--weights usage=40,engagement=30`).
struct Weight {
  std::string component;   ///< normalised column name
  std::int64_t weight = 0; ///< whole percent
};
/// Parses --weights; the weights must be positive whole numbers summing to 100. Throws a
/// usage Error saying what is wrong.
std::vector<Weight> parse_weights(std::string_view text);

/// What to do with a customer whose component cell is empty.
enum class MissingComponents : std::uint8_t {
  reweight, ///< score from the components present, their weights scaled up to 100
  zero,     ///< an empty component counts as 0
  skip,     ///< the customer is not scored
};

struct WeightedScore {
  std::optional<std::int64_t> score; ///< micro-units, rounded half-to-even; nullopt: not scored
  std::vector<std::string> missing;  ///< components without a value
  std::string weakest;               ///< the present component with the lowest value ("" if none)
  std::int64_t weakest_value = 0;
};

/// The weighted 0-100 score of one customer (SPEC §2.4, reference 002). `values` follows
/// `weights`. Exact: sum(weight * value) / sum(weight) over the components used.
WeightedScore weighted_score(const std::vector<Weight>& weights, const std::vector<std::optional<std::int64_t>>& values,
                             MissingComponents missing);

} // namespace cskpi
