// SPDX-License-Identifier: MIT
// Internal to ingest: what every input form shares. A file is read by a FileReader (the
// file's name, header, current line and fields, its accounting and diagnostics) and one
// Form, chosen from the file's header by the role table (roles.cpp). A Form is one file
// of its own under src/ingest/; adding an input form is that file plus one table entry.
#pragma once

#include "core/attributes.hpp"
#include "core/costs.hpp"
#include "core/csv.hpp"
#include "core/invoice.hpp"
#include "core/logo_cohorts.hpp"
#include "core/snapshot_table.hpp"
#include "ingest/ingest.hpp"

#include "ingest/continuity.hpp"
#include "ingest/dates.hpp"
#include "ingest/engine/dedup.hpp"
#include "ingest/engine/pass.hpp"
#include "ingest/exact.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cskpi::ingest {

constexpr std::size_t k_absent = static_cast<std::size_t>(-1);

/// Where an --fx file's columns are among normalised header names: month (or date, period),
/// currency (currency_code, from) and rate (fx_rate, exchange_rate); k_absent for none. The
/// rates reader reads by it, and a rates file given as an input is told to come with --fx.
struct FxColumns {
  std::size_t month = k_absent, currency = k_absent, rate = k_absent;
  std::string twice; ///< "rate columns (fields 3 and 4)" when a role has two columns: which one holds it is unknown
  bool usable() const noexcept { return currency != k_absent && rate != k_absent; }
};
FxColumns fx_columns(std::span<const std::string> names);

/// Shows a cell in a message: quoted, control bytes escaped, long values cut.
std::string show(std::string_view text);
/// A header's column names for a message: at most 50, each escaped and cut.
std::string shown_columns(const std::vector<std::string>& names);
/// Money for a message: "1,234.50".
std::string show_money(Money m);
/// True for an empty line or one of spaces, tabs and CR only.
bool is_blank(std::string_view line);

/// What one --map entry did to a header (apply_column_map).
struct MapApplied {
  bool found = false;                 ///< the header has the column the entry names
  std::vector<std::size_t> displaced; ///< columns already named as its target, no longer read as it
};
/// Renames the header's normalised `names` as the --map entry `target`=`source` says: the column
/// `source` names (by name, or `#N`: the header's Nth field) becomes `target`, and a column
/// already named `target` is cleared, so the map wins (read first, that column would undo it).
/// The one place --map is applied: the reader and the role peek see the same names.
MapApplied apply_column_map(std::vector<std::string>& names, const std::string& target, const std::string& source);

class LineSource;
struct FileReader;

