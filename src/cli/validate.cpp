// SPDX-License-Identifier: MIT
#include "cli/common.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"

#include <fmt/format.h>

namespace cskpi::cli {

void setup_validate(CLI::App& app, RunOptions& o) {
  CLI::App* cmd =
      app.add_subcommand("validate", "Check input files only: every problem as file:line:col, then a summary");
  add_input_options(*cmd, o);
  o.max_errors = 0;                     // validate prints every problem unless told otherwise
  CLI::App& output = option_part(*cmd); // after add_input_options' parts, as listed in --help
  add_format_option(output, o.format, o.output, {"table", "json", "jsonl", "csv", "markdown"},
                    "table (problems on stderr, summary on stdout), json, jsonl, csv or markdown");
  add_color_option(output, o.color, "");
  cmd->footer(R"(Examples:
  cskpi validate samples/broken_export.csv
  cskpi validate exports/*.csv --format json | jq '.diagnostics[] | .message'

Exit code 0 when every row is valid, 3 otherwise.)");
}

namespace {

std::string diagnostic_json(const Diagnostic& d) {
  return fmt::format("{{\"file\":{},\"line\":{},\"column\":{},\"severity\":{},\"message\":{}}}", json_string(d.file),
                     d.line, d.column, d.severity == Severity::error ? "\"error\"" : "\"warning\"",
                     json_string(d.message));
}

} // namespace

int run_validate(const RunOptions& o) {
  const bool structured = o.format != "table";
  StderrDiagnostics diags(o.max_errors, false);
  diags.print = !structured;
  diags.collect = structured;
  std::vector<std::string> files = o.files;
  if (!o.invoices.empty()) files.push_back(o.invoices); // issue 31: checked like every other file
  const Loaded l = load_inputs(files, ingest_options(o), diags);
  // A file that holds a header but no rows is not a valid export (issue 12).
  std::uint64_t empty = 0;
  for (const InputSummary& in : l.inputs) empty += !in.unreadable && in.rows_read == 0;
  const bool valid = diags.errors() == 0 && empty == 0;
  std::string out;
  if (o.format == "json") {
    std::vector<std::string> inputs, problems;
    for (const InputSummary& in : l.inputs)
      inputs.push_back(fmt::format(
          "{{\"file\":{},\"rows_read\":{},\"rows_valid\":{},\"rows_invalid\":{},\"warnings\":{},\"readable\":{}}}",
          json_string(in.file), in.rows_read, in.rows_used, in.rows_rejected, in.warnings,
          in.unreadable ? "false" : "true"));
    for (const Diagnostic& d : diags.collected) problems.push_back(diagnostic_json(d));
    out = fmt::format(
        "{{\n  \"schema_version\": 1,\n  \"valid\": {},\n  \"inputs\": [\n    {}\n  ],\n  \"diagnostics\": [{}]\n}}\n",
        valid ? "true" : "false", fmt::join(inputs, ",\n    "),
        problems.empty() ? "" : fmt::format("\n    {}\n  ", fmt::join(problems, ",\n    ")));
  } else if (o.format == "jsonl") {
    for (const Diagnostic& d : diags.collected) out += diagnostic_json(d) + "\n";
  } else if (o.format == "csv") {
    out = "file,line,column,severity,message\n";
    for (const Diagnostic& d : diags.collected)
      out += fmt::format("{},{},{},{},{}\n", csv_text_cell(d.file), d.line, d.column,
                         d.severity == Severity::error ? "error" : "warning", csv_text_cell(d.message));
  } else if (o.format == "markdown") {
    out = "| File | Rows read | Valid | Invalid |\n|---|--:|--:|--:|\n";
    for (const InputSummary& in : l.inputs)
      out +=
          fmt::format("| {} | {} | {} | {} |\n", markdown_cell(in.file), in.rows_read, in.rows_used, in.rows_rejected);
    if (!diags.collected.empty()) out += "\n| Where | Severity | Problem |\n|---|---|---|\n";
    for (const Diagnostic& d : diags.collected)
      out += fmt::format("| {}:{}:{} | {} | {} |\n", markdown_cell(d.file), d.line, d.column,
                         d.severity == Severity::error ? "error" : "warning", markdown_cell(d.message));
  } else {
    for (const InputSummary& in : l.inputs) {
      if (in.unreadable) out += fmt::format("{}: unreadable\n", in.file);
      else if (in.rows_read == 0) out += fmt::format("{}: no rows (a header only)\n", in.file);
      else
        out += fmt::format(
            "{}: {} row{} read, {} valid, {} invalid{}\n", in.file, group_thousands(in.rows_read),
            in.rows_read == 1 ? "" : "s", group_thousands(in.rows_used), group_thousands(in.rows_rejected),
            in.warnings == 0 ? "" : fmt::format(", {} warning{}", in.warnings, in.warnings == 1 ? "" : "s"));
    }
    const std::uint64_t hidden = diags.total() - diags.shown();
    if (valid) out += "valid\n";
    else if (diags.errors() == 0)
      out += fmt::format("invalid: {} file{} no rows\n", empty, empty == 1 ? " holds" : "s hold");
    else
      out += fmt::format("invalid: {} problem{}{}\n", diags.errors(), diags.errors() == 1 ? "" : "s",
                         hidden > 0 ? fmt::format(" ({} not shown; --max-errors 0 shows all)", hidden) : "");
  }
  write_output(o.output, out);
  return static_cast<int>(valid ? ExitCode::ok : ExitCode::input);
}

} // namespace cskpi::cli
