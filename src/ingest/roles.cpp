// SPDX-License-Identifier: MIT
// The role table (SPEC §1.1): which input form a header is, tried in order. A new form is
// a file of its own under src/ingest/ and one entry here.
#include "ingest/reader.hpp"

#include "ingest/engine/line_source.hpp"

#include "core/csv.hpp"

#include "platform/files.hpp"

#include <fmt/format.h>

namespace cskpi::ingest {

namespace {

constexpr const FormInfo* k_table[] = {
    &k_movements_form,      // start_mrr
    &k_chartmogul_form,     // MRR_MOVEMENT and DATE
    &k_stripe_form,         // Stripe subscriptions: Interval, Amount, Status
    &k_stripe_coupons_form, // Stripe coupons: Percent Off, Amount Off, Duration
    &k_stripe_prices_form,  // Stripe prices: Price ID, Amount, Interval
    &k_chargebee_form,      // Chargebee MRR summary: reporting_month
    &k_recurly_form,        // Recurly subscriptions: account_code and uuid (issue 32)
    &k_killbill_form,       // Kill Bill subscription transitions: event, next_start_date (issue 32)
    &k_long_snapshots_form, // customer_id, mrr, month
    &k_wide_snapshots_form, // customer_id and month columns
    &k_costs_form,          // period, sales_marketing, net_burn (issue 31)
    &k_logo_cohorts_form,   // cohort, age, customers (issue 32)
    &k_responses_form,      // score, csat or ces without MRR columns
    &k_customers_form,      // customer_id and attribute columns
    // Issue 31, given with --invoices: last, so that no header another form reads changes form.
    &k_invoices_form,        // invoice lines: invoice_id, invoice_date, service_start
    &k_stripe_invoices_form, // Stripe invoice line items: invoice, period_start, period_end
};

} // namespace

std::span<const FormInfo* const> form_table() { return k_table; }

const FormInfo& recognise(const Header& h, FileRole& role) {
  for (const FormInfo* f : k_table) {
    role = f->recognise(h);
    if (role != FileRole::unknown) return *f;
  }
  role = FileRole::billing;
  return k_movements_form; // its checks say which columns are missing
}

std::string list_forms() {
  std::vector<std::string> forms;
  for (const FormInfo* f : k_table) // the forms of a billing file: invoice lines come with --invoices only
    if (f != &k_invoices_form && f != &k_stripe_invoices_form)
      forms.push_back(fmt::format("{} ({})", f->name, f->key_columns));
  return fmt::format("{}", fmt::join(forms, "; "));
}

bool has_customer_attributes(const Header& h) {
  using N = AttributeNames;
  return h.has_any(N::health) || h.has_any(N::signup) || h.has_any(N::value) || h.has_any(N::renewal) ||
      h.has_any(N::renewed) || h.has_any(N::reason);
}

} // namespace cskpi::ingest

namespace cskpi {

std::vector<InputForm> input_forms() {
  std::vector<InputForm> out;
  for (const ingest::FormInfo* f : ingest::form_table())
    out.push_back(
        InputForm{f->name, f->recognised_by, f->rules.key, f->rules.duplicate, f->rules.totals, f->rules.empty});
  return out;
}

FileRole peek_role(const std::string& path, const IngestOptions& options) {
  using namespace ingest;
  if (path == "-") return FileRole::unknown;
  // Pipes and devices can be read only once, and are not even opened here: opening a FIFO
  // and closing it unread would leave its writer with no reader, and the real reading with
  // no writer.
  if (const std::optional<platform::FileInfo> named = platform::file_info(path); !named || !named->regular())
    return FileRole::unknown;
  const int fd = platform::open_read(path);
  if (fd < 0) return FileRole::unknown;
  const std::optional<platform::FileInfo> file = platform::file_info(fd);
  if (!file || !file->regular()) { // replaced by a pipe or device since
    platform::close_file(fd);
    return FileRole::unknown;
  }
  // The first 64 KiB, or the whole of a smaller file: no more memory touched than it has.
  std::string head(std::min<std::size_t>(std::size_t{1} << 16, static_cast<std::size_t>(file->size) + 1), '\0');
  std::size_t have = 0;
  while (have < head.size()) {
    const std::int64_t n = platform::read_some(fd, head.data() + have, head.size() - have);
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  platform::close_file(fd);
  head.resize(have);
  char declared = 0; // UTF-16, CR line ends and a sep= line, as read_file() reads them
  const std::optional<std::string> header = peek_header(head, have < head.size(), declared);
  if (!header) return FileRole::unknown;
  std::vector<std::string_view> fields;
  std::string scratch;
  const char delimiter = options.delimiter != 0 ? options.delimiter
      : declared != 0                           ? declared
                                                : detect_delimiter(*header);
  if (split_record(*header, delimiter, fields, scratch).status != SplitResult::Status::ok) return FileRole::unknown;
  std::vector<std::string> names;
  for (std::string_view f : fields) names.push_back(normalise_column_name(f));
  for (const auto& [target, source] : options.column_map) ingest::apply_column_map(names, target, source);
  FileRole role = FileRole::unknown;
  recognise(Header{names, fields, options}, role);
  return role;
}

} // namespace cskpi