/// What the whole run keeps across its files.
struct Run {
  Run(IngestOptions o, DiagnosticSink& d);
  IngestOptions options;
  DiagnosticSink& diagnostics;
  std::optional<PeriodLength> period_length;
  std::string period_length_first; ///< "file:line" where the period length was fixed
  std::uint32_t period_length_file = 0;
  ColumnSet columns;
  std::deque<std::string> file_names;        ///< stable: readers and rows point into it
  DateOrder date_order = DateOrder::unknown; ///< --date-format
  /// Every (period, customer_id) of movements files, with where it was first seen; use keys(),
  /// which adds the keys parallel passes left pending first.
  DuplicateIndex seen;
  /// A parallel pass's keys, not in `seen` yet.
  using PendingKeys = ingest::PendingKeys;
  std::vector<PendingKeys> pending_keys;
  std::size_t pending_lookups = 0;
  /// The text of each key in `seen`, while every key came through insert_key() and they are
  /// few: an ordered pass looks for them in its chunks' ranges, with no look-up per row.
  std::vector<std::pair<std::string, std::string>> key_texts;
  bool key_texts_whole = true;
  static constexpr std::size_t k_key_texts = 4096;
  /// No file follows the one being read: its first pass keeps its keys' words only.
  bool last_file = false;
  DuplicateIndex& keys() {
    if (!pending_keys.empty()) add_pending_keys();
    return seen;
  }
  void add_pending_keys();
  /// Makes chunk `chunk` of `p` whole by reading it again into `found` (KeyPartitions::expand).
  /// Throws FileChanged when its lines no longer hold the keys the pass read.
  void expand(PendingKeys& p, std::size_t chunk, std::vector<KeyPartitions::Found>& found);
  /// seen.insert(), the pending keys included: `probe` is the key (period, id) hashed.
  std::optional<DuplicateIndex::Location> insert_key(const DuplicateIndex::Probe& probe, std::string_view period,
                                                     std::string_view id, std::uint32_t file, std::uint64_t line);
  std::unique_ptr<SnapshotTable> snapshots;
  std::unique_ptr<Attributes> attributes;
  std::uint32_t movement_files = 0;                   ///< files read as movements (they do not mix with snapshots)
  ContinuityRun continuity;                           ///< movements files' periods, checked by Ingestor::finish()
  std::optional<FxTable> fx;                          ///< --fx FILE with --currency
  std::map<std::string, Coupon, std::less<>> coupons; ///< Stripe coupons files, by id
  std::map<std::string, Price, std::less<>> prices;   ///< Stripe prices files, by price id
  std::vector<InvoiceLine> invoices;                  ///< invoice lines files (issue 31), in file order
  std::unique_ptr<CostsTable> costs;                  ///< costs files (issue 31), created on first use
  std::unique_ptr<LogoCohortTable> logo_cohorts;      ///< logo cohort tables (issue 32), created on first use
  /// The customer records and responses, created on first use.
  Attributes& attrs();
};

/// A file's header as the role table sees it: normalised names (after --map) and raw fields.
struct Header {
  const std::vector<std::string>& names;
  const std::vector<std::string_view>& raw;
  const IngestOptions& options;
  /// The position of the first of `options` among the names, or k_absent.
  std::size_t find(std::span<const std::string_view> candidates) const;
  std::size_t find(std::initializer_list<std::string_view> candidates) const {
    return find(std::span<const std::string_view>(candidates.begin(), candidates.size()));
  }
  bool has(std::string_view name) const { return find({name}) != k_absent; }
  bool has_any(std::span<const std::string_view> candidates) const { return find(candidates) != k_absent; }
};

/// One input form's reader: it takes the header, then the data lines.
class Form {
public:
  virtual ~Form() = default;
  /// Takes the header (split into the reader's fields and names); false when the file
  /// cannot be read (a fatal diagnostic says why).
  virtual bool start(FileReader& rd) = 0;
  /// Reads every data line; the default passes each non-blank line to row(), then calls
  /// finish() unless the file became unreadable.
  virtual void read(FileReader& rd, LineSource& lines);
  virtual void row(FileReader& rd, std::string_view text) = 0;
  virtual void finish(FileReader&) {}
};

/// What a form's rows obey under the rules every form shares (rules.hpp, issue 28), in
/// words for `cskpi explain inputs` and docs/inputs.md.
struct RowRules {
  std::string_view key;       ///< what one row is keyed by: "customer_id and period"
  std::string_view duplicate; ///< what counts as a duplicate of that key
  std::string_view totals;    ///< how a totals or subtotal row is recognised
  std::string_view empty;     ///< what an empty amount cell means
};

/// One entry of the role table (SPEC §1.1): how a header is recognised and the Form that
/// reads it. Entries are tried in table order; the first whose `recognise` does not answer
/// FileRole::unknown reads the file.
struct FormInfo {
  std::string_view name;          ///< InputSummary::role, e.g. "snapshots (long)"
  std::string_view key_columns;   ///< what recognises it, short: "customer_id, mrr, month"
  std::string_view recognised_by; ///< the same in full, for cskpi explain inputs
  FileRole (*recognise)(const Header& h);
  std::unique_ptr<Form> (*make)();
  RowRules rules{};
  /// Its rows are month-end snapshots, one per customer and month (long, wide, Chargebee): a
  /// month the file holds no row of is missing, not a month every customer had no MRR
  /// (finish_snapshots refuses it). False for forms whose months come from subscription spans
  /// or carried-over movements, where a month without MRR is real.
  bool monthly_snapshots = false;
};
/// The role table, in the order the entries are tried.
std::span<const FormInfo* const> form_table();
/// The entry that reads a header; movements (whose checks name the missing columns) when
/// no entry recognises it.
const FormInfo& recognise(const Header& h, FileRole& role);
/// "movements (start_mrr), chartmogul (DATE, MRR_MOVEMENT), ...": every form, for messages.
std::string list_forms();

