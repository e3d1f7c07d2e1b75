// SPDX-License-Identifier: MIT
// What cskpi forecast prints: each cohort's model, its observed and fitted survival, and the
// value it projects, as a table, JSON, CSV, markdown or an HTML page with the curves drawn.
#include "report/forecast.hpp"

#include "report/html.hpp"
#include "report/html_assets.hpp"
#include "report/report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi {

std::string_view sbg_assumptions() {
  return "sBG model (Fader and Hardie 2007): each customer renews at the end of every period with a "
         "probability of its own that never changes; those probabilities vary across customers as a beta "
         "distribution (alpha, beta), so a cohort's retention rate rises with age as the likeliest leavers "
         "leave first. A customer lost does not come back. Fitted by maximum likelihood to each cohort's "
         "survivors; a projection of the past cohorts' behaviour, not a forecast of deals.";
}

namespace {

std::string num(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }
std::string opt_money(const std::optional<Money>& m) { return m ? format_money_exact(*m, 2) : std::string(); }
/// Money as the table shows it: to the cent (JSON and CSV keep ARPA exact).
std::string cents(const std::optional<Money>& m) { return m ? format_money_fixed(*m, 2, false) : std::string(); }

/// Prose wrapped at 100 columns for the table.
std::string wrap(std::string_view text) {
  std::string out, line;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(at, end - at);
    if (!line.empty() && line.size() + 1 + word.size() > 100) {
      out.append(line).push_back('\n');
      line.clear();
    }
    if (!line.empty()) line.push_back(' ');
    line.append(word);
    at = end + 1;
  }
  out.append(line).push_back('\n');
  return out;
}

/// Observed survival at `age` as % of the cohort's start (the pooled: of the cohorts observed that long).
std::optional<double> observed_pct(const ForecastCohort& c, std::size_t age) {
  if (age >= c.observed.size() || c.base[age] == 0) return std::nullopt;
  return static_cast<double>(c.observed[age]) * 100.0 / static_cast<double>(c.base[age]);
}
std::optional<double> fitted_pct(const ForecastCohort& c, std::size_t age) {
  if (age >= c.fitted.size()) return std::nullopt;
  return c.fitted[age] * 100.0;
}
std::size_t ages(const ForecastCohort& c) { return std::max(c.observed.size(), c.fitted.size()); }

/// "Regular", or "all (pooled)".
std::string title(const ForecastCohort& c, const Forecast& f) {
  return &c == &f.pooled ? "all cohorts, pooled" : c.cohort;
}
std::vector<const ForecastCohort*> every(const Forecast& f) {
  std::vector<const ForecastCohort*> out;
  for (const ForecastCohort& c : f.cohorts) out.push_back(&c);
  out.push_back(&f.pooled);
  return out;
}

std::string settings_line(const Forecast& f) {
  const std::string per_period =
      f.period == "year" ? "" : fmt::format(" ({}% a {})", num(f.period_discount * 100, 4), f.period);
  return fmt::format("Ages in {}s{}; discount {}% a year{}; gross margin {}; projected {} {}{} past each "
                     "cohort's last age. DERL: discounted expected residual lifetime in {}s of a customer at the "
                     "cohort's last age (the pooled model: a new customer); LTV = ARPA x gross margin x DERL.",
                     f.period, f.period_note.empty() ? "" : " (" + f.period_note + ")", num(f.annual_discount * 100, 2),
                     per_period, format_money_exact(f.gross_margin), f.horizon, f.period, f.horizon == 1 ? "" : "s",
                     f.period);
}

std::string json_cohort(const ForecastCohort& c) {
  const auto opt = [](bool has, const std::string& v) { return has ? v : std::string("null"); };
  std::string observed, fitted;
  for (std::size_t a = 0; a < c.observed.size(); ++a)
    observed += fmt::format("{}{{\"age\": {}, \"customers\": {}, \"retention\": {}}}", a ? ", " : "", a, c.observed[a],
                            opt(observed_pct(c, a).has_value(), num(observed_pct(c, a).value_or(0), 4)));
  for (std::size_t a = 0; a < c.fitted.size(); ++a)
    fitted += fmt::format("{}{{\"age\": {}, \"retention\": {}}}", a ? ", " : "", a, num(c.fitted[a] * 100, 4));
  const bool fit = c.fit.fitted;
  return fmt::format(
      "{{\"cohort\": {}, \"alpha\": {}, \"beta\": {}, \"log_likelihood\": {}, \"iterations\": {}, \"reason\": {},\n"
      "      \"observed\": [{}],\n      \"fitted\": [{}],\n      \"derl_renewals\": {}, \"derl\": {}, \"arpa\": {}, "
      "\"ltv\": {}, \"ltv_reason\": {}}}",
      json_string(c.cohort), opt(fit, num(c.fit.alpha, 6)), opt(fit, num(c.fit.beta, 6)),
      opt(fit, num(c.fit.log_likelihood, 6)), opt(fit, fmt::format("{}", c.fit.iterations)),
      fit ? "null" : json_string(c.fit.reason), observed, fitted, c.derl_at - 1,
      opt(c.derl.has_value(), num(c.derl.value_or(0), 6)), opt(c.arpa.has_value(), opt_money(c.arpa)),
      opt(c.ltv.has_value(), opt_money(c.ltv)), c.ltv ? "null" : json_string(c.ltv_reason));
}

