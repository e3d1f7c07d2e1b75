// SPDX-License-Identifier: MIT
// cskpi config: what the configuration file sets, as TOML that reads back (issue 15).
// CLI11 reads the file (App::set_config in main); this only shows what it set.
#include "cli/commands.hpp"
#include "cli/common.hpp"

#include "core/error.hpp"
#include "metrics/metrics.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

namespace cskpi::cli {

void setup_config(CLI::App& app, ConfigOptions& o) {
  CLI::App* cmd = app.add_subcommand("config", "Show the option defaults the configuration file sets, per command");
  cmd->add_option("command", o.command, "Show only this command's section")->type_name("COMMAND");
  cmd->add_flag("--all", o.all,
                "Every option with its effective value: the file's, or the built-in default as a comment");
  cmd->footer(R"(Examples:
  cskpi config
  cskpi config report
  cskpi config --all report     # every option of report and where its value comes from
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
command is an error, and so is one that names a file to write (output, dbt): where a report
goes is chosen on the command line only (-o FILE).)");
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

void keep_outputs_off_config(CLI::App& app) {
  for (CLI::App* cmd : app.get_subcommands({}))
    for (CLI::Option* opt : options_of(*cmd))
      for (const std::string& name : opt->get_lnames())
        if (name == "output" || name == "dbt") opt->configurable(false);
}

namespace {

/// `s` without the spaces around it and, for a key or section name, its quotes.
std::string trimmed(std::string_view s, bool unquote = false) {
  const std::size_t first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const std::size_t last = s.find_last_not_of(" \t\r");
  std::string out(s.substr(first, last - first + 1));
  if (unquote && out.size() >= 2 && (out.front() == '"' || out.front() == '\'') && out.back() == out.front())
    out = out.substr(1, out.size() - 2);
  return out;
}

/// The line of `file` that sets `key` in [section] (or as section.key), 0 if none is found.
std::size_t line_of_key(const std::string& file, const std::string& section, const std::string& key) {
  std::ifstream in(file, std::ios::binary);
  std::string line, current;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    const std::string text = trimmed(line);
    if (text.starts_with('[')) {
      current = trimmed(std::string_view(text).substr(1, text.find(']') - 1), true);
      continue;
    }
    const std::size_t eq = text.find('=');
    if (text.starts_with('#') || eq == std::string::npos) continue;
    const std::string name = trimmed(std::string_view(text).substr(0, eq), true);
    if ((current == section && name == key) || name == section + "." + key) return n;
  }
  return 0;
}

/// "report.output: This option is not allowed in a configuration file" as a refusal that
/// names the file, line and key, and says where the option belongs.
std::string output_key_message(const std::string& file, const std::string& item) {
  const std::size_t dot = item.find('.');
  const std::string section = dot == std::string::npos ? std::string() : item.substr(0, dot);
  const std::string key = dot == std::string::npos ? item : item.substr(dot + 1);
  const std::size_t line = line_of_key(file, section, key);
  const bool dir = key == "dbt";
  return fmt::format("{}{}: \"{}\"{} names a {} to write, and a configuration file never chooses where anything is "
                     "written: remove it, and pass {} on the command line",
                     file, line > 0 ? fmt::format(":{}", line) : "", key,
                     section.empty() ? "" : fmt::format(" in [{}]", section), dir ? "directory" : "file",
                     dir ? "--dbt DIR" : "-o FILE");
}

} // namespace

std::string config_error_message(const CLI::App& app, const CLI::ConfigError& e) {
  const CLI::Option* given = app.get_option("--config");
  const std::string file = given->count() > 0 ? given->as<std::string>() : std::string("cskpi.toml");
  const std::string what = e.what();
  constexpr std::string_view not_configurable = ": This option is not allowed in a configuration file";
  if (what.ends_with(not_configurable))
    return output_key_message(file, what.substr(0, what.size() - not_configurable.size()));
  constexpr std::string_view prefix = "INI was not able to parse ";
  if (!what.starts_with(prefix)) return fmt::format("{}: {}", file, what);
  const std::string item = what.substr(prefix.size());
  const std::size_t dot = item.find('.');
  if (item.find_first_of("[]= ") != std::string::npos)
    return fmt::format("{}: cannot read \"{}\": a line is [COMMAND] or KEY = VALUE", file, item);
  if (dot == std::string::npos)
    return fmt::format("{}: \"{}\" is not in a command's section: put it under [report], [check], ... "
                       "('cskpi config --help' shows the format)",
                       file, item);
  const std::string section = item.substr(0, dot), key = item.substr(dot + 1);
  const CLI::App* cmd = nullptr;
  for (const CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() == section) cmd = sub;
  if (cmd == nullptr) return fmt::format("{}: [{}] is not a command", file, section);
  std::string best;
  std::size_t best_d = key.size() < 5 ? 2 : 3;
  for (const CLI::Option* opt : options_of(*cmd))
    for (const std::string& name : opt->get_lnames())
      if (const std::size_t d = edit_distance(key, name); d < best_d) best_d = d, best = name;
  return fmt::format("{}: \"{}\" in [{}] is not an option of cskpi {}{} (keys are long options without \"--\")", file,
                     key, section, section, best.empty() ? "" : fmt::format("; did you mean {}?", best));
}

void remember_defaults(const CLI::App& app, ConfigOptions& o) {
  for (const CLI::App* cmd : app.get_subcommands({}))
    for (const CLI::Option* opt : options_of(*cmd)) {
      auto* mutable_opt = const_cast<CLI::Option*>(opt); // capture_default_str is how CLI11 reads a bound default
      const std::string shown = opt->get_default_str();
      mutable_opt->capture_default_str();
      std::string def = opt->get_default_str();
      mutable_opt->default_str(shown); // --help stays as it was
      if (def == "[]") def.clear();    // an empty list
      // A default the option itself would refuse stands for "decided at run time" (--threads 0:
      // every core): not a value to write into a file.
      try {
        for (int i = 0; !def.empty(); ++i) {
          const CLI::Validator& check = *mutable_opt->get_validator(i); // throws past the last one
          std::string value = def;
          if (!check(value).empty()) def.clear();
        }
      } catch (const CLI::OptionNotFound&) {}
      o.defaults[opt] = def;
    }
}

namespace {

/// An option's values as TOML: one value bare or quoted, several as an array.
std::string toml_of(const CLI::Option& opt, const std::vector<std::string>& values) {
  if (values.size() == 1 && opt.get_items_expected_max() <= 1) return toml_value(values.front());
  std::vector<std::string> items;
  for (const std::string& v : values) items.push_back(toml_value(v));
  return fmt::format("[{}]", fmt::join(items, ", "));
}

} // namespace

int run_config(const CLI::App& app, const ConfigOptions& o) {
  const CLI::Option* file = app.get_option("--config");
  const std::string source = file->count() > 0 ? file->as<std::string>() : std::string();
  if (source.empty() && !o.all) {
    write_output("",
                 "# no configuration file: ./cskpi.toml does not exist and --config names none, so every option has "
                 "its built-in default ('cskpi config --help' shows the format)\n");
    return static_cast<int>(ExitCode::ok);
  }
  std::string out = source.empty() ? "# no configuration file: every option has its built-in default\n"
                                   : fmt::format("# {}: option defaults (the command line wins over them)\n", source);
  bool known = o.command.empty();
  for (const CLI::App* cmd : app.get_subcommands({})) {
    if (cmd->get_name() == "config" || cmd->get_name() == "completion") continue;
    if (!o.command.empty() && cmd->get_name() != o.command) continue;
    known = true;
    std::vector<std::pair<std::string, std::string>> lines; // the line, its comment
    for (const CLI::Option* opt : options_of(*cmd)) {
      if (!opt->get_configurable() || opt->get_lnames().empty()) continue;
      const std::string& key = opt->get_lnames().front();
      if (opt->count() > 0)
        lines.emplace_back(fmt::format("{} = {}", key, toml_of(*opt, opt->results())), o.all ? source : "");
      else if (o.all) {
        const auto d = o.defaults.find(opt);
        const std::string def = d == o.defaults.end() ? std::string() : d->second;
        if (!def.empty()) lines.emplace_back(fmt::format("# {} = {}", key, toml_of(*opt, {def})), "built in");
        else if (opt->get_expected_min() == 0) lines.emplace_back(fmt::format("# {} = false", key), "built in");
        else lines.emplace_back(fmt::format("# {}", key), "not set");
      }
    }
    if (lines.empty()) continue;
    std::size_t width = 0;
    for (const auto& [line, comment] : lines) width = std::max(width, line.size());
    out += fmt::format("\n[{}]\n", cmd->get_name());
    for (const auto& [line, comment] : lines)
      out += comment.empty() ? line + "\n" : fmt::format("{:<{}}  # {}\n", line, width, comment);
  }
  if (!known) throw usage_error(fmt::format("\"{}\" is not a command", o.command));
  write_output("", out);
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
