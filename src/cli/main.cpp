// SPDX-License-Identifier: MIT
// cskpi: retention KPIs from CSV exports. main lists every subcommand in one place.
#include "cli/commands.hpp"
#include "cli/common.hpp"

#include "core/error.hpp"

#include "platform/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

/// One command: how its options are set up and how it runs.
struct Command {
  std::string_view name;
  std::function<void()> setup;
  std::function<int()> run;
  bool needs_all = false; ///< it reads the other commands' options (config, completion)
};

/// The commands a run needs set up: nullopt for every one, else the one it names, or none
/// ("") for `cskpi --version`. Setting up every command's options is most of a small file's
/// run time (issue 13), and one command needs only its own; `config`, the completion helpers,
/// a configuration file (whose sections may name any command) and anything but a command's
/// exact name need every one.
std::optional<std::string_view> needed_commands(int argc, char** argv, const std::vector<Command>& commands) {
  if (argc < 2) return std::nullopt;
  const std::string_view first = argv[1];
  const auto named = std::find_if(commands.begin(), commands.end(), [&](const Command& c) { return c.name == first; });
  const bool version_only = argc == 2 && first == "--version";
  if (!version_only && (named == commands.end() || named->needs_all)) return std::nullopt;
  for (int i = 2; i < argc; ++i)
    if (std::string_view(argv[i]).starts_with("--config")) return std::nullopt;
  if (cskpi::platform::may_exist("cskpi.toml")) return std::nullopt;
  return version_only ? std::string_view() : named->name;
}

/// A command's options, made on first use (main).
template <class Options> class Lazy {
public:
  Options& operator*() {
    if (!m_options) m_options = std::make_unique<Options>();
    return *m_options;
  }

private:
  std::unique_ptr<Options> m_options;
};

} // namespace