// The forms (one file each).
extern const FormInfo k_movements_form;
extern const FormInfo k_chartmogul_form;
extern const FormInfo k_stripe_form;
extern const FormInfo k_stripe_coupons_form;
extern const FormInfo k_stripe_prices_form;
extern const FormInfo k_chargebee_form;
extern const FormInfo k_recurly_form;  // issue 32: Recurly's subscriptions export
extern const FormInfo k_killbill_form; // issue 32: Kill Bill's analytics_subscription_transitions
extern const FormInfo k_long_snapshots_form;
extern const FormInfo k_wide_snapshots_form;
extern const FormInfo k_costs_form;
extern const FormInfo k_logo_cohorts_form; // issue 32: survivors per cohort and age
extern const FormInfo k_responses_form;
extern const FormInfo k_customers_form;
extern const FormInfo k_invoices_form;        // issue 31: invoice lines
extern const FormInfo k_stripe_invoices_form; // issue 31: Stripe's invoice line items

/// Customer attribute columns (issue 7), with the names exports use for them.
struct AttributeNames {
  static constexpr std::string_view health[] = {"health_score", "health"};
  static constexpr std::string_view signup[] = {"signup_date", "contract_date", "start_date"};
  static constexpr std::string_view value[] = {"first_value_date", "value_date"};
  static constexpr std::string_view renewal[] = {"renewal_date"};
  static constexpr std::string_view renewed[] = {"renewed"};
  static constexpr std::string_view reason[] = {"churn_reason", "cancellation_reason"};
  /// The customer's name (issue 30: movers show it); not an attribute that makes a file a customers file.
  static constexpr std::string_view name[] = {"name", "customer_name", "company", "company_name"};
  static constexpr std::string_view score[] = {"score", "nps", "nps_score"};
  static constexpr std::string_view csat[] = {"csat"};
  static constexpr std::string_view ces[] = {"ces"};
  static constexpr std::string_view date[] = {"date", "response_date", "responded_at", "submitted_at"};
};
bool has_customer_attributes(const Header& h);
/// MRR or movement columns, or two or more month columns: no customers or responses file.
bool has_billing_columns(const Header& h);

/// The attribute cells of a customers file or of a movements file with attribute columns.
struct AttributeCells {
  std::size_t id = k_absent, health = k_absent, signup = k_absent, value = k_absent, renewal = k_absent,
              renewed = k_absent, reason = k_absent, name = k_absent;
  std::vector<std::size_t> components;
  /// Finds the columns and marks them in the run's attribute columns.
  void locate(FileReader& rd);
  /// Reads the current row's cells into `rec`; bad cells reject the row.
  void read(FileReader& rd, CustomerRecord& rec);
};

/// Everything one file read needs; lives for the duration of one read.
struct FileReader {
  FileReader(Run& r, const std::string& n, std::uint32_t index, RowSink& k);

