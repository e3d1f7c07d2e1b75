// SPDX-License-Identifier: MIT
// cskpi config: what the configuration file sets, as TOML that reads back (issue 15).
// CLI11 reads the file (App::set_config in main); this only shows what it set.
#include "commands.hpp"
#include "common.hpp"

#include "cskpi/error.hpp"
#include "cskpi/metrics.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace cskpi::cli {

void setup_config(CLI::App& app, ConfigOptions& o) {
  CLI::App* cmd = app.add_subcommand("config", "Show the option defaults the configuration file sets, per command");
  cmd->add_option("command", o.command, "Show only this command's section")->type_name("COMMAND");
  cmd->footer(R"(Examples:
  cskpi config
  cskpi config report
  cskpi --config finance.toml config

cskpi reads ./cskpi.toml when there is one, or the file --config names (before or after the
command). Each section is a command; its keys are the command's long options without "--":

  [report]
  by = "segment"
  gross-margin = "80%"
  metrics = ["nrr", "grr", "logo_churn"]

  [check]
  gross-margin = "80%"
  require = ["nrr>=100", "grr@annual>=90"]

An option given on the command line wins over the file. A key that is not an option of its
command is an error.)");
}

namespace {

/// A value as TOML: numbers and booleans bare, anything else a quoted string.
std::string toml_value(const std::string& v) {
  if (v == "true" || v == "false") return v;
  char* end = nullptr;
  if (!v.empty() && v.find_first_not_of("0123456789.-+") == std::string::npos) {
    (void)std::strtod(v.c_str(), &end);
    if (end == v.c_str() + v.size()) return v;
  }
  return json_string(v); // TOML basic strings escape as JSON does
}

} // namespace

std::string config_error_message(const CLI::App& app, const CLI::ConfigError& e) {
  const CLI::Option* given = app.get_option("--config");
  const std::string file = given->count() > 0 ? given->as<std::string>() : std::string("cskpi.toml");
  const std::string what = e.what();
  constexpr std::string_view prefix = "INI was not able to parse ";
  if (!what.starts_with(prefix)) return fmt::format("{}: {}", file, what);
  const std::string item = what.substr(prefix.size());
  const std::size_t dot = item.find('.');
  if (item.find_first_of("[]= ") != std::string::npos)
    return fmt::format("{}: cannot read \"{}\": a line is [COMMAND] or KEY = VALUE", file, item);
  if (dot == std::string::npos)
    return fmt::format("{}: \"{}\" is not in a command's section: put it under [report], [check], ... "
                       "('cskpi config --help' shows the format)", file, item);
  const std::string section = item.substr(0, dot), key = item.substr(dot + 1);
  const CLI::App* cmd = nullptr;
  for (const CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() == section) cmd = sub;
  if (cmd == nullptr) return fmt::format("{}: [{}] is not a command", file, section);
  std::string best;
  std::size_t best_d = key.size() < 5 ? 2 : 3;
  for (const CLI::Option* opt : cmd->get_options())
    for (const std::string& name : opt->get_lnames())
      if (const std::size_t d = edit_distance(key, name); d < best_d) best_d = d, best = name;
  return fmt::format("{}: \"{}\" in [{}] is not an option of cskpi {}{} (keys are long options without \"--\")", file,
                     key, section, section, best.empty() ? "" : fmt::format("; did you mean {}?", best));
}

int run_config(const CLI::App& app, const ConfigOptions& o) {
  const CLI::Option* file = app.get_option("--config");
  if (file->count() == 0) {
    write_output("", "# no configuration file: ./cskpi.toml does not exist and --config names none, so every option has "
                     "its built-in default ('cskpi config --help' shows the format)\n");
    return static_cast<int>(ExitCode::ok);
  }
  std::string out = fmt::format("# {}: option defaults (the command line wins over them)\n", file->as<std::string>());
  bool known = o.command.empty();
  for (const CLI::App* cmd : app.get_subcommands({})) {
    if (cmd->get_name() == "config") continue;
    if (!o.command.empty() && cmd->get_name() != o.command) continue;
    known = true;
    std::string section;
    for (const CLI::Option* opt : cmd->get_options()) {
      if (opt->count() == 0 || !opt->get_configurable() || opt->get_lnames().empty()) continue;
      const std::vector<std::string> values = opt->results();
      std::string value;
      if (values.size() == 1 && opt->get_items_expected_max() <= 1) value = toml_value(values.front());
      else {
        std::vector<std::string> items;
        for (const std::string& v : values) items.push_back(toml_value(v));
        value = fmt::format("[{}]", fmt::join(items, ", "));
      }
      section += fmt::format("{} = {}\n", opt->get_lnames().front(), value);
    }
    if (!section.empty()) out += fmt::format("\n[{}]\n{}", cmd->get_name(), section);
  }
  if (!known) throw usage_error(fmt::format("\"{}\" is not a command", o.command));
  write_output("", out);
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
