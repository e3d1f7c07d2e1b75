// SPDX-License-Identifier: MIT
// cskpi health: a weighted 0-100 health score per customer from component columns (issue 7).
#include "cli/common.hpp"

#include "core/attributes.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace cskpi::cli {

void setup_health(CLI::App& app, HealthOptions& o) {
  CLI::App* cmd =
      app.add_subcommand("health", "Score customers 0-100 from weighted component columns and list those most at risk");
  cmd->add_option("file", o.run.files,
                  "Customers CSV with customer_id and one column per component; - reads standard input")
      ->required()
      ->expected(1)
      ->type_name(k_file);
  cmd->add_option(
         "--weights", o.weights,
         "Components and their weights in percent, summing to 100, e.g. usage=40,engagement=30,support=15,outcomes=15")
      ->required()
      ->type_name("NAME=W,...");
  cmd->add_option("--missing", o.missing,
                  "An empty component: reweight (score from the others, their weights scaled to 100; default), zero, "
                  "or skip (leave the customer unscored)")
      ->check(CLI::IsMember({"reweight", "zero", "skip"}))
      ->type_name("HOW");
  cmd->add_option("--top", o.top, "List this many customers most at risk (default 10; 0 lists none)")->type_name("N");
  cmd->add_option("--by", o.run.by, "Carry this column (e.g. segment) into the scores")->type_name("COLUMN");
  cmd->add_option("--health-scheme", o.run.health_scheme,
                  "Cut-offs: default (green 80+, yellow 50+), power-users (71+, 41+) or GREEN/YELLOW such as 75/40")
      ->type_name("SCHEME");
  add_format_option(*cmd, o.run.format, o.run.output, {"table", "csv", "json"},
                    "table (summary and customers most at risk), csv (every score: a customers file for the next cskpi "
                    "report) or json");
  cmd->add_option("--delimiter", o.run.delimiter, "Field delimiter: , ; or tab (default: detected from the header)")
      ->type_name("CHAR");
  o.run.decimal_comma_option =
      cmd->add_flag("--decimal-comma", o.run.decimal_comma_flag, "Numbers use a decimal comma");
  cmd->add_option("--encoding", o.run.encoding, "Text encoding, as in report: utf-8 (default), cp1252 or latin1")
      ->type_name("ENC");
  cmd->add_option("--date-format", o.run.date_format,
                  "Order of slash dates, as in report: DD/MM/YYYY or MM/DD/YYYY (default: auto). The scores read no "
                  "dates: a date column of the file is not read at all")
      ->type_name("FORMAT");
  cmd->add_option("--max-errors", o.run.max_errors, "Print at most N problems; 0 prints all")->type_name("N");
  cmd->add_flag("--skip-invalid", o.run.skip_invalid,
                "Leave invalid rows out (each is still reported) instead of failing");
  cmd->add_option("-o,--output", o.run.output, "Write to FILE instead of standard output")->type_name(k_file);
  add_color_option(*cmd, o.run.color, "");
  cmd->footer(R"(Examples:
  cskpi health samples/joined/customers.csv --weights usage=40,engagement=30,support=15,outcomes=15
  cskpi health samples/joined/customers.csv --weights usage=40,engagement=30,support=15,outcomes=15 \
      --by segment --format csv -o scores.csv
  cskpi report samples/joined/billing.csv scores.csv     # the scores, joined to billing

Each component column holds 0-100 (normalise raw counts first). The score is the weighted mean
sum(weight x value) / sum(weight), exact to 6 decimals. Weights follow the example in "Post-Sale
Metrics Guide: Wesentliche KPIs für Customer Success Teams":
usage 40, engagement 30, support 15, outcomes 15.)");
}

namespace {

struct Scored {
  const CustomerRecord* customer;
  WeightedScore score;
};

std::string missing_list(const WeightedScore& s) { return fmt::format("{}", fmt::join(s.missing, " ")); }

} // namespace