std::string render_json(const Forecast& f) {
  std::string out = fmt::format(
      "{{\n  \"schema_version\": 1,\n  \"tool\": {{\"name\": \"cskpi\", \"version\": {}}},\n  \"input\": {},\n"
      "  \"model\": {},\n  \"assumptions\": {},\n  \"period\": {},\n  \"horizon\": {},\n"
      "  \"discount\": {{\"annual\": {}, \"period\": {}}},\n  \"gross_margin\": {},\n  \"cohorts\": [",
      json_string(f.version), json_string(f.input), json_string(f.model), json_string(sbg_assumptions()),
      json_string(f.period), f.horizon, num(f.annual_discount, 6), num(f.period_discount, 8),
      format_money_exact(f.gross_margin));
  for (std::size_t i = 0; i < f.cohorts.size(); ++i) out += (i ? ",\n    " : "\n    ") + json_cohort(f.cohorts[i]);
  out += fmt::format("\n  ],\n  \"pooled\": {}\n}}\n", json_cohort(f.pooled));
  return out;
}

std::string pct_cell(const std::optional<double>& v) { return v ? num(*v, 1) : std::string(); }

std::string summary_row(const ForecastCohort& c, const Forecast& f, bool markdown) {
  const bool fit = c.fit.fitted;
  const std::string name = title(c, f);
  if (markdown)
    return fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(name),
                       fit ? num(c.fit.alpha, 3) : "", fit ? num(c.fit.beta, 3) : "", c.derl ? num(*c.derl, 2) : "",
                       cents(c.arpa), cents(c.ltv), c.observed.empty() ? 0 : c.observed[0],
                       markdown_cell(fit ? (c.ltv ? "" : c.ltv_reason) : "not fitted: " + c.fit.reason));
  return fmt::format("{:<22} {:>8} {:>8} {:>7} {:>12} {:>12}  {}\n", name, fit ? num(c.fit.alpha, 3) : "-",
                     fit ? num(c.fit.beta, 3) : "-", c.derl ? num(*c.derl, 2) : "-", c.arpa ? cents(c.arpa) : "-",
                     c.ltv ? cents(c.ltv) : "-", fit ? (c.ltv ? "" : c.ltv_reason) : "not fitted: " + c.fit.reason);
}

std::string render_text(const Forecast& f, bool markdown) {
  std::string out;
  if (markdown)
    out = fmt::format("# cskpi forecast --model sbg: {}\n\n{}\n\n{}\n\n| Cohort | alpha | beta | DERL | ARPA | LTV | "
                      "Customers at age 0 | Note |\n|---|---|---|---|---|---|---|---|\n",
                      markdown_cell(f.input), markdown_cell(sbg_assumptions()), markdown_cell(settings_line(f)));
  else
    out =
        fmt::format("cskpi forecast --model sbg: {}\n{}{}\n{:<22} {:>8} {:>8} {:>7} {:>12} {:>12}\n", f.input,
                    wrap(sbg_assumptions()), wrap(settings_line(f)), "Cohort", "alpha", "beta", "DERL", "ARPA", "LTV");
  for (const ForecastCohort* c : every(f)) out += summary_row(*c, f, markdown);
  for (const ForecastCohort* c : every(f)) {
    if (!c->fit.fitted) continue;
    if (markdown)
      out += fmt::format("\n## {}: survival by age\n\n| Age | Customers | Observed % | Fitted % |\n|---|---|---|---|\n",
                         markdown_cell(title(*c, f)));
    else
      out += fmt::format("\n{}: survival by age\n{:>5} {:>10} {:>10} {:>10}\n", title(*c, f), "age", "customers",
                         "observed %", "fitted %");
    for (std::size_t a = 0; a < ages(*c); ++a) {
      const std::string customers = a < c->observed.size() ? fmt::format("{}", c->observed[a]) : "";
      if (markdown)
        out += fmt::format("| {} | {} | {} | {} |\n", a, customers, pct_cell(observed_pct(*c, a)),
                           pct_cell(fitted_pct(*c, a)));
      else
        out += fmt::format("{:>5} {:>10} {:>10} {:>10}\n", a, customers, pct_cell(observed_pct(*c, a)),
                           pct_cell(fitted_pct(*c, a)));
    }
  }
  return out;
}

