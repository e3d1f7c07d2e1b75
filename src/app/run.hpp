// SPDX-License-Identifier: MIT
// The report pipeline (issue 29): a request in, a report out. Reads the inputs, decides
// whether they can be reported on, computes and rates every group's metrics. What the run
// tells as it goes (each problem of the inputs, its progress, why it stops) goes to a
// RunSink: the CLI's prints on stderr, a test's collects.
#pragma once

#include "app/inputs.hpp"
#include "app/request.hpp"
#include "core/error.hpp"
#include "core/records.hpp"
#include "metrics/bands.hpp"
#include "metrics/cohorts.hpp"
#include "metrics/movers.hpp"
#include "report/report.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cskpi::app {

/// Where a run tells what it finds. Every problem of the inputs comes to report(), in the
/// order read (errors of rows left out by skip_invalid included: the sink may show them as
/// warnings); then inputs_read(); then the notes on the run as a whole.
class RunSink : public DiagnosticSink {
public:
  using Progress = decltype(IngestOptions::progress);
  /// Reading starts: a callback that follows it (bytes read of each file), or none.
  virtual Progress reading() { return {}; }
  /// Every input is read: a sink that held repeated problems back tells them now.
  virtual void inputs_read() {}
  /// A line on the run as a whole: why it stops (an error), or what the report leaves out or
  /// may have got wrong (a warning).
  virtual void note(Severity severity, const std::string& text) = 0;
};

/// What the HTML page draws besides the records: the bands' thresholds and, for a snapshot
/// input, the classic cohort table.
struct Drawing {
  BandTable bands; ///< the run's bands, filled in by run_report
  std::vector<CohortRow> cohorts;
};

/// Reads, validates and computes every group's metrics as `request` asks. Returns nullopt
/// after a note to `sink` on why when the run must stop with exit 3 (invalid input in strict
/// mode, an unreadable file). Throws usage errors for bad option values, as the run reaches
/// them. With `drawing`, fills it for the HTML page. With `ledger`, fills it with every
/// customer's movements fingerprint (the month-close lock, issue 30).
std::optional<Report> run_report(const ReportRequest& request, RunSink& sink, Drawing* drawing = nullptr,
                                 CustomerLedger* ledger = nullptr);

/// run_report in two steps, for cskpi report --compare (compare.cpp), which reads the inputs
/// once per way of reading them and computes a report per preset from each reading.
class InvoiceCustomersSink; // app/invoices.hpp

struct Reading {
  ReportSettings settings; ///< what the request alone says
  IngestOptions ingest;
  BandTable bands; ///< load_bands: the built-in ones and --bands over them
  Loaded loaded;
  std::shared_ptr<MoversSink> movers; ///< with --top: the largest customers behind each bridge line
  /// With --invoices (issue 31): each customer's group and periods with MRR, for the invoice lines.
  std::shared_ptr<InvoiceCustomersSink> invoice_customers;
  std::shared_ptr<TeeSink> tee; ///< movers and invoice customers both
};
/// Parses the request and reads its inputs as `definitions` says (apply_definitions); nullopt
/// after a note to `sink` when the inputs cannot be reported on. Throws usage errors. With
/// `ledger`, the reading keeps every customer's movements fingerprint (the month-close lock).
std::optional<Reading> read_inputs(const ReportRequest& request, const DefinitionPreset& definitions, RunSink& sink,
                                   bool ledger = false);
/// The report of what was read, with what `definitions` chooses after reading (annual cohorts'
/// reactivation, unless the request's --reactivation says). Its notes go to `sink`. With
/// `ledger` (and a reading made with one), fills it.
Report compute_report(const ReportRequest& request, const Reading& reading, const DefinitionPreset& definitions,
                      RunSink& sink, Drawing* drawing = nullptr, CustomerLedger* ledger = nullptr);

} // namespace cskpi::app
