// SPDX-License-Identifier: MIT
// Shell completion (issue 15). The scripts for bash, zsh and fish are thin: each asks
// `cskpi __complete WORD...` for the candidates of the last word, so subcommands, options,
// choices (formats, presets, ...) and metric ids come from the same CLI11 app and metric
// table as --help and can never drift from them.
#include "cli/commands.hpp"
#include "cli/common.hpp"

#include "core/error.hpp"
#include "metrics/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cskpi::cli {

void setup_completion(CLI::App& app, CompletionOptions& o) {
  CLI::App* cmd = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
  cmd->add_option("shell", o.shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}))
      ->type_name("SHELL");
  cmd->footer(R"(Examples:
  source <(cskpi completion bash)                     # this shell only
  cskpi completion bash > ~/.local/share/bash-completion/completions/cskpi
  cskpi completion zsh > ~/.zfunc/_cskpi              # with fpath+=(~/.zfunc) before compinit
  cskpi completion fish > ~/.config/fish/completions/cskpi.fish

'cmake --install' and the .deb install all three where the shells look for them.)");
}

namespace {

/// The candidates that tell the script to complete file names instead.
constexpr std::string_view k_files = ":files";

/// The choices of an option checked by CLI::IsMember: its type name reads "WHEN:{a,b,c}".
std::vector<std::string> choices(const CLI::Option& opt) {
  const std::string type = opt.get_type_name();
  const std::size_t open = type.find('{'), close = type.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string item;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (type[i] == ',' || i == close) {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else item.push_back(type[i]);
  }
  return out;
}

bool takes_file(const CLI::Option& opt) { return opt.get_type_name().find(k_file) != std::string::npos; }

/// The options of `cmd` (long names, then short) and the top level's.
std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const CLI::App* a = &cmd; a != nullptr; a = a->get_parent())
    for (const CLI::Option* opt : options_of(*a)) {
      for (const std::string& l : opt->get_lnames()) out.push_back("--" + l);
      for (const std::string& s : opt->get_snames()) out.push_back("-" + s);
    }
  return out;
}

/// The option `word` names in `cmd` or above it (fallthrough), or nullptr.
const CLI::Option* find_option(const CLI::App& cmd, const std::string& word) {
  if (word.size() < 2 || word[0] != '-') return nullptr;
  for (const CLI::App* a = &cmd; a != nullptr; a = a->get_parent())
    if (const CLI::Option* opt = a->get_option_no_throw(word)) return opt;
  return nullptr;
}

std::vector<std::string> metric_ids() {
  std::vector<std::string> out;
  for (const MetricDef& d : metric_table()) out.emplace_back(d.id);
  return out;
}

/// The values `opt` takes, completing `cur` ("nrr,g" completes the last item of a list).
std::vector<std::string> values(const CLI::App& cmd, const CLI::Option& opt, const std::string& cur) {
  const std::string& name = opt.get_lnames().empty() ? opt.get_name() : opt.get_lnames().front();
  if (name == "metrics" || (cmd.get_name() == "explain" && name == "metric")) {
    std::vector<std::string> ids = metric_ids();
    if (name == "metric")
      for (const char* topic : {"list", "inputs", "definitions", "fx"}) ids.emplace_back(topic);
    const std::size_t comma = name == "metrics" ? cur.rfind(',') : std::string::npos;
    const std::string head = comma == std::string::npos ? "" : cur.substr(0, comma + 1);
    for (std::string& id : ids) id = head + id;
    return ids;
  }
  if (std::vector<std::string> c = choices(opt); !c.empty()) return c;
  if (takes_file(opt) || opt.get_positional()) return {std::string(k_files)};
  return {};
}

} // namespace

std::vector<std::string> complete(const CLI::App& app, const std::vector<std::string>& words) {
  const std::string cur = words.empty() ? "" : words.back();
  const CLI::App* cmd = &app;
  const CLI::Option* pending = nullptr; // the option the word before `cur` named, awaiting a value
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (pending != nullptr) {
      pending = nullptr;
      continue;
    }
    if (const CLI::Option* opt = find_option(*cmd, w)) {
      if (opt->get_type_size_max() > 0 && w.find('=') == std::string::npos) pending = opt;
      continue;
    }
    if (cmd == &app)
      for (const CLI::App* sub : app.get_subcommands({}))
        if (sub->get_name() == w) cmd = sub;
  }
  std::vector<std::string> out;
  const std::size_t eq = cur.find('=');
  if (const CLI::Option* opt = eq == std::string::npos ? nullptr : find_option(*cmd, cur.substr(0, eq));
      opt != nullptr) {
    // "--format=j" (zsh and fish pass it whole): the values, each after "--format=".
    for (const std::string& v : values(*cmd, *opt, cur.substr(eq + 1)))
      if (v != k_files) out.push_back(cur.substr(0, eq + 1) + v);
  } else if (pending != nullptr) out = values(*cmd, *pending, cur);
  else if (!cur.empty() && cur[0] == '-') out = option_names(*cmd);
  else if (cmd == &app)
    for (const CLI::App* sub : app.get_subcommands({})) out.push_back(sub->get_name());
  else {
    const std::vector<const CLI::Option*> positionals =
        cmd->get_options([](const CLI::Option* o) { return o->get_positional(); });
    if (!positionals.empty()) out = values(*cmd, *positionals.front(), cur);
  }
  if (!out.empty() && out.front() == k_files) return out;
  std::erase_if(out, [&](const std::string& c) { return !c.starts_with(cur); });
  return out;
}

std::string completion_script(const std::string& shell) {
  if (shell == "bash")
    return R"(# bash completion for cskpi: the candidates come from 'cskpi __complete'
_cskpi() {
  local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n'
  local -a out
  out=($(cskpi __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  if [[ ${out[0]} == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=("${out[@]}")
  fi
}
complete -F _cskpi cskpi
)";
  if (shell == "zsh")
    return R"(#compdef cskpi
# zsh completion for cskpi: the candidates come from 'cskpi __complete'
_cskpi() {
  local -a out
  out=("${(@f)$(cskpi __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ ${out[1]} == ":files" ]]; then
    _files
  else
    compadd -Q -- "${(@)out:#}"
  fi
}
compdef _cskpi cskpi
)";
  return R"(# fish completion for cskpi: the candidates come from 'cskpi __complete'
function __cskpi_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out (cskpi __complete $words[2..-1] 2>/dev/null)
    if test "$out[1]" = ":files"
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $out
    end
end
complete -c cskpi -f -a '(__cskpi_complete)'
)";
}

int run_completion(const CompletionOptions& o) {
  write_output("", completion_script(o.shell));
  return static_cast<int>(ExitCode::ok);
}

} // namespace cskpi::cli
