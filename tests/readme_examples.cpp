// SPDX-License-Identifier: MIT
// Runs every example of one markdown file (README.md, CONTRIBUTING.md, docs/*.md) and compares
// its output exactly, so the documentation cannot drift from the program. An example is a
// ```console block: lines starting with "$ " are commands (run by sh in the project root with
// the built cskpi first on PATH, stderr merged into stdout as a terminal shows it); the lines
// up to the next command or the end of the block are the expected output. tests/CMakeLists.txt
// registers one test per file that holds a ```console block (readme.README, readme.docs_inputs,
// ...); a file whose blocks hold no command fails, so no test can pass without running one.
//
// Usage: readme_examples FILE.md PROJECT_ROOT BIN_DIR
// With CSKPI_UPDATE_GOLDEN=1 it rewrites the outputs in FILE.md instead of comparing.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

std::string run(const std::string& command, const std::string& root, const std::string& bin) {
  const std::string full = "cd " + shell_quote(root) + " && PATH=" + shell_quote(bin) +
      ":\"$PATH\" NO_COLOR= TERM=dumb COLUMNS= sh -c " + shell_quote(command) + " 2>&1";
  FILE* p = ::popen(full.c_str(), "r");
  if (p == nullptr) return "<popen failed>";
  std::string out;
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: readme_examples FILE.md PROJECT_ROOT BIN_DIR\n";
    return 2;
  }
  const char* update_env = std::getenv("CSKPI_UPDATE_GOLDEN");
  const bool update = update_env != nullptr && std::string(update_env) == "1";
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << argv[1] << ": cannot be read\n";
    return 1;
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  std::vector<std::string> out_lines;
  int examples = 0, failures = 0;
  bool in_block = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    out_lines.push_back(line);
    if (!in_block) {
      in_block = line == "```console";
      continue;
    }
    if (line == "```") {
      in_block = false;
      continue;
    }
    if (line.rfind("$ ", 0) != 0) continue;
    // Collect the expected output up to the next command or the end of the block.
    std::string expected;
    std::size_t j = i + 1;
    for (; j < lines.size() && lines[j] != "```" && lines[j].rfind("$ ", 0) != 0; ++j) expected += lines[j] + "\n";
    const std::string actual = run(line.substr(2), argv[2], argv[3]);
    ++examples;
    if (update) {
      std::istringstream s(actual);
      for (std::string l; std::getline(s, l);) out_lines.push_back(l);
    } else if (actual != expected) {
      ++failures;
      std::cerr << argv[1] << ": example differs: " << line << "\n--- expected\n"
                << expected << "--- actual\n"
                << actual << "---\n";
    }
    i = j - 1; // the old output lines are replaced (update) or already compared
  }
  if (update) {
    std::ofstream out(argv[1], std::ios::trunc);
    for (const std::string& l : out_lines) out << l << "\n";
    std::cout << argv[1] << ": updated " << examples << " examples\n";
    return 0;
  }
  std::cout << argv[1] << ": " << examples << " examples, " << (examples - failures) << " matched, " << failures
            << " differed\n";
  return failures == 0 && examples > 0 ? 0 : 1;
}
