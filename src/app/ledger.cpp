// SPDX-License-Identifier: MIT
#include "app/ledger.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <tuple>

namespace cskpi::app {

namespace {

std::uint64_t bits(Money m) { return static_cast<std::uint64_t>(m.micros); }

/// FNV-1a over the sums' bytes, little-endian: the same on every machine.
std::uint64_t fnv1a(std::initializer_list<std::uint64_t> words) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::uint64_t w : words)
    for (int i = 0; i < 8; ++i) {
      h ^= (w >> (8 * i)) & 0xFF;
      h *= 0x100000001b3ULL;
    }
  return h;
}

} // namespace

void LedgerSink::add(const MovementRow& row) {
  std::string key;
  key.reserve(row.period.size() + row.group.size() + row.customer_id.size() + 2);
  key.append(row.period).append(1, '\x1f').append(row.group).append(1, '\x1f').append(row.customer_id);
  Sums& s = m_sums[key];
  s.start += bits(row.start);
  s.new_mrr += bits(row.new_mrr);
  s.reactivation += bits(row.reactivation);
  s.expansion += bits(row.expansion);
  s.contraction += bits(row.contraction);
  s.churned += bits(row.churned);
  m_next->add(row);
}

std::unique_ptr<RowSink> LedgerSink::fork() const {
  std::unique_ptr<RowSink> part = m_next->fork();
  if (!part) return nullptr;
  auto mine = std::make_unique<LedgerSink>(*part, m_grouped);
  mine->m_owned = std::move(part);
  return mine;
}

bool LedgerSink::merge(RowSink& part) {
  auto& other = dynamic_cast<LedgerSink&>(part);
  if (!m_next->merge(*other.m_owned)) return false; // nothing merged: the caller adds the rows again
  for (const auto& [key, s] : other.m_sums) {
    Sums& t = m_sums[key];
    t.start += s.start;
    t.new_mrr += s.new_mrr;
    t.reactivation += s.reactivation;
    t.expansion += s.expansion;
    t.contraction += s.contraction;
    t.churned += s.churned;
  }
  return true;
}

CustomerLedger LedgerSink::ledger() const {
  CustomerLedger out;
  out.reserve(m_sums.size());
  for (const auto& [key, s] : m_sums) {
    const std::size_t a = key.find('\x1f'), b = key.find('\x1f', a + 1);
    LedgerEntry e;
    e.period = key.substr(0, a);
    e.group = key.substr(a + 1, b - a - 1);
    if (m_grouped && e.group.empty()) e.group = "(blank)";
    e.customer = key.substr(b + 1);
    e.hash = fnv1a({s.start, s.new_mrr, s.reactivation, s.expansion, s.contraction, s.churned});
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const LedgerEntry& x, const LedgerEntry& y) {
    return std::tie(x.period, x.customer, x.group) < std::tie(y.period, y.customer, y.group);
  });
  return out;
}

Baseline read_baseline(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw input_error(fmt::format("{}: a directory, not a baseline", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(fmt::format("{}: cannot open the baseline", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw input_error(fmt::format("{}: cannot read the baseline", path));
  return parse_baseline(text.str(), path);
}

} // namespace cskpi::app
