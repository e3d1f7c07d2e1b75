// SPDX-License-Identifier: MIT
#include "cli/common.hpp"

#include "core/definitions.hpp"
#include "core/error.hpp"

#include <fmt/format.h>

namespace cskpi::cli {

void setup_explain(CLI::App& app, ExplainOptions& o) {
  CLI::App* cmd = app.add_subcommand("explain", "Print the definition, formula, annualisation and bands of one metric");
  cmd->add_option("metric", o.metric,
                  "Metric id, e.g. nrr (cskpi explain list shows all), or a topic: inputs (the input forms), "
                  "definitions (the --definitions presets), fx (currency conversion), sbg (cskpi forecast's retention "
                  "model)")
      ->required()
      ->type_name("METRIC|TOPIC");
  cmd->add_option("--bands", o.bands, "Show bands with this override file applied")->type_name(k_file);
  cmd->footer(R"(Examples:
  cskpi explain nrr
  cskpi explain list
  cskpi explain definitions)");
}

namespace {

std::string_view annualization_text(Annualization a) {
  switch (a) {
  case Annualization::none: return "not annualised (point-in-time or per-period figure)";
  case Annualization::retention:
    return "compounded: annual = (period / 100)^k * 100, k = 12 months, 4 quarters, 1 year";
  case Annualization::churn: return "compounded: annual = (1 - (1 - period / 100)^k) * 100";
  case Annualization::net_churn: return "annual = 100 - annual NRR";
  case Annualization::expansion_mrr:
    return "annual = annual NRR - annual GRR (so NRR = GRR + expansion holds annually)";
  case Annualization::churn_estimate: return "estimated: annual = (1 - (1 - period / 100)^k) * 100";
  }
  return "";
}

std::string labelled(std::string_view label, std::string_view text);

/// Recurly's subscriptions export (issue 32): how it becomes MRR, and what Recurly's own figures are.
std::string recurly_inputs() {
  return "Recurly's subscriptions export becomes MRR per account and month the same way: quantity x\n"
         "unit_amount plus add_ons_total per billing interval, per month. The interval is plan_interval_length\n"
         "and plan_interval_unit (days or months) when the export has them, else the current period's length\n"
         "(current_period_started_at to current_period_ends_at: whole months when the day of month repeats,\n"
         "else days). A subscription counts from activated_at until expires_at (canceled: the end of its term;\n"
         "expired: when it expired), a paused one until paused_at; trial months (trial_ends_at) count 0;\n"
         "failed (never created) and future (not started) subscriptions never count. canceled is a\n"
         "cancellation scheduled from canceled_at (cmrr). A past-due subscription is active: it keeps its MRR.\n"
         "Coupon discounts are not read (we found no documented discount column): MRR is before them. A\n"
         "timestamp's zone abbreviation (PST) is dropped: the date is the site's, as written. Amounts are\n"
         "currency units; *_in_cents columns are cents. Recurly's own MRR (its Analytics MRR dashboard) sums\n"
         "invoiced recurring charges, credits and refunds; by default it deducts coupon discounts and keeps\n"
         "the charges of failed invoices. No preset is Recurly's; the nearest is --definitions profitwell\n"
         "(discounts deducted, past-due customers active through dunning, churn at the end of the billing\n"
         "cycle).\n"
         "Source: docs.recurly.com/docs/monthly-recurring-revenue\n";
}

/// `cskpi explain inputs`: the input forms, in the order a header is tried against them.
std::string explain_inputs() {
  std::string out = "Input forms: a file's form is recognised from its header, never from its name; the first that\n"
                    "fits reads it (--map OURS=THEIRS renames an export's columns first).\n\n";
  for (const InputForm& f : input_forms()) out += fmt::format("  {:<18} {}\n", f.name, f.recognised_by);
  out += "\nEvery form's rows obey the same rules: keys (customer, subscription, segment values) are trimmed of\n"
         "spaces and tabs; a totals or subtotal row is an error, never a customer; the same key twice in a file is\n"
         "an error naming both lines; two columns of one name the form reads (Customer ID and customer_id) are an\n"
         "error unless --map names the one to read (customer_id=#2); a file that changes while it is read is an\n"
         "error. Per form:\n";
  for (const InputForm& f : input_forms()) {
    if (f.key.empty()) continue;
    out += fmt::format("\n  {}\n", f.name);
    out += labelled("key", f.key);
    out += labelled("duplicate", f.duplicate);
    out += labelled("totals row", f.totals);
    out += labelled("empty amount", f.empty);
  }
  out += "\nStripe subscriptions become MRR per customer and month: quantity x Amount less the coupon, per month\n"
         "(year /12, week x52/12, day x365/12), as of each month's last day; trials count 0, incomplete ones\n"
         "never, cancellations when the subscription ends. Months run to the last whole month of the export.\n"
         "An export without Amount and Interval takes each subscription's price from Stripe's prices export\n"
         "(Price ID, Amount, Currency, Interval, Interval Count) on the same command line, joined on Plan or\n"
         "Price ID; a tiered or metered price has no unit amount, so a subscription on one is an error.\n"
         "Its lifecycle columns, where the export has them: Cancel At Period End and Cancel At (scheduled\n"
         "cancellations, from their Canceled At) give cmrr; Trial End gives trial_conversion; Cancellation\n"
         "Reason (payment_failed) and the unpaid and past_due statuses split churn into voluntary and\n"
         "involuntary (cskpi explain cmrr; likewise trial_conversion and churn_involuntary_mrr).\n"
         "Chargebee's monthly summary is read as it is: a customer's subscriptions summed per reporting_month;\n"
         "status non_renewing is a scheduled cancellation (cmrr), status_previous in_trial a trial that ended.\n";
  out += recurly_inputs();
  out += "ChartMogul's MRR_MOVEMENT is in the account's currency (CURRENCY_CODE is the invoice's), in cents.\n"
         "Invoice lines come with --invoices FILE (issue 31) and give billings, recognized_revenue and\n"
         "deferred_revenue. Service periods end exclusive: service_end (generic form), or Stripe's\n"
         "period_end, the instant the next period starts. Stripe's invoice line items, as the API's object\n"
         "(docs.stripe.com/api/invoice-line-item/object) and Sigma's invoice_line_items give them: id,\n"
         "invoice, amount (in cents, the currency's minor unit), currency, period_start, period_end, with the\n"
         "invoice's customer and created date beside each line.\n"
         "\n"
         "Kill Bill's analytics_subscription_transitions (issue 32) is read as these choices:\n"
         "- a transition's plan MRR is next_price per next_billing_period as Stripe's (MONTHLY /1, QUARTERLY\n"
         "  /3, ANNUAL /12, WEEKLY x52/12, THIRTY_DAYS x365/360...); next_mrr, the plugin's own figure, only\n"
         "  without next_price or next_billing_period (the plugin counts 0 for DAILY, WEEKLY, BIWEEKLY and\n"
         "  every day-counted or other period but MONTHLY, QUARTERLY, BIANNUAL, ANNUAL and BIENNIAL);\n"
         "- the billing transitions (START_BILLING, PAUSE_BILLING, RESUME_BILLING, STOP_BILLING) say when a\n"
         "  subscription counts, its effective day (next_start_date) when, not requested_timestamp; START_*,\n"
         "  CHANGE, SYSTEM_CHANGE (a phase) and RESUME_* set its price; STATE_CHANGE (overdue and other\n"
         "  services' states) changes nothing. A file without billing transitions follows the entitlement\n"
         "  ones, with a warning. A paused subscription counts 0; a TRIAL phase without a price counts 0;\n"
         "- an account's (account_id) subscriptions, add-ons too, are summed at each month's last day;\n"
         "  months run to the last whole month on or before --as-of, else the latest created_date;\n"
         "- transitions of test accounts (report_group test) are left out, with a warning; partner\n"
         "  accounts count;\n"
         "- amounts are next_price in next_currency, converted with --fx at the last month's rate\n"
         "  (constant currency); the converted_* columns (each at its own transition's date) are not read;\n"
         "- a STOP asked for (requested_timestamp) by a month's end and effective after it is scheduled\n"
         "  (cmrr); a phase leaving TRIAL ends a trial (trial_conversion), converted when it then has MRR.\n"
         "Kill Bill's own figures (the analytics plugin's reports/mrr_daily and reports/churn): its Daily\n"
         "MRR (v_report_mrr_daily) sums next_mrr of the entitlement-service rows in effect each day\n"
         "(report_group default only, each currency apart); cskpi's MRR is its value on a month's last day\n"
         "for monthly, quarterly and annual plans (to its 4 decimals), except while paused\n"
         "(its pause rows keep the plan's MRR) and where entitlement and billing end on different days. Its\n"
         "churn report (v_report_churn_percent_and_total_usd) counts churn when STOP_ENTITLEMENT takes effect\n"
         "(next_start_date), as cskpi's preset does, but divides churned prices by the prices in effect on\n"
         "the month's first day, MONTHLY and ANNUAL plans apart, on bundles with a paid invoice only. No\n"
         "--definitions preset reproduces that; cskpi's own (the default) is the nearest.\n";
  return out;
}

/// "  label          text", the text wrapped at 100 columns under itself.
std::string labelled(std::string_view label, std::string_view text) {
  constexpr std::size_t k_width = 100, k_indent = 17;
  std::string out = fmt::format("  {:<14} ", label);
  std::size_t column = k_indent;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    if (column > k_indent && column + 1 + word.size() > k_width) {
      out += "\n" + std::string(k_indent, ' ');
      column = k_indent;
    } else if (column > k_indent) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
  }
  return out + "\n";
}

/// `cskpi explain definitions`: what each --definitions preset chooses.
std::string explain_definitions() {
  std::string out = "Definition presets (--definitions): vendors differ on these choices.\n";
  for (const DefinitionPreset& p : definition_presets()) {
    out += fmt::format("\n{}{}\n", p.name, p.name == "cskpi" ? " (default)" : "");
    out += labelled("churn timing", p.churn_timing);
    out += labelled("reactivation", p.reactivation);
    out += labelled("same month", p.same_month);
    out += labelled("caps", p.caps);
    out += labelled("discounts", p.discounts);
    out += labelled("delinquency", p.delinquency);
    out += labelled("fx method", fmt::format("{} with --fx: {}", to_string(p.fx_method), p.fx));
    out += labelled("source", p.source);
  }
  return out;
}

/// `cskpi explain fx`: how --fx converts.
std::string explain_fx() {
  return "Currencies (--fx FILE --currency CODE)\n\n"
         "Amounts in different currencies are never added: a file whose currency column holds several\n"
         "currencies is an error naming them, unless --fx converts them into --currency.\n\n"
         "FILE is a CSV of currency,rate (one rate for every month) or month,currency,rate (a rate per\n"
         "month; a row without a month is the fallback). A rate says how many units of --currency one unit\n"
         "of the currency is worth (USD,0.92 with --currency EUR: 1 USD = 0.92 EUR); rates are exact\n"
         "decimals of up to 18 places.\n\n"
         "Each amount is multiplied by the rate of its row's month exactly and rounded once, half to even,\n"
         "to micro-units (0.000001 of --currency). A row whose currency has no rate for its month is an\n"
         "error naming its line. The report's inputs say which currencies were converted.\n\n"
         "FX in the MRR bridge (--fx-method)\n\n"
         "  constant    no FX line (default; --definitions cskpi, smsb). Snapshot files and billing exports\n"
         "              (Stripe, Recurly, Kill Bill, Chargebee) value every month at the rate of the\n"
         "              history's last month, so rates never move MRR. Movements files convert each row\n"
         "              at its own period's rate: a customer paying the same 1,000 USD starts a period\n"
         "              at another MRR than it ended the one before with.\n"
         "  period-end  each period's MRR at its own (last month's) rates, and the starting MRR revalued\n"
         "              from the period before's rates to this period's is mrr_fx: the customer's\n"
         "              starting native MRR x (this rate - the rate before). mrr_start is the ending MRR\n"
         "              before, and start + movements + FX = end. Movements are at this period's rates;\n"
         "              a quarter or year revalues the start from the month before it to its last month\n"
         "              (--definitions chartmogul).\n"
         "  transaction each customer's MRR is held at the rate of the month of its last transaction,\n"
         "              the month its native MRR last changed (new, reactivation, expansion,\n"
         "              contraction). In such a month at rate r: new and reactivation = native x r,\n"
         "              expansion and contraction = |native change| x r, and the MRR kept from before is\n"
         "              re-priced to r; that re-pricing, old native x (r - locked rate), is mrr_fx, so FX\n"
         "              shows only in months where a transaction re-prices a subscription. Churn removes\n"
         "              the locked value. A month without a change moves nothing, whatever the rates\n"
         "              do. A customer whose currency changes is a transaction at the new currency's\n"
         "              rate: the old currency's locked value leaves, the new MRR comes in at r, the\n"
         "              difference is expansion or contraction and there is no FX. A quarter's or year's\n"
         "              FX re-prices the MRR it starts with from its locked rates to the rate of the\n"
         "              customer's last transaction in it. This is cskpi's reading of ProfitWell's help\n"
         "              text (--definitions profitwell); every month a customer has MRR in needs a rate,\n"
         "              and a movements file must hold each customer's whole history (one per run).\n\n"
         "With period-end and transaction, in every group and the whole: start + new + expansion +\n"
         "reactivation + transfers in - contraction - churned - transfers out + FX = end.\n\n"
         "How the vendors do it\n\n"
         "  ChartMogul  MRR at the daily rate of the service period's start date; rate changes are not\n"
         "              expansion or contraction but an Exchange Rate Impact row of the chart data\n"
         "              (period-end is the nearest with monthly rates).\n"
         "              https://help.chartmogul.com/hc/en-us/articles/"
         "201520952-How-ChartMogul-handles-subscriptions-billed-in-foreign-currencies\n"
         "  Chargebee   RevenueStory converts MRR at period-end exchange rates and reports the variance\n"
         "              in its Net MRR growth report (period-end).\n"
         "              https://support.chargebee.com/support/solutions/articles/"
         "256559-how-exchange-rates-affect-revenuestory-metrics-over-time-\n"
         "  ProfitWell  FX rates from the date the customer purchased the subscription; the MRR never\n"
         "              moves with rates (transaction).\n"
         "              https://learn.profitwell.com/article/"
         "ldosvdtpmm-why-is-my-mrr-in-profit-well-different-than-paddle\n";
}

/// `cskpi explain sbg`: cskpi forecast's retention model (issue 32).
std::string explain_sbg() {
  return "sBG: the shifted-beta-geometric retention model (cskpi forecast --model sbg)\n\n"
         "Fader, P. S. and Hardie, B. G. S. (2007), \"How to Project Customer Retention\", Journal of\n"
         "Interactive Marketing 21(1), 76-90.\n\n"
         "Each customer renews at the end of every period with a probability 1 - theta of its own that\n"
         "never changes; theta is spread across customers as Beta(alpha, beta). A cohort's retention\n"
         "rate then rises with age: the customers likeliest to leave leave first.\n\n"
         "  P(T = 1) = alpha / (alpha + beta)\n"
         "  P(T = t) = P(T = t-1) (beta + t - 2) / (alpha + beta + t - 1)\n"
         "  S(t)     = S(t-1) - P(T = t),  S(0) = 1\n\n"
         "Fit: maximum likelihood on each cohort's survivors per age (those lost at age t weigh\n"
         "ln P(T = t), those still customers at the last age ln S(last)), by Nelder-Mead on ln alpha\n"
         "and ln beta from alpha = beta = 1, bounded to [-9, 9]; converged when the simplex's values lie\n"
         "within 1e-10 and its points within 1e-9 of the best. The paper's two segments give alpha\n"
         "0.704, beta 1.182 (regular) and 0.668, 3.806 (high end), as published.\n\n"
         "DERL, the discounted expected residual lifetime of a customer who made n - 1 renewals\n"
         "(Fader and Hardie 2010, Marketing Science 29(1)):\n"
         "  DERL = (beta + n - 1) / (alpha + beta + n - 1) x 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))\n"
         "with d the period discount rate ((1 + annual)^(1/12) - 1 for months).\n"
         "LTV = ARPA x gross margin x DERL, rounded once to the cent.\n\n"
         "Not fitted, with the reason: fewer than three ages, no customer lost, every customer lost in\n"
         "the first period, or a likelihood that keeps rising towards a bound.\n";
}

} // namespace