  Run& run;
  const std::string& name;
  std::uint32_t file_index;
  RowSink& sink;
  alignas(64) InputSummary summary; ///< its counters change on every row (taking thread)
  const FormInfo* form_info = nullptr;
  std::vector<std::string> names; ///< normalised header names, --map applied
  std::size_t by_pos = k_absent;
  std::size_t field_count = 0;
  DecimalStyle style = DecimalStyle::point;
  bool cents = false;          ///< amounts are cents (ChartMogul logs, --amounts cents)
  char delimiter = ',';        ///< summary.delimiter, away from the counters the taking thread writes
  char declared_delimiter = 0; ///< by an Excel `sep=;` line before the header (0: none)
  std::vector<std::string_view> fields;
  std::string scratch;
  alignas(64) std::uint64_t line = 0; ///< the taking thread writes these on every row
  bool row_ok = true;
  /// Set by a form that builds the file's MRR history from its rows once they are all read
  /// (snapshots, billing exports): an error then leaves the history incomplete, so it is fatal,
  /// --skip-invalid or not (a month's MRR left out would read as churn).
  bool building_history = false;
  std::uint64_t file_size = 0; ///< bytes, for regular files; 0 when unknown (stdin, pipes)
  std::uint64_t first_rounded_line = 0;
  std::uint32_t first_rounded_col = 0;
  std::vector<std::optional<DateColumn>> dates; ///< per field, on first use
  /// The slash-date order the file's columns decided in learn_date_orders, when they agree.
  std::optional<DateColumn> file_dates;
  /// A date column's reader: the order --date-format gave, else the one the file's columns decided.
  DateColumn new_date_column() const { return file_dates ? *file_dates : DateColumn(run.date_order); }

  const IngestOptions& options() const { return run.options; }
  Header header() const { return Header{names, fields, run.options}; }
  /// The column a form reads as a field, as Header::find; every form finds its columns here, so
  /// the shared rule on duplicate columns (check_read_columns) sees each column it reads.
  std::size_t find(std::span<const std::string_view> candidates);
  std::size_t find(std::initializer_list<std::string_view> candidates) {
    return find(std::span<const std::string_view>(candidates.begin(), candidates.size()));
  }
  /// The same, each name also with Stripe's " (UTC)" suffix ("created", else "created_(utc)").
  std::size_t find_utc(std::span<const std::string_view> candidates);
  std::size_t find_utc(std::initializer_list<std::string_view> candidates) {
    return find_utc(std::span<const std::string_view>(candidates.begin(), candidates.size()));
  }
  /// The columns find() gave the form, in the order it asked.
  std::vector<std::size_t> read_columns;
  /// The rule every form shares: a column the form reads must be the only one of its name
  /// (after normalising and --map). "Customer ID" beside "customer_id" is an input error naming
  /// both columns and the field, unless --map names the one to read. False (fatal) when broken.
  bool check_read_columns();
  /// The message for two columns, fields `first` and `second`, that both name the field `field`.
  std::string duplicate_column(std::string_view field, std::size_t first, std::size_t second) const;

  void diag(std::uint64_t at_line, std::size_t field, Severity sev, std::string message);
  /// A problem with field `field` of the current row: the row is rejected.
  void field_error(std::size_t field, std::string message);
  /// The whole file cannot be used.
  void fatal(std::uint64_t at_line, std::string message);
  /// The --by column must be in the header unless it is optional (usage error otherwise).
  void check_by_column() const;

  /// Splits the header line into fields and names; false (fatal) if it cannot be used.
  bool split_header(std::string_view text);
  /// Splits a data line into `fields` and checks the field count; false (counted and
  /// reported) if the line cannot be used.
  bool split_row(std::string_view text);
  /// For a message about a record holding line breaks: the lines it spans ("" for one line).
  std::string spans(std::string_view text) const;
  /// Counts the current row as used or rejected by `row_ok`.
  void count_row();
  /// The current row's --by value ("" without --by).
  std::string_view by_value() const { return by_pos != k_absent ? fields[by_pos] : std::string_view{}; }