int run_health(const HealthOptions& o) {
  const std::vector<Weight> weights = parse_weights(o.weights);
  const HealthScheme scheme = health_scheme(o.run);
  IngestOptions in = ingest_options(o.run);
  for (const Weight& w : weights) in.components.push_back(w.component);
  const MissingComponents missing = o.missing == "zero" ? MissingComponents::zero
      : o.missing == "skip"                             ? MissingComponents::skip
                                                        : MissingComponents::reweight;

  StderrDiagnostics diags(o.run.max_errors, o.run.skip_invalid);
  Loaded l = load_inputs(o.run.files, in, diags);
  const InputSummary& summary = l.inputs.front();
  if (diags.fatal() > 0) {
    print_problem("the file could not be read; no scores written");
    return static_cast<int>(ExitCode::input);
  }
  if (summary.role != "customers") {
    print_problem(fmt::format("{} is a {} file; cskpi health reads a customers file (customer_id and the component "
                              "columns {}, no MRR columns)",
                              summary.file, summary.role, fmt::join(in.components, ", ")));
    return static_cast<int>(ExitCode::input);
  }
  if (diags.errors() > 0) {
    print_problem(fmt::format("{} invalid row{} of {}; no scores written. Fix them, or pass --skip-invalid",
                              summary.rows_rejected, summary.rows_rejected == 1 ? "" : "s", summary.rows_read));
    return static_cast<int>(ExitCode::input);
  }

  std::vector<Scored> scored;
  const std::vector<CustomerRecord> none;
  const std::vector<CustomerRecord>& customers = l.attributes ? l.attributes->customers : none;
  for (const CustomerRecord& c : customers)
    scored.push_back(Scored{&c, weighted_score(weights, c.components, missing)});

  std::array<std::uint64_t, 4> bands{};
  std::uint64_t with_score = 0, unscored = 0, partial = 0, over_80 = 0;
  for (const Scored& s : scored) {
    if (!s.score.score) {
      ++unscored;
      continue;
    }
    ++with_score;
    if (!s.score.missing.empty()) ++partial;
    ++bands[static_cast<std::size_t>(health_band(*s.score.score, scheme))];
    if (*s.score.score > 80 * Money::k_scale) ++over_80;
  }
  const auto score_text = [](const WeightedScore& s) {
    return s.score ? format_money_exact(Money{*s.score}) : std::string();
  };
  const auto band_text = [&](const WeightedScore& s) {
    return s.score ? std::string(to_string(health_band(*s.score, scheme))) : std::string();
  };
  const bool with_group = !in.by_column.empty();

  std::string out;
  if (o.run.format == "csv") {
    out = "customer_id,";
    if (with_group) out += csv_text_cell(in.by_column) + ",";
    out += "health_score,health_band,weakest_component,missing_components\n";
    for (const Scored& s : scored) {
      out += csv_text_cell(s.customer->id) + ",";
      if (with_group) out += csv_text_cell(s.customer->group) + ",";
      out +=
          fmt::format("{},{},{},{}\n", score_text(s.score), band_text(s.score), s.score.weakest, missing_list(s.score));
    }
  } else if (o.run.format == "json") {
    std::vector<std::string> w;
    for (const Weight& x : weights)
      w.push_back(fmt::format("{{\"component\": {}, \"weight\": {}}}", json_string(x.component), x.weight));
    out = "{\n  \"schema_version\": 1,\n";
    out += fmt::format("  \"tool\": {{\"name\": \"cskpi\", \"version\": {}}},\n", json_string(CSKPI_VERSION));
    out += fmt::format("  \"input\": {{\"file\": {}, \"rows_read\": {}, \"rows_used\": {}, \"rows_rejected\": {}}},\n",
                       json_string(summary.file), summary.rows_read, summary.rows_used, summary.rows_rejected);
    out += fmt::format("  \"weights\": [{}],\n  \"missing\": {},\n  \"health_scheme\": {},\n", fmt::join(w, ", "),
                       json_string(o.missing), json_string(scheme.name));
    out += fmt::format(
        "  \"summary\": {{\"scored\": {}, \"unscored\": {}, \"partial\": {}, \"green\": {}, \"yellow\": {}, "
        "\"red\": {}, \"power_user\": {}, \"over_80\": {}}},\n",
        with_score, unscored, partial, bands[2], bands[1], bands[0], bands[3], over_80);
    out += "  \"customers\": [";
    for (std::size_t i = 0; i < scored.size(); ++i) {
      const Scored& s = scored[i];
      std::vector<std::string> miss;
      for (const std::string& m : s.score.missing) miss.push_back(json_string(m));
      out += fmt::format(
          "{}\n    {{\"customer_id\": {}, {}\"health_score\": {}, \"band\": {}, \"weakest_component\": {}, "
          "\"missing_components\": [{}]}}",
          i ? "," : "", json_string(s.customer->id),
          with_group ? fmt::format("{}: {}, ", json_string(in.by_column), json_string(s.customer->group)) : "",
          s.score.score ? score_text(s.score) : "null", s.score.score ? json_string(band_text(s.score)) : "null",
          s.score.weakest.empty() ? "null" : json_string(s.score.weakest), fmt::join(miss, ", "));
    }
    out += scored.empty() ? "]\n}\n" : "\n  ]\n}\n";
  } else {
    std::vector<std::string> w;
    for (const Weight& x : weights) w.push_back(fmt::format("{} {}", x.component, x.weight));
    out = fmt::format("{} · {} customer{} scored · weights {} · empty components: {}\n", summary.file,
                      group_thousands(with_score), with_score == 1 ? "" : "s", fmt::join(w, ", "), o.missing);
    if (partial > 0 || unscored > 0)
      out += fmt::format("{} scored from some components only, {} not scored\n", group_thousands(partial),
                         group_thousands(unscored));
    const auto share = [&](std::uint64_t n) {
      return with_score == 0 ? std::string("n/a")
                             : fmt::format("{:.2f}%", 100.0 * static_cast<double>(n) / static_cast<double>(with_score));
    };
    out += fmt::format("\nHealth (scheme {})\n", scheme.name);
    if (scheme.power_users)
      out += fmt::format("  power users  {:>7}  {:>8}\n", group_thousands(bands[3]), share(bands[3]));
    out += fmt::format("  green        {:>7}  {:>8}\n", group_thousands(bands[2]), share(bands[2]));
    out += fmt::format("  yellow       {:>7}  {:>8}\n", group_thousands(bands[1]), share(bands[1]));
    out += fmt::format("  red          {:>7}  {:>8}\n", group_thousands(bands[0]), share(bands[0]));
    const bool met = with_score > 0 && over_80 * 10 >= with_score * 7;
    out += fmt::format("  over 80      {:>7}  {:>8}  target: at least 70% ({})\n", group_thousands(over_80),
                       share(over_80),
                       with_score == 0 ? "n/a"
                           : met       ? "met"
                                       : "missed");
    if (o.top > 0) {
      std::vector<const Scored*> risk;
      for (const Scored& s : scored)
        if (s.score.score) risk.push_back(&s);
      std::stable_sort(risk.begin(), risk.end(),
                       [](const Scored* a, const Scored* b) { return *a->score.score < *b->score.score; });
      if (risk.size() > o.top) risk.resize(o.top);
      std::size_t id_w = 11;
      for (const Scored* s : risk) id_w = std::max(id_w, display_width(s->customer->id)); // columns, not bytes
      out += fmt::format("\nMost at risk ({} lowest scores)\n", risk.size());
      out += fmt::format("  {:<{}}  {:>6}  {:<10}  {}\n", "customer_id", id_w, "score", "band", "weakest component");
      for (const Scored* s : risk) {
        std::string line =
            fmt::format("  {}  {:>6}  {:<10}  {}", pad_right(s->customer->id, id_w),
                        format_money_fixed(Money{*s->score.score}, 1, false), band_text(s->score),
                        s->score.weakest.empty() ? std::string()
                                                 : fmt::format("{} ({})", s->score.weakest,
                                                               format_money_exact(Money{s->score.weakest_value})));
        if (!s->score.missing.empty()) line += fmt::format("; no {}", fmt::join(s->score.missing, ", "));
        out += line + "\n";
      }
    }
  }
  write_output(o.run.output, out);
  return 0;
}

} // namespace cskpi::cli
