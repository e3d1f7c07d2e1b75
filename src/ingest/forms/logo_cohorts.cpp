// SPDX-License-Identifier: MIT
// Logo cohort tables (issue 32): one row per acquisition cohort and age, the customers of the
// cohort still customers at that age (age 0 is acquisition), for cskpi forecast. The rows obey
// the rules every form shares (rules.hpp): cohort and age are the key, trimmed; the same cohort
// and age twice is an error naming both lines; a totals row is one by its cohort label; an empty
// customers cell is an error, never 0. Survivor counts have two rules of their own, checked once
// the whole file is read: each cohort's ages run from 0 without a gap, and its customers never
// rise with age (a customer lost does not come back in a survivor count).
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <set>

namespace cskpi::ingest {

namespace {

constexpr std::string_view k_cohort[] = {"cohort", "acquisition_cohort", "cohort_month"};
constexpr std::string_view k_age[] = {"age", "period_number", "months_since"};
constexpr std::string_view k_customers[] = {"customers", "active_customers", "logos", "survivors"};
constexpr std::string_view k_mrr[] = {"mrr"};

class LogoCohortsForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_cohort = rd.find(k_cohort);
    m_age = rd.find(k_age);
    m_customers = rd.find(k_customers);
    m_mrr = rd.find(k_mrr);
    if (!rd.run.logo_cohorts) rd.run.logo_cohorts = std::make_unique<LogoCohortTable>();
    rd.run.logo_cohorts->files.push_back(rd.name);
    m_first = rd.run.logo_cohorts->rows.size();
    return true;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    LogoCohortRow r;
    r.file = rd.name;
    r.line = rd.line;
    const std::string_view cohort = key_cell(rd.fields[m_cohort]);
    if (cohort.empty()) {
      rd.field_error(m_cohort,
                     "cohort is empty: a totals row, or a row whose cohort was lost? Delete the line or "
                     "write the cohort");
    } else if (m_totals.reject(rd, m_cohort, {}, k_absent)) { // "Total", "Sum", "All cohorts total"
      rd.count_row();
      return;
    }
    r.cohort = std::string(cohort);
    r.age = count(rd, m_age, "age", "the periods since acquisition (0 is acquisition)");
    r.customers = count(rd, m_customers, "customers", "the cohort's customers still customers at that age");
    if (m_mrr != k_absent && !is_blank(rd.fields[m_mrr])) r.mrr = rd.amount(m_mrr, "mrr", false);
    if (rd.row_ok)
      m_seen.note(rd, m_age, "cohort", fmt::format("{} at age {}", show(r.cohort), r.age),
                  fmt::format("{}\x1f{}", r.cohort, r.age), "keep one row per cohort and age");
    rd.count_row();
    if (rd.row_ok) rd.run.logo_cohorts->rows.push_back(std::move(r));
    else if (!r.cohort.empty()) m_rejected.emplace(r.cohort); // its gap is that row's error, told already
  }

  /// Each cohort's ages from 0 without a gap, its customers never rising: an error at the line
  /// that breaks the run, naming the line before it.
  void finish(FileReader& rd) override {
    std::vector<LogoCohortRow>& rows = rd.run.logo_cohorts->rows;
    std::map<std::string_view, std::map<std::uint64_t, LogoCohortRow*>> by_cohort;
    for (std::size_t i = m_first; i < rows.size(); ++i) by_cohort[rows[i].cohort][rows[i].age] = &rows[i];
    bool cut = false; // a cohort broken at an age keeps the ages before it only (with --skip-invalid)
    for (const auto& [cohort, ages] : by_cohort) {
      const LogoCohortRow* before = nullptr;
      bool broken = false;
      for (const auto& [age, r] : ages) {
        if (broken) {
          r->line = 0, cut = true;
          continue;
        }
        const std::uint64_t expected = before == nullptr ? 0 : before->age + 1;
        if (age != expected && m_rejected.contains(cohort)) { // a rejected row's age: cut, no second error
          broken = true;
          r->line = 0, cut = true;
          continue;
        }
        if (age != expected)
          error(
              rd, *r, m_age,
              before == nullptr
                  ? fmt::format("cohort {} starts at age {}: its ages must start at 0 (acquisition)", show(cohort), age)
                  : fmt::format("cohort {} jumps from age {} (line {}) to age {}: write every age between",
                                show(cohort), before->age, before->line, age));
        else if (before != nullptr && r->customers > before->customers)
          error(rd, *r, m_customers,
                fmt::format("cohort {} has {} customers at age {} but {} at age {} (line {}): survivors cannot "
                            "grow; count only customers who never left",
                            show(cohort), r->customers, age, before->customers, before->age, before->line));
        else {
          before = r;
          continue;
        }
        broken = true;
        r->line = 0, cut = true;
      }
    }
    if (cut) std::erase_if(rows, [](const LogoCohortRow& r) { return r.line == 0; });
  }

private:
  /// A required whole number from 0: empty is an error saying what it is for.
  static std::uint64_t count(FileReader& rd, std::size_t field, std::string_view what, std::string_view meaning) {
    const std::string_view text = key_cell(rd.fields[field]);
    if (text.empty()) {
      rd.field_error(field, fmt::format("{} is empty: it is {}; write it (0 when none)", what, meaning));
      return 0;
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size())
      rd.field_error(field, fmt::format("{} {} is not a whole number from 0", what, show(text)));
    return v;
  }

  void error(FileReader& rd, const LogoCohortRow& r, std::size_t field, std::string message) {
    rd.diag(r.line, field, Severity::error, std::move(message));
    ++rd.summary.rows_rejected;
    if (rd.summary.rows_used > 0) --rd.summary.rows_used;
  }

  std::size_t m_cohort = k_absent, m_age = k_absent, m_customers = k_absent, m_mrr = k_absent;
  std::size_t m_first = 0; ///< this file's first row in the run's table
  TotalsRule m_totals;
  DuplicateRule m_seen;
  std::set<std::string, std::less<>> m_rejected; ///< cohorts with a rejected row
};

FileRole recognise_logo_cohorts(const Header& h) {
  return h.has_any(k_cohort) && h.has_any(k_age) && h.has_any(k_customers) && !h.has("customer_id")
      ? FileRole::reference
      : FileRole::unknown;
}

} // namespace

const FormInfo k_logo_cohorts_form{
    "logo cohorts",
    "cohort, age, customers",
    "cohort, age and customers (optional mrr) and no customer_id: one row per acquisition cohort and age, the "
    "customers still customers at that age (age 0 is acquisition), for cskpi forecast",
    recognise_logo_cohorts,
    [] { return std::unique_ptr<Form>(new LogoCohortsForm); },
    {"cohort and age",
     "the same cohort and age twice in one file; an age missing between two (a gap), or customers "
     "rising with age, is an error too",
     "cohort Total, Sum, Grand total and the like (and a row without a cohort)",
     "customers and age empty is an error; mrr empty is unknown (no LTV for that cohort), never 0"}};

} // namespace cskpi::ingest
