// SPDX-License-Identifier: MIT
// Invoice lines (issue 31): what an invoices file (--invoices) holds once read. Ingest fills
// them; metrics/invoices.hpp recognises them. Pure data.
#pragma once

#include "core/attributes.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace cskpi {

/// One invoice line: an amount billed on a day, for a service period or for none.
struct InvoiceLine {
  std::string customer_id;
  Day invoice_date = 0;
  Money amount; ///< negative for a credit note
  /// The service period, days [start, end): the end is exclusive, as Stripe's line-item period
  /// end is. Unset (both) for a line with no service period, recognised on its invoice date.
  std::optional<Day> service_start, service_end;

  bool has_service() const noexcept { return service_start.has_value(); }
};

} // namespace cskpi