int main(int argc, char** argv) {
  using namespace cskpi::cli;
  std::signal(SIGPIPE, SIG_IGN); // a closed pipe surfaces as EPIPE and exits 0
  set_stderr_color("auto");

  // The parser lives as long as the process: the kernel takes its memory back whole at exit,
  // where freeing its options one by one was 3 % of a 100-row report's instructions. Held by a
  // static, it stays reachable for leak checkers.
  static CLI::App& app = *new CLI::App(
      "cskpi: retention KPIs (NRR, GRR, churn, LTV, NPS, ...) from CSV exports, rated against benchmarks", "cskpi");
  app.set_version_flag("--version", std::string("cskpi ") + CSKPI_VERSION);
  app.formatter(std::make_shared<WrappingFormatter>()); // before the subcommands: they take it over
  app.require_subcommand(1);
  // Option defaults from a TOML file: sections name the commands ([report], [check], ...), keys
  // the long options without "--". CLI11 reads it; the command line wins over it.
  app.fallthrough(); // --config may follow the command; the subcommands inherit this
  app.allow_config_extras(CLI::config_extras_mode::error); // a misspelt key is an error, not ignored
  app.set_config("--config", "cskpi.toml",
                 "Read option defaults from this TOML file (default: ./cskpi.toml when there is one); the command "
                 "line wins. 'cskpi config' shows what it sets")
      ->type_name(k_file);
  app.footer(R"(Examples:
  cskpi report samples/month_end_2026-10.csv
  cskpi report samples/month_end_2026-10.csv --by segment --format json | jq .
  cskpi check samples/month_end_2026-10.csv --require 'nrr>=100' --require 'grr@annual>=90'
  cskpi validate samples/broken_export.csv
  cskpi explain nrr

Exit codes: 0 ok, 1 a check failed, 2 usage error, 3 input error, 4 internal error.
Run 'cskpi COMMAND --help' for a command's options.)");

  // Each command's options are made when it is set up: a run sets up one command, and twelve
  // option structs side by side made main's frame 11 KiB of stack to fault in.
  Lazy<RunOptions> report_opts, validate_opts;
  Lazy<MovementsOptions> movements_opts;
  Lazy<CohortsOptions> cohorts_opts;
  Lazy<ForecastOptions> forecast_opts;
  Lazy<CheckOptions> check_opts;
  Lazy<BandsOptions> bands_opts;
  Lazy<ExplainOptions> explain_opts;
  Lazy<ConfigOptions> config_opts;
  Lazy<CompletionOptions> completion_opts;
  Lazy<SqlCommandOptions> sql_opts;
  Lazy<HealthOptions> health_opts;
  const std::vector<Command> commands = {
      {"report", [&] { setup_report(app, *report_opts); }, [&] { return run_report(*report_opts); }},
      {"check", [&] { setup_check(app, *check_opts); }, [&] { return run_check(*check_opts); }},
      {"validate", [&] { setup_validate(app, *validate_opts); }, [&] { return run_validate(*validate_opts); }},
      {"movements", [&] { setup_movements(app, *movements_opts); }, [&] { return run_movements(*movements_opts); }},
      {"cohorts", [&] { setup_cohorts(app, *cohorts_opts); }, [&] { return run_cohorts(*cohorts_opts); }},
      {"forecast", [&] { setup_forecast(app, *forecast_opts); }, [&] { return run_forecast(*forecast_opts); }},
      {"health", [&] { setup_health(app, *health_opts); }, [&] { return run_health(*health_opts); }},
      {"bands", [&] { setup_bands(app, *bands_opts); }, [&] { return run_bands(*bands_opts); }},
      {"sql", [&] { setup_sql(app, *sql_opts); }, [&] { return run_sql(*sql_opts); }},
      {"explain", [&] { setup_explain(app, *explain_opts); }, [&] { return run_explain(*explain_opts); }},
      {"config", [&] { setup_config(app, *config_opts); }, [&] { return run_config(app, *config_opts); }, true},
      {"completion", [&] { setup_completion(app, *completion_opts); }, [&] { return run_completion(*completion_opts); },
       true}};
  const std::optional<std::string_view> only = needed_commands(argc, argv, commands);
  for (const Command& c : commands)
    if (!only || *only == c.name) c.setup();
  keep_outputs_off_config(app);
  if (std::find(argv + 1, argv + argc, std::string_view("config")) != argv + argc)
    remember_defaults(app, *config_opts); // every command's defaults, for cskpi config alone

  // The completion scripts ask "cskpi __complete WORD..." for candidates, one per line.
  if (argc > 1 && std::string_view(argv[1]) == "__complete") {
    for (const std::string& c : complete(app, std::vector<std::string>(argv + 2, argv + argc))) std::puts(c.c_str());
    return 0;
  }

  // A misspelt command: "cskpi reprot" suggests report.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string_view word = argv[1];
    std::string best, all;
    std::size_t best_d = 3;
    for (const CLI::App* sub : app.get_subcommands({})) {
      const std::string& name = sub->get_name();
      all += (all.empty() ? "" : ", ") + name;
      if (name == word) {
        best.clear();
        best_d = 0;
        break;
      }
      if (const std::size_t d = cskpi::edit_distance(word, name); d < best_d) best_d = d, best = name;
    }
    if (best_d != 0) {
      print_problem(fmt::format("unknown command \"{}\"{}\nThe commands: {}. Run 'cskpi --help' for more.", word,
                                best.empty() ? "" : fmt::format("; did you mean {}?", best), all));
      return static_cast<int>(cskpi::ExitCode::usage);
    }
  }
  try {
    app.parse(argc, argv);
    refuse_negative_counts(app);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e); // --help, --version
    if (const auto* config = dynamic_cast<const CLI::ConfigError*>(&e)) {
      print_problem(config_error_message(app, *config));
      return static_cast<int>(cskpi::ExitCode::usage);
    }
    print_problem(fmt::format("{}\nRun 'cskpi --help' or 'cskpi COMMAND --help' for the options.", e.what()));
    return static_cast<int>(cskpi::ExitCode::usage);
  }

  // CLI11 2.1 stores a flag set by the configuration file without running its callback, so
  // the bound variable would keep its default: run what is still pending.
  for (CLI::App* command : app.get_subcommands({}))
    for (CLI::Option* opt : options_of(*command))
      if (opt->count() > 0 && !opt->get_callback_run()) opt->run_callback();
  for (const CLI::App* command : app.get_subcommands())
    if (const CLI::Option* color = long_option(*command, "color"); color != nullptr && color->count() > 0)
      set_stderr_color(color->as<std::string>());
  try {
    for (const CLI::App* command : app.get_subcommands()) refuse_output_over_input(*command);
    const std::string& name = app.get_subcommands().front()->get_name(); // exactly one: require_subcommand(1)
    for (const Command& c : commands)
      if (c.name == name) return c.run();
  } catch (const cskpi::Error& e) {
    std::fflush(stdout);
    print_problem(e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    print_problem("out of memory");
    return static_cast<int>(cskpi::ExitCode::internal);
  } catch (const std::exception& e) {
    fmt::print(stderr, "cskpi: internal error: {}\n", e.what());
    return static_cast<int>(cskpi::ExitCode::internal);
  }
  return static_cast<int>(cskpi::ExitCode::usage);
}
