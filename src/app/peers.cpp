// SPDX-License-Identifier: MIT
#include "app/peers.hpp"

#include "core/error.hpp"
#include "core/money.hpp"
#include "metrics/metrics.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cskpi::app {

namespace {

[[noreturn]] void bad_choice(const std::string& text, const std::string& why) {
  throw usage_error(fmt::format("--peers \"{}\": {}; use --peers arpa, acv or arr to take the value from the report "
                                "(ARPA = ending MRR / ending customers, ACV = 12 x ARPA, ARR = 12 x ending MRR), or "
                                "give it in USD: --peers arpa=450, --peers acv=12000, --peers arr=2.4M",
                                text, why));
}

} // namespace

PeerChoice parse_peer_choice(const std::string& text) {
  const std::size_t eq = text.find('=');
  std::string dim = text.substr(0, eq);
  for (char& c : dim) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!dim.empty() && dim.back() == ' ') dim.pop_back();
  while (!dim.empty() && dim.front() == ' ') dim.erase(0, 1);
  PeerChoice choice;
  const std::optional<PeerDimension> d = parse_peer_dimension(dim);
  if (!d) bad_choice(text, dim.empty() ? "no dimension" : fmt::format("\"{}\" is not arpa, acv or arr", dim));
  choice.dimension = *d;
  if (eq == std::string::npos) return choice;
  std::string number = text.substr(eq + 1);
  double scale = 1;
  if (!number.empty() && (number.back() == 'k' || number.back() == 'K')) scale = 1e3;
  if (!number.empty() && (number.back() == 'm' || number.back() == 'M')) scale = 1e6;
  if (scale != 1) number.pop_back();
  const ParsedMoney p = parse_money(number, DecimalStyle::point);
  if (number.empty() || p.status != ParsedMoney::Status::ok || p.value.micros < 0)
    bad_choice(text, fmt::format("\"{}\" is not a non-negative amount", text.substr(eq + 1)));
  choice.value = scale * static_cast<double>(p.value.micros) / static_cast<double>(Money::k_scale);
  return choice;
}

PeerTable load_peer_bands(const std::string& path) {
  PeerTable table = PeerTable::builtin();
  if (path.empty()) return table;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open peer bands file: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  table.override_from_csv(text.str(), path, [](std::string_view id) { return find_metric(id) != nullptr; });
  return table;
}

} // namespace cskpi::app
