// SPDX-License-Identifier: MIT
// The report: groups of rated records (report.cpp) and their renderings: the escaping and
// display helpers (display.cpp), the table (table.cpp), JSON, CSV and markdown (formats.cpp),
// the wide layout (trends.cpp), and what cskpi movements and cohorts print (snapshots.cpp).
#pragma once

#include "core/records.hpp"
#include "core/snapshot_table.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/bands.hpp"
#include "metrics/cohorts.hpp"
#include "metrics/efficiency.hpp"
#include "metrics/invoices.hpp"
#include "metrics/leading.hpp"
#include "metrics/metrics.hpp"
#include "metrics/movers.hpp"
#include "metrics/peers.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi {

/// One metric of one group, rated.
struct Record {
  MetricValue metric;
  std::optional<double> rated_value; ///< the figure the band judged (annual where SPEC §2.3 says)
  std::optional<Tier> tier;
  std::optional<BandRule> next;    ///< the rule of the next better tier, for the hint
  std::optional<PeerRating> peers; ///< report --peers (issue 31): its standing against published peers
};

/// One period × segment with its totals and metrics.
struct Group {
  std::optional<std::string> period; ///< nullopt without a period column
  std::string segment;               ///< "all" or the --by value ("(blank)" for an empty one)
  Totals totals;
  std::vector<Record> records;
  bool billing = true;                ///< false: a run of customers and responses files only
  std::uint64_t customer_records = 0; ///< without billing: the customers the group holds
  bool whole = false;                 ///< the whole base ("all"), not a --by group that may be named "all"
};

/// A group's name as the table, Markdown and check's verdicts show it: a --by value that happens
/// to be "all" is marked, so that it is not taken for the whole base.
inline std::string shown_segment(const std::string& segment, bool whole) {
  return !whole && segment == "all" ? "all (a --by value)" : segment;
}

/// Settings echoed in the output so a report says how it was made.
struct ReportSettings {
  std::string version;
  PeriodLength period_length = PeriodLength::month;
  std::string period_length_source; ///< "detected", "--period-length", "default (no period column)"
  std::optional<std::string> by;
  Money gross_margin = Money::from_units(1);
  bool gross_margin_given = false;
  std::optional<Money> cac;
  Money tolerance{};
  bool skip_invalid = false;
  std::vector<std::string> metrics; ///< empty: all
  std::string bands = "builtin";
  std::optional<bool> include_reactivation; ///< set when snapshots give exact annual cohorts
  std::string health_scheme;                ///< set when the run has customer records (issue 7)
  std::uint64_t min_group = 30;             ///< groups with fewer starting customers are not rated (issue 12)
  std::string definitions = "cskpi";        ///< the --definitions preset (issue 12)
};

/// Everything a renderer needs; renderers are pure functions of it.
struct Report {
  ReportSettings settings;
  std::vector<InputSummary> inputs;
  std::vector<Group> groups;       ///< periods sorted; within a period `all` first, then segments sorted
  std::optional<JoinSummary> join; ///< set when customers or responses files were joined (issue 7)
  /// Movers (issue 30), set when asked for (--top): per period, group and bridge line, as the
  /// groups are ordered; `group` as Group::segment says it ("all", "(blank)").
  std::optional<std::vector<MoverLine>> movers = std::nullopt;
};

/// Computes and rates every group's metrics. `metrics` filters by id (empty: all the
/// columns allow). Pure.
/// `cohorts`: exact trailing-12-month figures that replace compounding where present.
/// `leading`: the joined customer records and responses (issue 7); `motion` rates the time
/// to value of `all` and of segments whose label names no motion.
/// `invoices`: the invoice lines booked per period and group (issue 31, --invoices).
/// `costs`: a costs file joined to the periods (issue 31), for the whole base's efficiency metrics.
std::vector<Group> build_groups(const Aggregator& agg, const MetricContext& ctx, const BandTable& bands,
                                const std::vector<std::string>& metrics, bool grouped,
                                const AnnualCohorts* cohorts = nullptr, const Leading* leading = nullptr,
                                const std::string& motion = "", const InvoiceBook* invoices = nullptr,
                                const CostsJoin* costs = nullptr);
/// The join in words, for the table header: what matched and what was left out.
std::string join_line(const JoinSummary& j);

