// SPDX-License-Identifier: MIT
// A command's options in parts (option_part): nameless option groups that help, parsing, config
// files and completion treat as the command itself.
#include "cli/common.hpp"

namespace cskpi::cli {

CLI::App& option_part(CLI::App& cmd) {
  CLI::App* part = cmd.add_option_group("");
  part->set_help_flag(); // the command's -h,--help serves
  return *part;
}

CLI::App& command_of(CLI::App& part) {
  CLI::App* cmd = &part;
  while (cmd->get_name().empty() && cmd->get_parent() != nullptr) cmd = cmd->get_parent();
  return *cmd;
}

namespace {

template <class App, class Option> std::vector<Option*> collect_options(App& cmd) {
  std::vector<Option*> all = cmd.get_options();
  for (App* part : cmd.get_subcommands([](const CLI::App* sub) { return sub->get_name().empty(); }))
    for (Option* opt : collect_options<App, Option>(*part)) all.push_back(opt);
  return all;
}

} // namespace

std::vector<CLI::Option*> options_of(CLI::App& cmd) { return collect_options<CLI::App, CLI::Option>(cmd); }

std::vector<const CLI::Option*> options_of(const CLI::App& cmd) {
  return collect_options<const CLI::App, const CLI::Option>(cmd);
}

const CLI::Option* long_option(const CLI::App& cmd, std::string_view name) {
  for (const CLI::Option* opt : options_of(cmd))
    for (const std::string& l : opt->get_lnames())
      if (l == name) return opt;
  return nullptr;
}

} // namespace cskpi::cli