std::string render_csv(const Forecast& f) {
  std::string out = "cohort,age,customers,observed_pct,fitted_pct,alpha,beta,derl,arpa,ltv,note\n";
  for (const ForecastCohort* c : every(f)) {
    const bool fit = c->fit.fitted;
    const std::string tail =
        fmt::format("{},{},{},{},{},{}", fit ? num(c->fit.alpha, 6) : "", fit ? num(c->fit.beta, 6) : "",
                    c->derl ? num(*c->derl, 6) : "", opt_money(c->arpa), opt_money(c->ltv),
                    csv_text_cell(fit ? (c->ltv ? "" : c->ltv_reason) : "not fitted: " + c->fit.reason));
    const std::string name = csv_text_cell(c == &f.pooled ? "all (pooled)" : c->cohort);
    for (std::size_t a = 0; a < std::max<std::size_t>(ages(*c), 1); ++a) {
      const std::optional<double> o = observed_pct(*c, a), p = fitted_pct(*c, a);
      out +=
          fmt::format("{},{},{},{},{},{}\n", name, a, a < c->observed.size() ? fmt::format("{}", c->observed[a]) : "",
                      o ? num(*o, 4) : "", p ? num(*p, 4) : "", tail);
    }
  }
  return out;
}

/// The page's code: one chart per fitted cohort, observed survival as dots, fitted as a dashed line.
constexpr std::string_view k_forecast_script = R"JS(
(function () {
  'use strict';
  const body = document.body;
  window.addEventListener('error', () => { body.dataset.errors = String(Number(body.dataset.errors || 0) + 1); });
  const data = JSON.parse(document.getElementById('cskpi-forecast').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(body).fontFamily;
  let drawn = 0;
  const canvases = document.querySelectorAll('canvas[data-cohort]');
  canvases.forEach(canvas => {
    const c = canvas.dataset.cohort === '' ? data.pooled : data.cohorts[Number(canvas.dataset.cohort)];
    const labels = c.fitted.map(p => p.age);
    const observed = labels.map(a => (c.observed[a] || { retention: null }).retention);
    new Chart(canvas, {
      type: 'line',
      data: { labels, datasets: [
        { label: 'observed', data: observed, showLine: false, pointRadius: 3, borderColor: '#1f6feb',
          backgroundColor: '#1f6feb' },
        { label: 'fitted (sBG)', data: c.fitted.map(p => p.retention), borderDash: [5, 4], pointRadius: 0,
          borderColor: '#eb5757', borderWidth: 2 }] },
      options: { plugins: { title: { display: true, text: canvas.dataset.title } },
        scales: { y: { min: 0, max: 100, title: { display: true, text: '% of the cohort still customers' } },
                  x: { title: { display: true, text: 'age (' + data.period + 's)' } } } }
    });
    ++drawn;
  });
  body.dataset.charts = drawn + '/' + canvases.length;
})();
)JS";

std::string render_page(const Forecast& f, std::string_view chart_js) {
  std::string out = fmt::format(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"cskpi {}\">\n"
      "<title>cskpi forecast · {}</title>\n<style>{}</style>\n<script>{}</script>\n</head>\n"
      "<body data-errors=\"0\">\n<h1>cskpi forecast · {}</h1>\n<p class=\"inputs\">{}</p>\n<p class=\"inputs\">{}</p>\n"
      "<section id=\"model\">\n<h2>The model per cohort</h2>\n<table>\n<tr><th>Cohort</th><th>alpha</th><th>beta</th>"
      "<th>DERL</th><th>ARPA</th><th>LTV</th><th>Note</th></tr>\n",
      html_escape(f.version), html_escape(f.input), html_style(), html_in_script(chart_js), html_escape(f.input),
      html_escape(sbg_assumptions()), html_escape(settings_line(f)));
  for (const ForecastCohort* c : every(f)) {
    const bool fit = c->fit.fitted;
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       html_escape(title(*c, f)), fit ? num(c->fit.alpha, 3) : "", fit ? num(c->fit.beta, 3) : "",
                       c->derl ? num(*c->derl, 2) : "", cents(c->arpa), cents(c->ltv),
                       html_escape(fit ? (c->ltv ? "" : c->ltv_reason) : "not fitted: " + c->fit.reason));
  }
  out += "</table>\n</section>\n<section id=\"curves\">\n<h2>Survival by age: observed and fitted</h2>\n"
         "<div class=\"charts\">\n";
  for (std::size_t i = 0; i <= f.cohorts.size(); ++i) {
    const ForecastCohort& c = i < f.cohorts.size() ? f.cohorts[i] : f.pooled;
    if (!c.fit.fitted) continue;
    out += fmt::format("<div class=\"chart\"><canvas data-cohort=\"{}\" data-title=\"{}\"></canvas></div>\n",
                       i < f.cohorts.size() ? fmt::format("{}", i) : "", html_escape(title(c, f)));
  }
  out += "</div>\n</section>\n<script type=\"application/json\" id=\"cskpi-forecast\">\n" +
      html_json_in_script(render_json(f)) + "</script>\n<script>" + std::string(k_forecast_script) +
      "</script>\n</body>\n</html>\n";
  return out;
}

} // namespace

std::string render_forecast(const Forecast& f, const std::string& format, std::string_view chart_js) {
  if (format == "json") return render_json(f);
  if (format == "csv") return render_csv(f);
  if (format == "markdown") return render_text(f, true);
  if (format == "html") return render_page(f, chart_js);
  return render_text(f, false);
}

} // namespace cskpi