/// The first line of a report: its inputs, periods, customers and rows rejected.
std::string inputs_line(const Report& r);
/// A record's name for people: "Net revenue retention", "+ New MRR" (a bridge line's sign),
/// "Churned customers: price" (a keyed record).
std::string display_name(const Record& r);
/// A record's value for people: "101.70%", "4,390.09", "n/a" when undefined.
std::string display_value(const Record& r);
/// Its annual figure: "122.44%", with '*' for an exact trailing-12-month cohort; "" if none.
std::string display_annual(const Record& r);
/// The note column: reasons, caveats, and what the next tier needs.
std::string display_note(const Record& r);

/// Human table; `color` adds ANSI colours to tiers. Notes that would pass `width` columns
/// are wrapped under their column, or below the record when the line leaves them too little.
std::string render_table(const Report& r, bool color, std::size_t width = SIZE_MAX);
/// Words of `text` in lines of at most `width` columns (a longer word is cut).
std::vector<std::string> wrap_words(std::string_view text, std::size_t width);
/// One JSON document (SPEC §5).
std::string render_json(const Report& r);
/// The column a group's segment holds (the --by column), or "" for the whole base: the
/// records' "by" field in every format.
inline std::string_view segment_column(const Group& g, const ReportSettings& s) {
  return g.whole || !s.by ? std::string_view() : std::string_view(*s.by);
}

/// The report's JSON schema: 2 added each record's "by" (what its segment holds; null for
/// the whole base) and the CSV column of the same name (issue 15).
inline constexpr int k_report_schema_version = 2;

/// The opening of every JSON document: "{", schema_version, tool, inputs, period_length, by.
std::string render_json_head(const Report& r);
/// The records only, one JSON object per line.
std::string render_jsonl(const Report& r);
/// How CSV output writes numbers and separates fields: `en` (the default: ',' and a decimal
/// point) or `de` (';' and a decimal comma, as a German spreadsheet reads them).
struct CsvStyle {
  char delimiter = ',';
  char decimal = '.';
};
/// The records as CSV with a header row; text cells are guarded against formula injection.
std::string render_csv(const Report& r, const CsvStyle& style = {});
/// GitHub-flavoured markdown tables, one per group.
std::string render_markdown(const Report& r);
/// The report turned on its side (issue 14): per segment, one row per metric and one column
/// per period. Points into the report it was made from.
struct Trends {
  struct Row {
    const MetricDef* def = nullptr;
    std::string key;
    std::string name;                 ///< as the table shows it ("+ New MRR")
    std::vector<const Record*> cells; ///< per period; nullptr where that period has none
    /// The last period's value less the one before: exact for money and counts.
    std::optional<Quantity> change() const;
  };
  struct Block {
    std::string segment;
    bool whole = false; ///< the whole base, not a --by group
    std::vector<Row> rows;
  };
  explicit Trends(const Report& r);
  std::vector<std::string> periods; ///< oldest first; "" without a period column
  std::vector<Block> blocks;        ///< `all` first, then the segments sorted
};
/// Trends (issue 14): per segment one row per metric and one column per period, with the
/// change from the period before the last. `format`: table, csv or markdown; the table shows
/// the latest periods that fit `width` columns.
std::string render_wide(const Report& r, const std::string& format, std::size_t width, const CsvStyle& style = {});

/// JSON string literal of `s` (quotes included); invalid UTF-8 becomes U+FFFD.
std::string json_string(std::string_view s);
/// json_string(s) appended to `out`, without a string of its own (JSON of many records).
void append_json_string(std::string& out, std::string_view s);
/// A CSV cell for text: formula-leading characters (= + - @ tab CR) get a leading '.
std::string csv_text_cell(std::string_view s, char delimiter = ',');
/// Escapes text for a markdown table cell.
std::string markdown_cell(std::string_view s);
/// A number as JSON: money exact, counts as integers, reals shortest round-trip.
std::string json_number(const Quantity& q);
/// A number for people in a metric's unit: "101.70%", "4,390.09", "+20.0", "3.40".
std::string display_number(double value, Unit unit);

} // namespace cskpi

namespace cskpi {

/// The header of a movements CSV (`cskpi movements`), with the --by column when named.
std::string movements_csv_header(std::string_view group_column);
/// One movements row as a CSV line in the core movements format, end_mrr included.
void append_movement_csv(std::string& out, const MovementRow& r, bool with_group);

/// The cohort table (`cskpi cohorts`) in `format`: table, csv, json or markdown.
/// The table format fits `width` columns: the ages that do not fit follow in further pages,
/// each with the cohort columns again.
std::string render_cohorts(const std::vector<CohortRow>& rows, bool logos, const std::string& file,
                           const std::string& format, const std::string& version, std::size_t width = SIZE_MAX);

} // namespace cskpi