  /// Parses field `field` as an amount named `what`; `cents` divides by 100.
  Money amount(std::size_t field, std::string_view what, bool allow_negative);
  /// A date cell (empty: nullopt); a bad one rejects the row.
  std::optional<DateCell> date(std::size_t field, std::string_view what);
  /// A date cell's day; a month-only value is an error.
  std::optional<Day> day(std::size_t field, std::string_view what);
  /// A date cell's month (a day is taken as its month).
  std::optional<MonthIndex> month(std::size_t field, std::string_view what);
  /// A whole number from lo to hi, or -1 for an empty cell; anything else rejects the row.
  int whole(std::size_t field, int lo, int hi);
  /// Converts `amount` in `currency` (month `m`) to the run's currency with --fx; rejects
  /// the row (naming field `field`) when no rate is known. Without --fx it returns `amount`.
  Money convert(Money amount, std::string_view currency, MonthIndex m, std::size_t field);

  /// Warns once about values rounded to 6 decimals.
  void finish_warnings();
};

/// The currencies of one file's currency column: one is fine; several are an error unless
/// --fx converts them (issue 12).
class CurrencyCheck {
public:
  /// Notes the currency of the current row (an empty cell is skipped).
  void note(FileReader& rd, std::size_t field);
  /// The currencies seen so far.
  std::size_t seen() const noexcept { return m_first.size(); }
  /// At the end of the file: a fatal error naming the currencies when they mix and --fx
  /// does not convert them; sets summary.currency.
  void finish(FileReader& rd);

private:
  std::map<std::string, std::uint64_t, std::less<>> m_first; ///< currency -> first line
};

/// Snapshot forms share this at the end of their header: the --by column checked, whether
/// amounts are cents (`cents_default` unless --amounts says; nullopt: never), and the run's
/// one snapshot table, checked against movements files. nullptr (fatal) if it cannot be.
SnapshotTable* open_snapshot_table(FileReader& rd, std::optional<bool> cents_default);
/// After a snapshot file's rows: derive the movements (SPEC §1.1 snapshots).
void finish_snapshots(FileReader& rd, SnapshotTable& table);
/// A month's MRR of customer `c` in `currency` as the snapshot table holds it under --fx
/// (issue 30; fx_method.cpp): constant converts at the rate of the history's `last` month,
/// period-end and transaction at month `m`'s rate and keep the native amount for
/// apply_fx_method(). Without --fx, `native` itself. A missing rate rejects the row (`field`).
Money snapshot_value(FileReader& rd, SnapshotTable& t, std::uint32_t c, MonthIndex m, MonthIndex last, Money native,
                     std::string_view currency, std::size_t field);
/// Adds `value`, what snapshot_value() gave for `native` in `currency`, to a lifecycle amount of
/// customer `c` in month `m` that is a part of its MRR: scheduled to cancel, or ending from a
/// failed payment (issue 30). Under --fx-method transaction the native amount is kept too, and
/// apply_fx_method() prices the part at the rate the customer's MRR is locked at, as the MRR it
/// is a part of (else committed MRR would mix two rates). A part of an MRR that fits fits.
void add_part(FileReader& rd, SnapshotTable& t, std::uint32_t c, MonthIndex m, SnapshotTable::Part part, Money value,
              Money native, std::string_view currency);
/// Values the whole table by --fx-method and sets each customer's FX line per derived period
/// of `length` (SnapshotTable::set_fx); nothing under constant. False (fatal) on overflow.
bool apply_fx_method(FileReader& rd, SnapshotTable& table, PeriodLength length);

/// The common month cell, YYYY-MM with a year from 1900 to 2199, without the general date
/// reader; nullopt for anything else.
inline std::optional<MonthIndex> plain_month(std::string_view t) noexcept {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() != 7 || t[4] != '-' || !digit(t[0]) || !digit(t[1]) || !digit(t[2]) || !digit(t[3]) || !digit(t[5]) ||
      !digit(t[6]))
    return std::nullopt;
  const int year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
  const int month = (t[5] - '0') * 10 + (t[6] - '0');
  if (month < 1 || month > 12 || year < 1900 || year > 2199) return std::nullopt;
  return year * 12 + month - 1;
}

/// Splits the bytes of a byte source into lines; see line_source.hpp.
InputSummary read_file(FileReader& rd, LineSource& lines);

} // namespace cskpi::ingest
