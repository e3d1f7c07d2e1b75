// SPDX-License-Identifier: MIT
// Stripe's coupons export (Billing > Coupons > Export): the coupons a subscriptions export
// names by id, with their percent or amount off and how long they last. Read before the
// subscriptions (FileRole::reference), kept in the run.
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

namespace cskpi::ingest {

namespace {

class StripeCouponsForm : public Form {
public:
  bool start(FileReader& rd) override {
    m_id = rd.find({"id", "coupon_id"});
    m_percent = rd.find({"percent_off"});
    m_amount = rd.find({"amount_off"});
    m_currency = rd.find({"currency"});
    m_duration = rd.find({"duration"});
    m_months = rd.find({"duration_in_months"});
    if (m_id == k_absent) {
      rd.fatal(rd.line, "a Stripe coupons export needs its id column");
      return false;
    }
    return true;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    if (m_totals.reject(rd, m_id, {}, k_absent)) return rd.count_row();
    Coupon c;
    c.id.assign(key_cell(rd.fields[m_id]));
    if (c.id.empty()) rd.field_error(m_id, "the coupon id is empty");
    else if (!m_duplicates.note(rd, m_id, "coupon", show(c.id), c.id)) return rd.count_row();
    if (m_percent != k_absent && !is_blank(rd.fields[m_percent])) {
      c.percent_off = parse_decimal(trim_spaces(rd.fields[m_percent]), rd.style);
      if (!c.percent_off || to_string(*c.percent_off).size() > 12 || !percent_ok(*c.percent_off))
        rd.field_error(
            m_percent,
            fmt::format("Percent Off {} is not a number above 0 and at most 100", show(rd.fields[m_percent])));
    }
    if (m_amount != k_absent && !is_blank(rd.fields[m_amount])) {
      c.amount_off = rd.amount(m_amount, "Amount Off", false);
      if (m_currency != k_absent) c.currency = currency_code(rd.fields[m_currency]);
    }
    if (c.percent_off.has_value() == c.amount_off.has_value())
      rd.field_error(m_percent != k_absent ? m_percent : m_id, "a coupon has either Percent Off or Amount Off");
    const std::string duration =
        m_duration == k_absent ? std::string("forever") : normalise_column_name(rd.fields[m_duration]);
    if (duration == "once") c.duration = Coupon::Duration::once;
    else if (duration == "repeating") c.duration = Coupon::Duration::repeating;
    else if (duration == "forever" || duration.empty()) c.duration = Coupon::Duration::forever;
    else
      rd.field_error(m_duration,
                     fmt::format("Duration {} is not once, repeating or forever", show(rd.fields[m_duration])));
    if (c.duration == Coupon::Duration::repeating) {
      c.duration_in_months = m_months == k_absent ? -1 : rd.whole(m_months, 1, 1200);
      if (c.duration_in_months < 0 && rd.row_ok)
        rd.field_error(m_months != k_absent ? m_months : m_duration, "a repeating coupon needs Duration In Months");
    }
    if (rd.row_ok && !rd.run.coupons.try_emplace(c.id, c).second)
      rd.field_error(m_id, fmt::format("coupon {} appears twice in the coupons files", show(c.id)));
    rd.count_row();
  }

private:
  static bool percent_ok(const Decimal& d) {
    // 0 < num / 10^scale <= 100
    std::int64_t limit = 100;
    for (int i = 0; i < d.scale; ++i) {
      if (limit > INT64_MAX / 10) return true; // scale so large the number is far below 100
      limit *= 10;
    }
    return d.num > 0 && d.num <= limit;
  }

  TotalsRule m_totals;
  DuplicateRule m_duplicates;
  std::size_t m_id = k_absent, m_percent = k_absent, m_amount = k_absent, m_currency = k_absent, m_duration = k_absent,
              m_months = k_absent;
};

FileRole recognise_coupons(const Header& h) {
  return h.has("percent_off") && h.has("amount_off") && h.has("duration") ? FileRole::reference : FileRole::unknown;
}

} // namespace

const FormInfo k_stripe_coupons_form{
    "coupons",
    "id, Percent Off, Amount Off, Duration",
    "Stripe's coupons export: id, Percent Off, Amount Off and Duration",
    recognise_coupons,
    [] { return std::unique_ptr<Form>(new StripeCouponsForm); },
    {"the coupon id (id), trimmed; a subscription's Coupon cell is trimmed the same way",
     "the same coupon id twice, in one coupons file (naming both lines) or in two",
     "id Total, Grand total, Summe, Gesamt and the like",
     "a coupon has Percent Off or Amount Off, exactly one; an empty Duration is forever"}};

} // namespace cskpi::ingest