int run_explain(ExplainOptions o) {
  std::string out;
  for (char& c : o.metric) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c))); // NRR is nrr
  if (o.metric == "list" || o.metric == "all") {
    for (const MetricDef& m : metric_table()) out += fmt::format("{:<22} {}\n", m.id, m.name);
    out += "\ntopics: inputs, definitions, fx, sbg\n";
    write_output("", out);
    return 0;
  }
  if (o.metric == "sbg") {
    write_output("", explain_sbg());
    return 0;
  }
  if (o.metric == "inputs" || o.metric == "definitions" || o.metric == "fx") {
    write_output("",
                 o.metric == "inputs"            ? explain_inputs()
                     : o.metric == "definitions" ? explain_definitions()
                                                 : explain_fx());
    return 0;
  }
  const MetricDef* def = find_metric(o.metric);
  if (def == nullptr) { // a word: the metrics whose id or name holds it ("churn")
    for (const MetricDef& m : metric_table()) {
      std::string name(m.name);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (o.metric.size() >= 3 &&
          (m.id.find(o.metric) != std::string_view::npos || name.find(o.metric) != std::string::npos))
        out += fmt::format("{:<22} {}\n", m.id, m.name);
    }
    if (!out.empty()) {
      write_output(
          "", fmt::format("metrics with \"{}\" in their id or name (cskpi explain ID for one):\n{}", o.metric, out));
      return 0;
    }
    const std::string near = suggest_metric(o.metric);
    throw usage_error(fmt::format("unknown metric \"{}\"{}; cskpi explain list shows all", o.metric,
                                  near.empty() ? "" : fmt::format(" (did you mean {}?)", near)));
  }
  const BandTable bands = load_bands(o.bands);
  out += fmt::format("{} ({})\n\n{}\n\n", def->name, def->id, def->description);
  out += fmt::format("formula        {}\n", def->formula);
  if (def->needs == Needs::nothing) {
    out += "               S, E, C, X = start, expansion, contraction, churned MRR of the starting cohort\n";
    out += "               (rows with start_mrr > 0); N = its customers, L = those with churned_mrr > 0\n";
  } else {
    out += fmt::format("needs          {}\n", needed_column(def->needs));
  }
  if (def->latest_only)
    out +=
        "period         the latest period only: customers as they are at its end (or --as-of), joined on customer_id\n";
  if (def->keyed)
    out += "records        one per churn reason; check rules name it: " + std::string(def->id) + "[price]<=30\n";
  out += fmt::format("unit           {}\n", to_string(def->unit));
  out += fmt::format("annualisation  {}\n", annualization_text(def->annualization));
  out += fmt::format("sources        {}\n",
                     def->sources == "-" ? std::string("none: a standard definition") : cite_sources(def->sources));
  // The metric's own bands, then its per-scale or per-motion ones ("csat:5", "ttv_median:smb").
  std::vector<std::string> keys;
  for (const std::string& key : bands.rated_metrics())
    if (key == def->id || (key.starts_with(def->id) && key.size() > def->id.size() && key[def->id.size()] == ':'))
      keys.push_back(key);
  if (keys.empty()) out += "bands          none: reported, not rated\n";
  for (const std::string& key : keys) {
    out += fmt::format("bands          {}{} basis; source {}\n",
                       key == def->id          ? std::string()
                           : def->id == "csat" ? "scale 1-" + key.substr(key.find(':') + 1) + ": "
                                               : key.substr(key.find(':') + 1) + " motion: ",
                       def->annualization != Annualization::none ? "annual" : "period",
                       cite_sources(bands.source_for(key)));
    for (const BandRule& r : bands.rules_for(key))
      out += fmt::format("  {:<14} {}\n", to_string(r.tier), describe_bound(r));
  }
  // The titles of the articles the band sources name.
  std::string cited = def->sources == "-" ? std::string() : std::string(def->sources) + "\n";
  for (const std::string& key : keys) cited += std::string(bands.source_for(key)) + "\n";
  out += reference_legend(cited);
  write_output("", out);
  return 0;
}

} // namespace cskpi::cli
