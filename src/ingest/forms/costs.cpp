// SPDX-License-Identifier: MIT
// Costs files (issue 31): one row per period of the company's spend and results (sales and
// marketing spend, net burn; revenue, operating income and gross margin optional), for the
// efficiency metrics (burn multiple, CAC payback, magic number, Rule of 40). The rows obey the
// rules every form shares (rules.hpp): the period is the key, trimmed; a period twice is an
// error naming both lines; a totals row is one by its label or its sums; an empty required
// amount is an error, never 0.
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace cskpi::ingest {

namespace {

constexpr std::string_view k_period[] = {"period", "month", "quarter"};
constexpr std::string_view k_sales_marketing[] = {"sales_marketing", "sales_and_marketing", "s_m", "sm_spend"};
constexpr std::string_view k_net_burn[] = {"net_burn", "burn"};
constexpr std::string_view k_revenue[] = {"revenue", "recognized_revenue", "recognised_revenue"};
constexpr std::string_view k_operating_income[] = {"operating_income", "operating_profit", "ebit"};
constexpr std::string_view k_gross_margin[] = {"gross_margin"};

class CostsForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_period = rd.find(k_period);
    m_sm = rd.find(k_sales_marketing);
    m_burn = rd.find(k_net_burn);
    m_revenue = rd.find(k_revenue);
    m_income = rd.find(k_operating_income);
    m_margin = rd.find(k_gross_margin);
    if (!rd.run.costs) rd.run.costs = std::make_unique<CostsTable>();
    rd.run.costs->files.push_back(rd.name);
    return true;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    CostRow r;
    r.file = rd.name;
    r.line = rd.line;
    const std::string_view period = key_cell(rd.fields[m_period]);
    if (!period.empty() && m_totals.reject(rd, m_period, {}, k_absent)) { // "Total", "Sum", "FY Total"
      rd.count_row();
      return;
    }
    r.sales_marketing = required_amount(rd, m_sm, "sales_marketing",
                                        "the spend of the period is what CAC payback and the magic number divide by; "
                                        "write 0 when there was none",
                                        false);
    r.net_burn = required_amount(rd, m_burn, "net_burn",
                                 "the burn multiple divides it; write 0 when the period burned no cash (negative: "
                                 "cash generated)",
                                 true);
    r.revenue = optional_amount(rd, m_revenue, "revenue", false);
    r.operating_income = optional_amount(rd, m_income, "operating_income", true);
    r.gross_margin = margin(rd);
    const std::array<Money, 2> amounts{r.sales_marketing, r.net_burn};
    if (period.empty()) {
      // A blank period under rows of amounts is the sums row of a spreadsheet, or a row cut off.
      if (rd.row_ok && m_totals.reject(rd, k_absent, amounts, m_sm)) {
        rd.count_row();
        return;
      }
      rd.field_error(m_period,
                     "period is empty: a totals row, or a row whose period was lost? Delete the line "
                     "or write the period (YYYY-MM, YYYY-Qn or YYYY)");
    } else if (const std::optional<Period> p = parse_period(period)) {
      r.period = p->label;
      r.length = p->length;
    } else {
      rd.field_error(m_period, fmt::format("period {} is not a period (use YYYY-MM, YYYY-Qn or YYYY)", show(period)));
    }
    if (rd.row_ok && !r.period.empty()) {
      m_seen.note(rd, m_period, "period", show(r.period), r.period, "keep one row per period");
      if (rd.row_ok)
        if (const CostRow* earlier = rd.run.costs->find(r.period); earlier != nullptr && earlier->file != rd.name)
          rd.field_error(m_period,
                         fmt::format("period {} is also in {}:{}: one costs row per period", show(r.period),
                                     earlier->file, earlier->line));
      if (rd.row_ok) overlap(rd, r);
    }
    rd.count_row();
    if (!rd.row_ok) return;
    m_totals.add(amounts);
    rd.run.costs->rows.push_back(std::move(r));
  }

private:
  /// Rows of different lengths may share a file (quarters for a past year, months since), but
  /// not a stretch of time: a quarter beside one of its months would count that month twice
  /// when a quarterly report sums the months (efficiency.hpp).
  void overlap(FileReader& rd, const CostRow& r) const {
    const MonthSpan span = month_span(Period{r.period, r.length});
    for (const CostRow& e : rd.run.costs->rows) {
      const MonthSpan s = month_span(Period{e.period, e.length});
      if (e.length == r.length || s.last < span.first || span.last < s.first) continue;
      rd.field_error(m_period,
                     fmt::format("period {} (a {}) overlaps period {} (a {}) of {}:{}: keep either the {}s "
                                 "or the {}s of a stretch of time, not both",
                                 show(r.period), to_string(r.length), show(e.period), to_string(e.length), e.file,
                                 e.line, to_string(std::min(r.length, e.length)),
                                 to_string(std::max(r.length, e.length))));
      return;
    }
  }

  /// An amount a row may leave empty (unknown, never 0).
  static std::optional<Money> optional_amount(FileReader& rd, std::size_t field, std::string_view what,
                                              bool allow_negative) {
    if (field == k_absent || is_blank(rd.fields[field])) return std::nullopt;
    return rd.amount(field, what, allow_negative);
  }

  /// The gross margin: a fraction above 0 and at most 1, exact to six decimals.
  std::optional<Money> margin(FileReader& rd) const {
    if (m_margin == k_absent || is_blank(rd.fields[m_margin])) return std::nullopt;
    const std::string_view text = key_cell(rd.fields[m_margin]);
    const ParsedMoney p = parse_money(text, rd.style);
    if (p.status != ParsedMoney::Status::ok || p.rounded || p.value.micros <= 0 || p.value.micros > Money::k_scale) {
      rd.field_error(m_margin,
                     fmt::format("gross_margin {} is not a fraction above 0 and at most 1 with at most six "
                                 "decimals (write 0.78 for 78 %)",
                                 show(text)));
      return std::nullopt;
    }
    return p.value;
  }

  std::size_t m_period = k_absent, m_sm = k_absent, m_burn = k_absent, m_revenue = k_absent, m_income = k_absent,
              m_margin = k_absent;
  TotalsRule m_totals;
  DuplicateRule m_seen;
};

FileRole recognise_costs(const Header& h) {
  return h.has_any(k_period) && h.has_any(k_sales_marketing) && h.has_any(k_net_burn) && !h.has("customer_id")
      ? FileRole::reference
      : FileRole::unknown;
}

} // namespace

const FormInfo k_costs_form{
    "costs",
    "period, sales_marketing, net_burn",
    "period, sales_marketing and net_burn (optional revenue, operating_income, gross_margin) and no customer_id: "
    "one row per period, for the efficiency metrics (report --costs)",
    recognise_costs,
    [] { return std::unique_ptr<Form>(new CostsForm); },
    {"period", "the same period twice, in one costs file or across them",
     "period Total, Sum, FY Total and the like; a row without a period whose sales_marketing and net_burn are the "
     "sums of the rows above (any other row without a period is an error too)",
     "sales_marketing and net_burn empty is an error; revenue, operating_income and gross_margin empty are "
     "unknown, never 0"}};

} // namespace cskpi::ingest
