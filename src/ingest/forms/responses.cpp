// SPDX-License-Identifier: MIT
// Responses files (issue 7): one survey answer per row (NPS score, CSAT, CES), joined on
// customer_id when the export names the customer.
#include "ingest/reader.hpp"
#include "ingest/rules.hpp"

#include <fmt/format.h>

namespace cskpi::ingest {

namespace {

class ResponsesForm : public Form {
public:
  bool start(FileReader& rd) override {
    using N = AttributeNames;
    m_id = rd.find({"customer_id"});
    m_score = rd.find(N::score);
    m_csat = rd.find(N::csat);
    m_ces = rd.find(N::ces);
    m_date = rd.find(N::date);
    m_response = rd.find({"response_id", "respondent_id"}); // not a bare id: it may be the customer's
    Attributes& a = rd.run.attrs();
    a.columns.score |= m_score != k_absent;
    a.columns.csat |= m_csat != k_absent;
    a.columns.ces |= m_ces != k_absent;
    a.columns.response_date |= m_date != k_absent;
    a.response_files.push_back(rd.name);
    return true;
  }

  void row(FileReader& rd, std::string_view text) override {
    if (!rd.split_row(text)) return;
    ResponseRecord r;
    r.line = rd.line;
    // No amounts to sum: totals rows are known by a label in a key cell.
    if ((m_id != k_absent && m_totals.reject(rd, m_id, {}, k_absent)) ||
        (m_response != k_absent && m_totals.reject(rd, m_response, {}, k_absent))) {
      rd.count_row();
      return;
    }
    if (m_id != k_absent) {
      const std::string_view id = key_cell(rd.fields[m_id]);
      if (id.find('\0') != std::string_view::npos)
        rd.field_error(m_id, fmt::format("customer_id {} holds a NUL byte: binary data, not text", show(id)));
      r.customer_id.assign(id);
    }
    r.score = rd.whole(m_score, 0, 10);
    const int scale = rd.options().csat_scale;
    r.csat = rd.whole(m_csat, 1, scale != 0 ? scale : 10);
    r.ces = rd.whole(m_ces, 1, 7);
    if (m_date != k_absent) r.date = rd.day(m_date, rd.names[m_date]);
    // A customer may answer several times, even on one day: the key is the response's id.
    // Without an id column, a line equal to an earlier one in every cell cannot be told from
    // the same answer exported twice, and is refused.
    if (rd.row_ok && m_response != k_absent) {
      const std::string_view response = key_cell(rd.fields[m_response]);
      if (!response.empty()) m_seen.note(rd, m_response, rd.names[m_response], show(response), std::string(response));
    } else if (rd.row_ok) {
      m_seen.note(
          rd, m_id != k_absent ? m_id : 0, "the response",
          m_id != k_absent ? fmt::format("of customer {}", show(r.customer_id)) : std::string("line"), row_key(rd),
          "export the response id (response_id) so that two equal answers are told apart, or delete the repeat");
    }
    rd.count_row();
    if (rd.row_ok) rd.run.attrs().responses.push_back(std::move(r));
  }

private:
  std::size_t m_id = k_absent, m_score = k_absent, m_csat = k_absent, m_ces = k_absent, m_date = k_absent,
              m_response = k_absent;
  TotalsRule m_totals;
  DuplicateRule m_seen; ///< response ids, or whole lines without an id column
};

FileRole recognise_responses(const Header& h) {
  using N = AttributeNames;
  if (has_billing_columns(h)) return FileRole::unknown;
  return h.has_any(N::score) || h.has_any(N::csat) || h.has_any(N::ces) ? FileRole::responses : FileRole::unknown;
}

} // namespace

const FormInfo k_responses_form{
    "responses",
    "score, csat or ces without MRR columns",
    "a score (NPS 0-10), csat or ces column and no MRR columns",
    recognise_responses,
    [] { return std::unique_ptr<Form>(new ResponsesForm); },
    {"response_id (or respondent_id); without one, the whole line. A customer may answer "
     "several times",
     "the same response id twice; without an id column, a line equal to an earlier one in every "
     "cell (trimmed)",
     "customer_id or the response id Total, Grand total, Summe, SMB Total and the like (no "
     "amounts: no sums check)",
     "an empty score, csat or ces is a question not answered, never 0"}};

} // namespace cskpi::ingest
