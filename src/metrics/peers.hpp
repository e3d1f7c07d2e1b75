// SPDX-License-Identifier: MIT
// Peer benchmark bands (issue 31, part 3): published medians and quartiles of our metrics by
// company size (ARPA, ACV or ARR), each row with its source, data year, sample, the source's
// own definition and where it differs from ours. They stand next to the seed bands of SPEC §3,
// which stay the contract: a peer rating is a position in a published distribution, not a tier.
// Built in (peer_data.cpp) and replaceable per metric from a CSV file of the same columns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// What a peer band is keyed by. ARPA is monthly revenue per account, ACV 12 x ARPA, ARR
/// 12 x MRR; a source's MRR bands are kept as ARR bands (12 x MRR exactly).
enum class PeerDimension : std::uint8_t { arpa, acv, arr };
std::string_view to_string(PeerDimension d) noexcept;
std::optional<PeerDimension> parse_peer_dimension(std::string_view text) noexcept;

/// The horizon a source measured its figure over, which decides what of ours it may meet:
/// `month`: a monthly rate, comparable with our period figure of monthly periods only;
/// `cohort_12m`: a 12-month cohort (this year's MRR of last year's customers over theirs then),
/// comparable with our annual figure only where that is exact (yearly periods, or an exact
/// trailing-12-month cohort), never with a compounded one.
enum class PeerHorizon : std::uint8_t { month, cohort_12m };
std::string_view to_string(PeerHorizon h) noexcept;

/// One published figure set: metric, band, quartiles, and where they come from.
struct PeerRow {
  std::string metric;
  PeerDimension dimension = PeerDimension::arpa;
  std::optional<double> from; ///< the band's lower edge in USD, inclusive; nullopt: open
  std::optional<double> to;   ///< its upper edge, exclusive; nullopt: open
  std::optional<double> p25;  ///< the 25th percentile of the figure (numerically), where published
  double median = 0;
  std::optional<double> p75;
  PeerHorizon horizon = PeerHorizon::month;
  bool higher_is_better = true;
  std::string source; ///< short, as a note cites it: "SaaS Capital 2023"
  std::string year;   ///< the data year, as the source states it
  std::string sample;
  std::string definition; ///< the metric's definition in the source
  std::string caveat;     ///< where it differs from ours; "" when it does not
  std::string url;

  /// Whether `value` (USD) falls in the band.
  bool contains(double value) const noexcept;
  /// "ACV $12k-25k", "ARPA under $10", "ARR $600k and more".
  std::string band_label() const;
};

/// Where a figure stands in a row's distribution. at_median: within 1e-9 of it.
enum class PeerPosition : std::uint8_t { below_p25, below_median, at_median, above_median, above_p75 };
std::string_view to_string(PeerPosition p) noexcept;
/// The position of `value` in `row`: quartiles that are not published are not used.
PeerPosition peer_position(const PeerRow& row, double value) noexcept;

/// The peer bands as data.
class PeerTable {
public:
  /// The built-in rows with their sources (peer_data.cpp).
  static PeerTable builtin();
  /// Parses rows from CSV text with the columns of k_peer_columns; throws a usage Error
  /// naming `name:line:col` on a malformed row. `known_metric` decides which ids exist.
  static std::vector<PeerRow> parse_csv(std::string_view csv_text, const std::string& name,
                                        bool (*known_metric)(std::string_view));
  /// Replaces the rows of every metric named in `csv_text`, as --bands does the seed bands.
  void override_from_csv(std::string_view csv_text, const std::string& name, bool (*known_metric)(std::string_view));

  const std::vector<PeerRow>& rows() const { return m_rows; }
  /// Whether any row rates `metric` by `dimension`.
  bool rates(std::string_view metric, PeerDimension dimension) const;
  /// The first row of `metric` by `dimension` whose band holds `value`, or nullptr.
  const PeerRow* lookup(std::string_view metric, PeerDimension dimension, double value) const;
  /// The bands of `metric` by `dimension`, for a message: "ARPA under $10, ARPA $500 and more".
  std::string bands_of(std::string_view metric, PeerDimension dimension) const;
  /// "builtin" or the override file's name.
  const std::string& origin() const { return m_origin; }

private:
  std::vector<PeerRow> m_rows;
  std::string m_origin = "builtin";
};

/// The CSV header of a peer band file (cskpi bands --peers --format csv writes it).
inline constexpr std::string_view k_peer_columns =
    "metric,dimension,from,to,p25,median,p75,horizon,better,source,year,sample,definition,caveat,url";
/// The built-in rows as that CSV (peer_data.cpp).
std::string_view builtin_peer_csv() noexcept;

/// A money amount in USD for a band label: "$12k", "$2.5M", "$10".
std::string peer_amount(double usd);

} // namespace cskpi

namespace cskpi {

/// A record's standing against its peer band (report --peers): the row it was held against,
/// or why none could be.
struct PeerRating {
  PeerDimension dimension = PeerDimension::arpa;
  std::optional<double> company_value;  ///< the group's ARPA, ACV or ARR (USD); nullopt: none to take
  bool given = false;                   ///< from --peers DIM=VALUE, not from the report
  std::optional<PeerRow> row;           ///< the band that holds company_value; nullopt: none does (or no value)
  std::optional<double> compared;       ///< our figure on the source's horizon, when comparable
  std::optional<PeerPosition> position; ///< set with `compared`
  std::string reason;                   ///< without a position: why ("not comparable: ...", "no band for ...")
};

} // namespace cskpi
