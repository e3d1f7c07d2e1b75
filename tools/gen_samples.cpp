// SPDX-License-Identifier: MIT
// Deterministic generator for cskpi's bundled samples and for large benchmark exports.
//
//   gen_samples DIR                        writes the samples of samples/ into DIR (DIR/joined and DIR/stripe must exist;
//                                          DIR/killbill is made)
//   gen_samples --rows N [--seed S] [--periods P]
//                                          writes a movements CSV with N rows to stdout
//   gen_samples --snapshots N [--months M] writes a long snapshots CSV (N customers) to stdout
//
// Output is byte-identical for the same arguments on every machine: a splitmix64 generator
// drives everything, and money is printed from integer cents (never via floating point).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

class Rng {
public:
  explicit Rng(std::uint64_t seed) : m_state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi].
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  /// True with probability permille / 1000.
  bool chance(int permille) { return range(0, 999) < permille; }

private:
  std::uint64_t m_state;
};

/// Cents as text: "1234.56", or with a decimal comma "1234,56" / grouped "1.234,56".
std::string money(std::int64_t cents, bool decimal_comma = false, bool grouped = false) {
  std::string units = std::to_string(cents / 100);
  if (grouped)
    for (int i = static_cast<int>(units.size()) - 3; i > 0; i -= 3)
      units.insert(static_cast<std::size_t>(i), 1, decimal_comma ? '.' : ',');
  const std::int64_t c = cents % 100;
  return units + (decimal_comma ? "," : ".") + (c < 10 ? "0" : "") + std::to_string(c);
}

/// Writes text to a file or dies with a message.
class Out {
public:
  explicit Out(const std::string& path) : m_file(path == "-" ? stdout : std::fopen(path.c_str(), "wb")) {
    if (m_file == nullptr) {
      std::fprintf(stderr, "gen_samples: cannot write %s\n", path.c_str());
      std::exit(1);
    }
  }
  ~Out() {
    flush();
    if (m_file != stdout) std::fclose(m_file);
  }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  Out& operator<<(std::string_view s) {
    m_buf.append(s);
    if (m_buf.size() > (1u << 20)) flush();
    return *this;
  }
  void flush() {
    std::fwrite(m_buf.data(), 1, m_buf.size(), m_file);
    m_buf.clear();
  }

private:
  FILE* m_file;
  std::string m_buf;
};

struct Segment {
  const char* name;
  std::int64_t min_cents, max_cents;
  int churn_permille; // per month
  int cac_months_min, cac_months_max;
};

constexpr Segment k_segments[] = {
    {"SMB", 5'000, 80'000, 14, 6, 9},
    {"MidMarket", 80'000, 500'000, 8, 8, 11},
    {"Enterprise", 500'000, 6'000'000, 4, 10, 14},
};

const Segment& pick_segment(Rng& rng) {
  const int r = static_cast<int>(rng.range(0, 99));
  return r < 60 ? k_segments[0] : r < 90 ? k_segments[1] : k_segments[2];
}

constexpr const char* k_first[] = {"Acme",   "Blue",   "Nord",  "Kite",  "Alpen", "Polar", "Quartz", "Rhein",
                                   "Summit", "Vector", "Lumen", "Orbit", "Cedar", "Fjord", "Helix",  "Ion"};
constexpr const char* k_second[] = {"Labs",     "Systems", "Logistik", "Health", "Analytics", "Foods",
                                    "Robotics", "Media",   "Finance",  "Energy", "Software",  "Retail"};

/// A company name, sometimes one that needs CSV quoting.
std::string company(Rng& rng, int i) {
  std::string name = std::string(k_first[rng.range(0, 15)]) + " " + k_second[rng.range(0, 11)];
  if (i % 37 == 0) return "\"" + name + ", Inc.\"";
  if (i % 101 == 0) return "\"The \"\"Best\"\" " + name + " GmbH\"";
  return name;
}

/// One customer-period's movements in cents.
struct Move {
  std::int64_t start = 0, new_mrr = 0, expansion = 0, contraction = 0, churned = 0;
  std::int64_t end() const { return start + new_mrr + expansion - contraction - churned; }
};

/// Moves a starting MRR through one period with the given churn, expansion and
/// contraction chances (permille).
Move move(Rng& rng, std::int64_t start, int churn, int expand, int contract) {
  Move m;
  m.start = start;
  if (rng.chance(churn)) {
    m.churned = start;
  } else if (rng.chance(expand)) {
    m.expansion = start * rng.range(5, 40) / 100;
  } else if (rng.chance(contract)) {
    m.contraction = start * rng.range(5, 30) / 100;
  }
  return m;
}

/// An NPS answer or "" (no response); churned customers answer lower.
std::string nps(Rng& rng, bool unhappy) {
  if (!rng.chance(350)) return "";
  const int r = static_cast<int>(rng.range(0, 99));
  if (unhappy) return std::to_string(r < 70 ? rng.range(0, 6) : rng.range(7, 8));
  return std::to_string(r < 48 ? rng.range(9, 10) : r < 80 ? rng.range(7, 8) : rng.range(0, 6));
}

void month_end(const std::string& dir) {
  Out out(dir + "/month_end_2026-10.csv");
  Rng rng(20261031);
  out << "customer_id,company,segment,period,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr,end_mrr,nps,"
         "at_risk,saved,cac\n";
  for (int i = 1; i <= 3000; ++i) {
    const Segment& seg = pick_segment(rng);
    const std::int64_t mrr = rng.range(seg.min_cents, seg.max_cents);
    Move m;
    if (rng.chance(40)) m.new_mrr = mrr;
    else m = move(rng, mrr, seg.churn_permille, 110, 30);
    const bool churned = m.churned > 0;
    const bool at_risk = rng.chance(churned ? 600 : 50);
    const char* saved = !at_risk ? "" : (!churned && rng.chance(850)) ? "yes" : "no";
    char id[16];
    std::snprintf(id, sizeof id, "C-%06d", i);
    out << id << "," << company(rng, i) << "," << seg.name << ",2026-10," << money(m.start) << "," << money(m.new_mrr)
        << "," << money(m.expansion) << "," << money(m.contraction) << "," << money(m.churned) << "," << money(m.end())
        << "," << nps(rng, churned || at_risk) << "," << (at_risk ? "true" : "false") << "," << saved << ","
        << money(mrr * rng.range(seg.cac_months_min, seg.cac_months_max)) << "\n";
  }
}

void german_excel(const std::string& dir) {
  Out out(dir + "/german_excel_q3.csv");
  Rng rng(20260930);
  out << "\xEF\xBB\xBF"
      << "Customer ID;Segment;Period;Start MRR;New MRR;Expansion MRR;Contraction MRR;Churned MRR;NPS;At Risk\r\n";
  for (int i = 1; i <= 200; ++i) {
    const Segment& seg = pick_segment(rng);
    const std::int64_t mrr = rng.range(seg.min_cents, seg.max_cents);
    Move m;
    if (rng.chance(60)) m.new_mrr = mrr;
    else m = move(rng, mrr, seg.churn_permille * 3, 220, 90);
    const bool churned = m.churned > 0;
    const bool grouped = i % 2 == 0; // Excel writes thousands separators in some exports
    const auto cell = [&](std::int64_t cents) {
      const std::string text = money(cents, true, grouped);
      return grouped && cents >= 100'000 ? "\"" + text + "\"" : text;
    };
    char id[16];
    std::snprintf(id, sizeof id, "K-%04d", i);
    out << id << ";" << seg.name << ";2026-Q3;" << cell(m.start) << ";" << cell(m.new_mrr) << ";" << cell(m.expansion)
        << ";" << cell(m.contraction) << ";" << cell(m.churned) << ";" << nps(rng, churned) << ";"
        << (rng.chance(churned ? 600 : 60) ? "1" : "0") << "\r\n";
  }
}

void quarterly(const std::string& dir) {
  Out out(dir + "/quarterly_2026.csv");
  Rng rng(20261231);
  struct Customer {
    int id;
    const Segment* seg;
    std::int64_t mrr;
  };
  std::vector<Customer> active;
  int next_id = 1;
  for (; next_id <= 400; ++next_id) {
    const Segment& seg = pick_segment(rng);
    active.push_back({next_id, &seg, rng.range(seg.min_cents, seg.max_cents)});
  }
  out << "customer_id,segment,period,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr,nps\n";
  for (int q = 1; q <= 4; ++q) {
    std::vector<Customer> next;
    const auto row = [&](const Customer& c, const Move& m) {
      char id[16];
      std::snprintf(id, sizeof id, "Q-%05d", c.id);
      out << id << "," << c.seg->name << ",2026-Q" << std::to_string(q) << "," << money(m.start) << ","
          << money(m.new_mrr) << "," << money(m.expansion) << "," << money(m.contraction) << "," << money(m.churned)
          << "," << nps(rng, m.churned > 0) << "\n";
    };
    for (const Customer& c : active) {
      const Move m = move(rng, c.mrr, c.seg->churn_permille * 3, 200, 80);
      row(c, m);
      if (m.end() > 0) next.push_back({c.id, c.seg, m.end()});
    }
    for (int k = 0; k < 12; ++k, ++next_id) {
      const Segment& seg = pick_segment(rng);
      Move m;
      m.new_mrr = rng.range(seg.min_cents, seg.max_cents);
      const Customer c{next_id, &seg, m.new_mrr};
      row(c, m);
      next.push_back(c);
    }
    active = std::move(next);
  }
}

/// One customer's MRR history in cents, month by month (issue 6 snapshots).
struct History {
  int id;
  const Segment* seg;
  std::vector<std::int64_t> mrr;
};

/// Simulates `months` months: `initial` customers paying in the first month, about
/// `new_per_month` new ones each month; churn, expansion, contraction by segment, and some
/// churned customers coming back a few months later.
std::vector<History> simulate(Rng& rng, int initial, int months, int new_per_month) {
  std::vector<History> all;
  const auto add = [&](int month) {
    const Segment& seg = pick_segment(rng);
    History h{static_cast<int>(all.size()) + 1, &seg, std::vector<std::int64_t>(static_cast<std::size_t>(months), 0)};
    h.mrr[static_cast<std::size_t>(month)] = rng.range(seg.min_cents, seg.max_cents) / 100 * 100;
    all.push_back(std::move(h));
  };
  for (int i = 0; i < initial; ++i) add(0);
  for (int m = 1; m < months; ++m) {
    for (History& h : all) {
      const auto prev = h.mrr[static_cast<std::size_t>(m - 1)];
      std::int64_t& cur = h.mrr[static_cast<std::size_t>(m)];
      if (cur != 0) continue; // set when the customer was added this month
      if (prev == 0) {
        // Churned earlier (or not yet here): a few come back.
        bool paid_before = false;
        for (int k = 0; k < m - 1; ++k) paid_before = paid_before || h.mrr[static_cast<std::size_t>(k)] > 0;
        if (paid_before && rng.chance(25)) cur = rng.range(h.seg->min_cents, h.seg->max_cents) / 100 * 100;
        continue;
      }
      const Move mv = move(rng, prev, h.seg->churn_permille, 60, 30);
      cur = mv.end() / 100 * 100;
    }
    const int n = new_per_month + static_cast<int>(rng.range(-new_per_month / 3, new_per_month / 3));
    for (int k = 0; k < n; ++k) add(m);
  }
  return all;
}

std::string month_text(int first_year, int first_month, int m) {
  const int index = first_year * 12 + first_month - 1 + m;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", index / 12, index % 12 + 1);
  return buf;
}

/// mrr_matrix_24m.csv: the MRR matrix finance teams keep, one column per month from
/// 2024-11 to 2026-10; an empty cell is no MRR.
void mrr_matrix(const std::string& dir) {
  Out out(dir + "/mrr_matrix_24m.csv");
  Rng rng(20241101);
  const int months = 24;
  const std::vector<History> all = simulate(rng, 500, months, 14);
  out << "customer_id,company,segment";
  for (int m = 0; m < months; ++m) out << "," << month_text(2024, 11, m);
  out << "\n";
  char id[16];
  for (const History& h : all) {
    std::snprintf(id, sizeof id, "M-%05d", h.id);
    out << id << "," << company(rng, h.id) << "," << h.seg->name;
    for (std::int64_t v : h.mrr) out << "," << (v == 0 ? std::string() : money(v));
    out << "\n";
  }
}

/// costs_24m.csv (issue 31): the costs of mrr_matrix_24m.csv's company, one row per month from
/// 2024-11 to 2026-10, for report --costs: spend that grows, a burn that falls, revenue near the
/// month's MRR, an operating loss 60,000 under the burn and a gross margin of 77-80 %.
void costs(const std::string& dir) {
  Out out(dir + "/costs_24m.csv");
  Rng rng(20241101); // the matrix's histories again
  const int months = 24;
  const std::vector<History> all = simulate(rng, 500, months, 14);
  out << "period,sales_marketing,net_burn,revenue,operating_income,gross_margin\n";
  char line[160];
  for (int m = 0; m < months; ++m) {
    std::int64_t mrr = 0; // whole units: every history is in whole currency units
    for (const History& h : all) mrr += h.mrr[static_cast<std::size_t>(m)] / 100;
    const std::int64_t sales_marketing = 240000 + m * 7919 % 50000;
    const std::int64_t burn = 420000 - m * 9000 + m * 3571 % 40000;
    const std::int64_t revenue = mrr + m * 1237 % 20000 - 10000;
    std::snprintf(line, sizeof line, "%s,%lld.00,%lld.00,%lld.00,%lld.00,0.%d\n", month_text(2024, 11, m).c_str(),
                  static_cast<long long>(sales_marketing), static_cast<long long>(burn),
                  static_cast<long long>(revenue), static_cast<long long>(-(burn - 60000)), 77 + m % 4);
    out << line;
  }
}

/// cohorts_logos.csv (issue 32): a logo cohort table for cskpi forecast, the survivor counts of
/// Fader & Hardie (2007, "How to Project Customer Retention", Table 1): two segments of 1,000
/// customers each, still customers at years 0 to 7. Published figures, not generated ones.
void cohorts_logos(const std::string& dir) {
  Out out(dir + "/cohorts_logos.csv");
  out << "cohort,age,customers\n";
  const std::pair<const char*, std::array<int, 8>> segments[] = {
      {"Regular", {1000, 631, 468, 382, 326, 289, 262, 241}}, {"High End", {1000, 869, 743, 653, 593, 551, 517, 491}}};
  for (const auto& [name, alive] : segments)
    for (std::size_t age = 0; age < alive.size(); ++age)
      out << name << "," << std::to_string(age) << "," << std::to_string(alive[age]) << "\n";
}

/// chartmogul_movements.csv: a ChartMogul MRR-movements export (amounts in cents, newest
/// first as ChartMogul lists them) for 60 customers over 14 months.
void chartmogul(const std::string& dir) {
  Out out(dir + "/chartmogul_movements.csv");
  Rng rng(20250101);
  const int months = 14;
  const std::vector<History> all = simulate(rng, 0, months, 5);
  struct Line {
    int month, day;
    std::string text;
  };
  std::vector<Line> lines;
  char buf[64];
  for (const History& h : all) {
    std::int64_t prev = 0;
    bool paid = false;
    for (int m = 0; m < months; ++m) {
      const std::int64_t cur = h.mrr[static_cast<std::size_t>(m)];
      if (cur == prev) continue;
      const char* type = prev == 0 ? (paid ? "reactivation" : "new_biz")
          : cur == 0               ? "churn"
          : cur > prev             ? "expansion"
                                   : "contraction";
      const int day = static_cast<int>(rng.range(1, 28));
      std::snprintf(buf, sizeof buf, "%s-%02d", month_text(2025, 1, m).c_str(), day);
      const std::string name = std::string(k_first[h.id % 16]) + " " + k_second[h.id % 12];
      std::string text = std::string(buf) + "," + name + "," + std::to_string(cur - prev) + "," + std::to_string(cur) +
          "," + type + " " + std::to_string(h.id) + "," + type + ",USD,";
      std::snprintf(buf, sizeof buf, "cus_%04d,%08x-cm", h.id,
                    static_cast<unsigned>(static_cast<unsigned>(h.id) * 2654435761u));
      lines.push_back({m, day, text + buf});
      paid = paid || cur > 0;
      prev = cur;
    }
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.month != b.month ? a.month > b.month : a.day > b.day; });
  out << "DATE,CUSTOMER_NAME,MRR_MOVEMENT,MRR,DESCRIPTION,MOVEMENT_TYPE,CURRENCY_CODE,CUSTOMER_EXTERNAL_ID,CUSTOMER_"
         "UUID\n";
  for (const Line& l : lines) out << l.text << "\n";
}

/// A long snapshots file for benchmarks: customer_id,segment,month,mrr, one row per
/// customer and month with MRR.
void snapshots_bench(std::int64_t customers, int months, std::uint64_t seed) {
  Out out("-");
  Rng rng(seed);
  out << "customer_id,segment,month,mrr\n";
  char buf[32];
  for (std::int64_t c = 0; c < customers; ++c) {
    const Segment& seg = pick_segment(rng);
    std::int64_t mrr = rng.range(seg.min_cents, seg.max_cents) / 100 * 100;
    const int first = static_cast<int>(rng.range(0, months / 2));
    for (int m = first; m < months && mrr > 0; ++m) {
      std::snprintf(buf, sizeof buf, "S-%08lld", static_cast<long long>(c));
      out << buf << "," << seg.name << "," << month_text(2024, 11, m) << "," << money(mrr) << "\n";
      mrr = move(rng, mrr, seg.churn_permille, 60, 30).end() / 100 * 100;
    }
  }
}

// broken_export.csv, line by line (line 1 is the header):
//   line  5  churned_mrr "12x.50" is not a number
//   line  9  expansion_mrr "-25.00" is negative
//   line 13  nps "11" out of range
//   line 17  at_risk "maybe" is not a boolean
//   line 20  blank line (legal, skipped)
//   line 22  one field too few
//   line 26  contraction + churned exceed start + expansion
//   line 30  churned row with end MRR not 0 (partial churn)
//   line 34  end_mrr off by 10.00
//   line 38  empty customer_id
//   line 41  duplicate customer_id (B-0003, first at line 4)
void broken(const std::string& dir) {
  Out out(dir + "/broken_export.csv");
  Rng rng(404);
  out << "customer_id,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,end_mrr,nps,at_risk\n";
  int id = 1;
  for (int line = 2; line <= 43; ++line) {
    if (line == 20) {
      out << "\n";
      continue;
    }
    const Segment& seg = pick_segment(rng);
    Move m = move(rng, rng.range(seg.min_cents, seg.max_cents / 4), 30, 150, 60);
    std::string cid = "B-000" + std::to_string(id);
    if (id >= 10) cid = "B-00" + std::to_string(id);
    ++id;
    std::string churned = money(m.churned), expansion = money(m.expansion), nps_cell = nps(rng, false), at_risk = "no";
    std::string end = money(m.end()), tail;
    switch (line) {
    case 5: churned = "12x.50"; break;
    case 9: expansion = "-25.00"; break;
    case 13: nps_cell = "11"; break;
    case 17: at_risk = "maybe"; break;
    case 26:
      m = Move{};
      m.start = 10'000;
      m.contraction = 6'000;
      m.churned = 5'000;
      churned = money(m.churned);
      expansion = money(0);
      end = money(0);
      break;
    case 30:
      m = Move{};
      m.start = 20'000;
      m.churned = 5'000;
      churned = money(m.churned);
      expansion = money(0);
      end = money(15'000);
      break;
    case 34: end = money(m.end() + 1'000); break;
    case 38: cid = ""; break;
    case 41: cid = "B-0003"; break;
    default: break;
    }
    out << cid << "," << seg.name << ",2026-10," << money(m.start) << "," << expansion << "," << money(m.contraction)
        << "," << churned;
    if (line != 22) out << "," << end;
    out << "," << nps_cell << "," << at_risk << "\n";
  }
}

/// A large movements file for benchmarks, streamed to stdout.
void bench(std::int64_t rows, std::uint64_t seed, std::int64_t periods) {
  Out out("-");
  Rng rng(seed);
  out << "customer_id,company,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr,nps,at_risk,saved\n";
  const std::int64_t per_period = (rows + periods - 1) / periods;
  char buf[32];
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::int64_t p = i / per_period;
    const Segment& seg = pick_segment(rng);
    const Move m = move(rng, rng.range(seg.min_cents, seg.max_cents), seg.churn_permille, 100, 40);
    const bool at_risk = rng.chance(m.churned > 0 ? 600 : 50);
    std::snprintf(buf, sizeof buf, "C-%08lld", static_cast<long long>(i % per_period));
    out << buf << "," << company(rng, static_cast<int>(i % 100000)) << "," << seg.name << ",";
    std::snprintf(buf, sizeof buf, "%04lld-%02lld", static_cast<long long>(2026 + p / 12),
                  static_cast<long long>(p % 12 + 1));
    out << buf << "," << money(m.start) << "," << money(m.expansion) << "," << money(m.contraction) << ","
        << money(m.churned) << "," << nps(rng, m.churned > 0) << "," << (at_risk ? "1" : "0") << ","
        << (at_risk ? (m.churned == 0 ? "1" : "0") : "") << "\n";
  }
}

std::int64_t number(const char* text) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0) {
    std::fprintf(stderr, "gen_samples: \"%s\" is not a positive whole number\n", text);
    std::exit(2);
  }
  return v;
}

} // namespace

/// Days since 1970-01-01 of a civil date, and back (for the joined sample's dates).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string date_text(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y + (m <= 2)), m, d);
  return buf;
}

/// One billing row of the joined sample, for its invoice lines.
struct BilledRow {
  std::string id, segment;
  int month = 0; // 0..2 for Aug..Oct
  std::int64_t start = 0, new_mrr = 0, expansion = 0, contraction = 0, churned = 0;
};

/// The joined company's invoice lines (issue 31), in the generic form and as Stripe's invoice
/// line items: a month's subscription billed on its first day at the starting MRR (Enterprise
/// customers billed yearly in August instead), an expansion's proration and a contraction's
/// credit for the second half of the month, a set-up fee for each new customer, and one
/// consulting line of a customer the billing export does not hold.
void joined_invoices(const std::string& dir, const std::vector<BilledRow>& rows, const std::int64_t* month_start) {
  struct Line {
    std::string invoice, customer, description;
    std::int64_t date = 0, cents = 0, start = -1, end = -1;
    bool proration = false;
  };
  std::vector<Line> lines;
  const std::int64_t aug1 = month_start[0], aug1_next_year = days_from_civil(2027, 8, 1);
  for (const BilledRow& r : rows) {
    const std::int64_t first = month_start[r.month], next = month_start[r.month + 1], mid = first + 14;
    const std::string inv = "INV-" + date_text(first).substr(0, 7) + "-" + r.id;
    const bool yearly = r.segment == "Enterprise";
    const std::int64_t mrr = r.start > 0 ? r.start : r.new_mrr;
    if (r.new_mrr > 0) lines.push_back({inv, r.id, "Set-up fee", first, 50'000, -1, -1, false});
    if (!yearly) lines.push_back({inv, r.id, "Subscription", first, mrr, first, next, false});
    else if (r.month == 0 || r.new_mrr > 0) // a year from the month it starts in
      lines.push_back({inv, r.id, "Annual subscription", first, mrr * 12, first,
                       first == aug1 ? aug1_next_year : days_from_civil(2027, 8 + static_cast<unsigned>(r.month), 1),
                       false});
    if (r.expansion > 0)
      lines.push_back({inv + "-P", r.id, "Upgrade proration", mid, r.expansion / 2, mid, next, true});
    if (r.contraction > 0)
      lines.push_back({inv + "-C", r.id, "Downgrade credit", mid, -(r.contraction / 2), mid, next, true});
  }
  lines.push_back({"INV-2026-09-X-0001", "X-0001", "Consulting", days_from_civil(2026, 9, 15), 120'000, -1, -1, false});
  Out generic(dir + "/joined/invoices.csv");
  generic << "invoice_id,line_id,customer_id,invoice_date,amount,service_start,service_end,description\n";
  Out stripe(dir + "/joined/stripe_invoice_lines.csv");
  stripe << "id,invoice,customer,created,amount,currency,period_start,period_end,proration,description\n";
  int n = 0;
  for (const Line& l : lines) {
    ++n;
    const std::string amount = l.cents < 0 ? "-" + money(-l.cents) : money(l.cents);
    generic << l.invoice << "," << std::to_string(n) << "," << l.customer << "," << date_text(l.date) << "," << amount
            << "," << (l.start >= 0 ? date_text(l.start) : "") << "," << (l.end >= 0 ? date_text(l.end) : "") << ","
            << l.description << "\n";
    char id[24];
    std::snprintf(id, sizeof id, "il_%06d", n);
    const std::string created = date_text(l.date) + " 09:00:00";
    stripe << id << ",in_" << l.invoice.substr(4) << "," << l.customer << "," << created << ","
           << std::to_string(l.cents) << ",usd," << (l.start >= 0 ? date_text(l.start) + " 00:00:00" : created) << ","
           << (l.end >= 0 ? date_text(l.end) + " 00:00:00" : created) << "," << (l.proration ? "true" : "false") << ","
           << l.description << "\n";
  }
}

/// The joined sample (issue 7): three exports of one company for August to October 2026.
/// billing.csv from the billing system, customers.csv from the CS platform (health and its
/// components, onboarding dates, renewals, churn reasons) and survey.csv from the survey tool.
void joined(const std::string& dir) {
  Rng rng(20261101);
  struct Customer {
    std::string id, segment;
    std::int64_t signup = 0, value = -1, renewal = -1;
    int churn_month = -1; // 0..2 for Aug..Oct
    std::int64_t mrr = 0;
    int usage = -1, engagement = -1, support = -1, outcomes = -1;
  };
  const std::int64_t aug1 = days_from_civil(2026, 8, 1), nov1 = days_from_civil(2026, 11, 1);
  const std::int64_t month_start[] = {aug1, days_from_civil(2026, 9, 1), days_from_civil(2026, 10, 1), nov1};
  constexpr const char* k_names[] = {"SMB", "Mid-Market", "Enterprise"};
  constexpr std::int64_t k_ttv_min[] = {2, 15, 40}, k_ttv_max[] = {45, 90, 170};
  constexpr int k_churn[] = {14, 7, 3}; // permille per month
  std::vector<Customer> cs;
  for (int i = 1; i <= 420; ++i) {
    Customer c;
    char id[16];
    std::snprintf(id, sizeof id, "A-%04d", i);
    c.id = id;
    const int seg = static_cast<int>(rng.range(0, 99)) < 60 ? 0 : rng.range(0, 99) < 75 ? 1 : 2;
    c.segment = k_names[seg];
    c.signup = rng.chance(120) ? rng.range(aug1, nov1 - 1) : rng.range(days_from_civil(2024, 1, 1), aug1 - 1);
    c.mrr = seg == 0 ? rng.range(5'000, 80'000) : seg == 1 ? rng.range(80'000, 500'000) : rng.range(500'000, 4'000'000);
    const std::int64_t ttv = rng.range(k_ttv_min[seg], k_ttv_max[seg]);
    if (c.signup + ttv < nov1 && !rng.chance(40)) c.value = c.signup + ttv;
    bool unhappy = c.value < 0 || ttv > k_ttv_max[seg] * 3 / 4;
    for (int m = 0; m < 3 && c.churn_month < 0; ++m)
      if (c.signup < month_start[m] && rng.chance(k_churn[seg] * (unhappy ? 3 : 1))) c.churn_month = m;
    const auto component = [&](int lo, int hi) { return static_cast<int>(rng.range(lo, hi)); };
    const bool weak = unhappy || c.churn_month >= 0;
    c.usage = component(weak ? 10 : 62, weak ? 75 : 100);
    c.engagement = component(weak ? 5 : 58, weak ? 80 : 100);
    c.support = rng.chance(60) ? -1 : component(weak ? 20 : 55, 100);
    c.outcomes = component(weak ? 0 : 50, weak ? 65 : 100);
    // Annual contracts renew on the signup anniversary.
    const std::string anniversary = "2026" + date_text(c.signup).substr(4);
    if (anniversary.substr(5) != "02-29") {
      const std::int64_t r = days_from_civil(2026, static_cast<unsigned>(std::stoi(anniversary.substr(5, 2))),
                                             static_cast<unsigned>(std::stoi(anniversary.substr(8, 2))));
      if (c.signup < r - 300) c.renewal = c.churn_month >= 0 ? std::max(r, month_start[c.churn_month]) : r;
      if (c.churn_month >= 0 && c.renewal >= month_start[c.churn_month + 1])
        c.renewal = month_start[c.churn_month] + 14;
    }
    cs.push_back(c);
  }

  Out billing(dir + "/joined/billing.csv");
  billing << "customer_id,segment,period,start_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr,end_mrr\n";
  const char* k_periods[] = {"2026-08", "2026-09", "2026-10"};
  std::vector<BilledRow> billed;
  for (int m = 0; m < 3; ++m)
    for (Customer& c : cs) {
      if (c.signup >= month_start[m + 1] || (c.churn_month >= 0 && c.churn_month < m)) continue;
      Move mv;
      if (c.signup >= month_start[m]) {
        mv.new_mrr = c.mrr;
      } else {
        mv.start = c.mrr;
        if (c.churn_month == m) mv.churned = c.mrr;
        else if (rng.chance(60)) mv.expansion = c.mrr * rng.range(5, 30) / 100;
        else if (rng.chance(20)) mv.contraction = c.mrr * rng.range(5, 25) / 100;
      }
      c.mrr = mv.end();
      billed.push_back({c.id, c.segment, m, mv.start, mv.new_mrr, mv.expansion, mv.contraction, mv.churned});
      billing << c.id << "," << c.segment << "," << k_periods[m] << "," << money(mv.start) << "," << money(mv.new_mrr)
              << "," << money(mv.expansion) << "," << money(mv.contraction) << "," << money(mv.churned) << ","
              << money(mv.end()) << "\n";
    }
  joined_invoices(dir, billed, month_start);

  Out customers(dir + "/joined/customers.csv");
  customers << "customer_id,segment,csm,signup_date,first_value_date,renewal_date,renewed,churn_reason,health_score,"
               "usage,engagement,support,outcomes\n";
  constexpr const char* k_csm[] = {"Jana", "Malik", "Sofia", "Tom"};
  constexpr const char* k_reasons[] = {"price", "missing features", "switched to a competitor", "support quality",
                                       "business closed"};
  const auto cell = [](int v) { return v < 0 ? std::string() : std::to_string(v); };
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const Customer& c = cs[i];
    if (i % 150 == 7) continue; // the CS platform misses a few billed customers
    std::int64_t num = 40 * c.usage + 30 * c.engagement + 15 * c.outcomes, den = 85;
    if (c.support >= 0) {
      num += 15 * c.support;
      den += 15;
    }
    const std::string renewed = c.renewal < 0 || c.renewal >= nov1 ? "" : c.churn_month >= 0 ? "no" : "yes";
    const std::string reason = c.churn_month < 0 || rng.chance(150) ? "" : k_reasons[rng.range(0, 4)];
    customers << c.id << "," << c.segment << "," << k_csm[rng.range(0, 3)] << "," << date_text(c.signup) << ","
              << (c.value < 0 ? "" : date_text(c.value)) << "," << (c.renewal < 0 ? "" : date_text(c.renewal)) << ","
              << renewed << "," << reason << "," << std::to_string((num + den / 2) / den) << "," << cell(c.usage) << ","
              << cell(c.engagement) << "," << cell(c.support) << "," << cell(c.outcomes) << "\n";
  }
  // Trial accounts the CS platform tracks but billing does not.
  for (int t = 1; t <= 3; ++t)
    customers << "T-000" << std::to_string(t) << ",SMB,Jana,2026-10-2" << std::to_string(t) << ",,,,,,55,40,,30\n";

  Out survey(dir + "/joined/survey.csv");
  survey << "response_id,customer_id,date,score,csat,ces\n";
  int response = 0;
  const auto answer = [&](const std::string& customer, std::int64_t day, bool unhappy) {
    char rid[16];
    std::snprintf(rid, sizeof rid, "R-%05d", ++response);
    survey << rid << "," << customer << "," << (day < 0 ? "" : date_text(day)) << ",";
    if (rng.chance(500)) {
      const int r = static_cast<int>(rng.range(0, 99));
      survey << std::to_string(unhappy ? (r < 65 ? rng.range(0, 6) : rng.range(7, 9))
                                       : (r < 52       ? rng.range(9, 10)
                                              : r < 82 ? rng.range(7, 8)
                                                       : rng.range(0, 6)))
             << ",,\n";
    } else {
      survey << "," << std::to_string(unhappy ? rng.range(1, 4) : rng.range(3, 5)) << ","
             << std::to_string(unhappy ? rng.range(2, 6) : rng.range(1, 3)) << "\n";
    }
  };
  for (const Customer& c : cs)
    for (int m = 0; m < 3; ++m) {
      if (c.signup >= month_start[m + 1] || (c.churn_month >= 0 && c.churn_month < m) || !rng.chance(330)) continue;
      answer(c.id, rng.range(std::max(c.signup, month_start[m]), month_start[m + 1] - 1),
             c.churn_month >= 0 || c.value < 0);
    }
  for (int k = 0; k < 4; ++k) answer("", rng.range(aug1, nov1 - 1), false);       // anonymous
  for (int k = 0; k < 2; ++k) answer("X-9999", rng.range(aug1, nov1 - 1), false); // unknown customer
  answer(cs[3].id, days_from_civil(2026, 7, 30), false);                          // before the billing periods
  answer(cs[5].id, -1, false);                                                    // undated
}

/// A time of day as Stripe's exports print it after the date: " 09:12".
std::string clock_time(Rng& rng) {
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", static_cast<int>(rng.range(0, 23)), static_cast<int>(rng.range(0, 59)));
  return buf;
}

/// samples/stripe/: a Stripe subscriptions export of a small company billing in USD and
/// EUR (monthly, yearly, weekly and daily plans, seats, add-ons, trials, coupons,
/// cancellations, unpaid and incomplete subscriptions), its coupons export, and the
/// monthly EUR->USD rates the finance team uses. Exported on 2026-11-01.
void stripe(const std::string& dir) {
  Rng rng(20261102);
  struct Plan {
    const char* id;
    const char* product;
    const char* interval;
    std::int64_t usd, eur; // unit amount in cents
    int seats_min, seats_max;
  };
  constexpr Plan k_plans[] = {
      {"starter-monthly", "Starter", "month", 4'900, 4'500, 1, 1},
      {"team-seat-monthly", "Team", "month", 1'900, 1'800, 3, 40},
      {"team-seat-annual", "Team", "year", 19'000, 18'000, 5, 60},
      {"business-annual", "Business", "year", 990'000, 920'000, 1, 1},
      {"pro-weekly", "Pro", "week", 1'500, 1'400, 1, 1},
      {"api-day-pass", "API", "day", 300, 280, 1, 1},
  };
  constexpr Plan k_support{"support-addon-monthly", "Premium Support", "month", 9'900, 9'200, 1, 1};
  const std::int64_t export_day = days_from_civil(2026, 11, 1);
  const std::int64_t first_day = days_from_civil(2025, 11, 1);
  const auto period_days = [](const char* interval, std::int64_t start, int k) -> std::int64_t {
    // The k-th period boundary after start (whole months by calendar, weeks and days exactly).
    if (std::strcmp(interval, "week") == 0) return start + 7 * k;
    if (std::strcmp(interval, "day") == 0) return start + k;
    const int months = std::strcmp(interval, "year") == 0 ? 12 * k : k;
    const std::string d = date_text(start);
    const int y = std::atoi(d.substr(0, 4).c_str()), m = std::atoi(d.substr(5, 2).c_str()),
              day = std::atoi(d.substr(8, 2).c_str());
    const int total = y * 12 + (m - 1) + months;
    return days_from_civil(total / 12, static_cast<unsigned>(total % 12 + 1), static_cast<unsigned>(std::min(day, 28)));
  };
  Out subs(dir + "/stripe/subscriptions.csv");
  subs << "id,Customer ID,Customer Name,Customer Email,Plan,Product,Quantity,Currency,Interval,Amount,Status,"
          "Created (UTC),Start (UTC),Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End "
          "(UTC),"
          "Coupon,Canceled At (UTC),Cancel At Period End,Ended At (UTC)\n";
  const char* k_coupons[] = {"LAUNCH20", "WELCOME50-3M", "SAVE10USD", "FIRSTMONTH25"};
  int sub_no = 0;
  const auto subscription = [&](const std::string& customer, const std::string& name, bool eur, const Plan& plan,
                                std::int64_t start, bool allow_cancel) {
    ++sub_no;
    char id[32];
    std::snprintf(id, sizeof id, "sub_1Q%06d%04X", sub_no, static_cast<unsigned>(rng.range(0, 65535)));
    const std::int64_t seats = rng.range(plan.seats_min, plan.seats_max);
    const bool trial = rng.chance(150) && std::strcmp(plan.interval, "day") != 0;
    const std::int64_t trial_end = start + 14;
    std::int64_t billing_start = trial ? trial_end : start;
    std::string status = "active";
    std::int64_t canceled = -1, ended = -1;
    bool at_period_end = false;
    if (allow_cancel && rng.chance(170)) { // asked to cancel; it ends at the end of the period then running
      canceled = rng.range(billing_start + 1, export_day + 20);
      if (canceled >= export_day) canceled = export_day - rng.range(1, 10);
      if (canceled <= billing_start) canceled = billing_start + 1;
      int k = 1;
      while (period_days(plan.interval, billing_start, k) <= canceled) ++k;
      ended = period_days(plan.interval, billing_start, k);
      at_period_end = true;
      if (ended <= export_day) status = "canceled";
    }
    if (trial && trial_end > export_day) status = "trialing";
    else if (status == "active" && rng.chance(25)) status = rng.chance(500) ? "past_due" : "unpaid";
    // The current period: the one running on the export day (or the last one).
    const std::int64_t until = status == "canceled" ? ended - 1 : export_day;
    std::int64_t period_start = billing_start, period_end = period_days(plan.interval, billing_start, 1);
    for (int k = 1; period_end <= until; ++k) {
      period_start = period_end;
      period_end = period_days(plan.interval, billing_start, k + 1);
    }
    if (status == "trialing") {
      period_start = start;
      period_end = trial_end;
    }
    const std::string coupon = rng.chance(200) ? k_coupons[rng.range(0, eur ? 1 : 3)] : "";
    const std::int64_t amount = eur ? plan.eur : plan.usd;
    const std::string at = clock_time(rng); // one subscription's events share its time of day
    const auto stamp = [&at](std::int64_t day) { return date_text(day) + at; };
    subs << id << "," << customer << "," << name << ","
         << "billing@" << customer.substr(4) << ".example.com," << plan.id << "," << plan.product << ","
         << std::to_string(seats) << "," << (eur ? "eur" : "usd") << "," << plan.interval << "," << money(amount) << ","
         << status << "," << stamp(start) << "," << stamp(start) << "," << stamp(period_start) << ","
         << stamp(period_end) << "," << (trial ? stamp(start) : "") << "," << (trial ? stamp(trial_end) : "") << ","
         << coupon << "," << (canceled >= 0 ? stamp(canceled) : "") << "," << (at_period_end ? "true" : "false") << ","
         << (status == "canceled" ? stamp(ended) : "") << "\n";
  };
  for (int c = 1; c <= 160; ++c) {
    char customer[24];
    std::snprintf(customer, sizeof customer, "cus_R%05d%03X", c, static_cast<unsigned>(rng.range(0, 4095)));
    const std::string name = std::string(k_first[c % 16]) + " " + k_second[(c * 7) % 12];
    const bool eur = rng.chance(250);
    const std::int64_t start = rng.range(first_day, export_day - 5);
    const Plan& plan = k_plans[rng.chance(900) ? rng.range(0, 3) : rng.range(4, 5)];
    subscription(customer, name, eur, plan, start, true);
    if (rng.chance(180)) subscription(customer, name, eur, k_support, rng.range(start, export_day - 1), true);
  }
  // Two checkouts that never completed payment.
  for (int k = 0; k < 2; ++k) {
    ++sub_no;
    subs << "sub_1Q" << std::to_string(900000 + k) << "INC,cus_R9" << std::to_string(9990 + k)
         << "000,Abandoned Checkout,"
         << "nobody@example.com,team-seat-monthly,Team,5,usd,month,19.00,incomplete_expired,"
         << date_text(export_day - 20 - k) << " 10:0" << std::to_string(k) << "," << date_text(export_day - 20 - k)
         << " 10:0" << std::to_string(k) << ",,,,,,,false,\n";
  }
  Out coupons(dir + "/stripe/coupons.csv");
  coupons << "id,Name,Amount Off,Currency,Duration,Duration In Months,Percent Off,Max Redemptions,Redeem By (UTC),"
             "Times Redeemed,Valid,Created (UTC)\n"
             "LAUNCH20,Launch 20 % forever,,,forever,,20,,,14,true,2025-10-01 08:00\n"
             "WELCOME50-3M,Welcome: half price for 3 months,,,repeating,3,50,,,9,true,2025-10-01 08:05\n"
             "SAVE10USD,10 USD off every invoice,10.00,usd,forever,,,,,6,true,2025-10-02 11:30\n"
             "FIRSTMONTH25,25 % off the first invoice,,,once,,25,,,5,true,2025-10-02 11:31\n";
  Out fx(dir + "/stripe/fx_usd.csv");
  fx << "month,currency,rate\n";
  const char* k_rates[] = {"1.0562", "1.0437", "1.0355", "1.0412", "1.0838", "1.0791",
                           "1.1346", "1.1312", "1.1719", "1.1652", "1.1701", "1.1618"};
  for (int m = 0; m < 12; ++m) fx << month_text(2025, 11, m) << ",EUR," << k_rates[m] << "\n";
}

/// The k-th monthly billing boundary after `start` (its day of month, at most the 28th).
std::int64_t month_boundary(std::int64_t start, int k) {
  const std::string d = date_text(start);
  const int total = std::atoi(d.substr(0, 4).c_str()) * 12 + std::atoi(d.substr(5, 2).c_str()) - 1 + k;
  return days_from_civil(total / 12, static_cast<unsigned>(total % 12 + 1),
                         static_cast<unsigned>(std::min(std::atoi(d.substr(8, 2).c_str()), 28)));
}

/// samples/stripe/lifecycle.csv: a Stripe subscriptions export with the columns the lifecycle
/// metrics read (issue 30): Cancel At Period End and Cancel At (cancellations scheduled ahead,
/// from their Canceled At), Cancellation Reason (cancellation_details.reason: payment_failed
/// is involuntary churn), and trials that convert, are cancelled at their end, pause or fail
/// their first invoice. 60 customers in USD on monthly plans, exported on 2026-11-01.
void stripe_lifecycle(const std::string& dir) {
  Rng rng(20261130);
  Out out(dir + "/stripe/lifecycle.csv");
  out << "id,Customer ID,Customer Name,Plan,Quantity,Currency,Interval,Amount,Status,Created (UTC),Start (UTC),"
         "Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End (UTC),Canceled At (UTC),"
         "Cancel At Period End,Cancel At (UTC),Ended At (UTC),Cancellation Reason\n";
  const std::int64_t export_day = days_from_civil(2026, 11, 1), first_day = days_from_civil(2026, 4, 1);
  const char* k_plans[] = {"starter-monthly", "team-monthly", "business-monthly"};
  const std::int64_t k_amounts[] = {2'900, 7'900, 19'900};
  for (int c = 1; c <= 60; ++c) {
    std::int64_t start = rng.range(first_day, export_day - 5);
    if (c == 3 || c == 6) start = export_day - 6 - c; // still in trial on the export day
    if (c == 30 || c == 33) start = export_day - 20;  // a trial that ended days ago
    if (c == 2) start = first_day;                    // renews on the export day: the history runs to October
    const std::int64_t plan = rng.range(0, 2);
    const std::int64_t seats = plan == 1 ? rng.range(1, 5) : 1, fate = c * 37 % 100; // every fate, evenly
    const bool trial = c % 3 == 0;
    const std::int64_t trial_end = start + 14, billing = trial ? trial_end : start;
    std::string status = "active", reason;
    std::int64_t canceled = -1, ended = -1, cancel_at = -1, period_start = -1;
    bool at_period_end = false;
    const auto boundary_after = [&](std::int64_t day) { // the first billing boundary after `day`
      int k = 1;
      while (month_boundary(billing, k) <= day) ++k;
      return month_boundary(billing, k);
    };
    if (trial && trial_end > export_day) {
      status = "trialing";
    } else if (trial && fate < 30) { // the trial did not convert
      const std::int64_t how = c % 4 % 3;
      if (how == 0 || trial_end < export_day - 12) {
        status = "canceled";
        canceled = trial_end - rng.range(0, 5);
        ended = trial_end;
        reason = "cancellation_requested";
      } else {
        status = how == 1 ? "paused" : "past_due"; // no payment method; or the first invoice failing
        period_start = trial_end;
      }
    } else if (fate < 12 && billing < export_day - 3) { // at period end, asked for and not yet ended
      canceled = rng.range(std::max(billing + 1, export_day - 45), export_day - 1);
      at_period_end = true;
      reason = "cancellation_requested";
    } else if (fate < 18 && billing < export_day - 3) { // on a date ahead
      canceled = rng.range(std::max(billing + 1, export_day - 30), export_day - 1);
      cancel_at = export_day + rng.range(5, 60);
      reason = "cancellation_requested";
    } else if (fate < 32 && billing < export_day - 70) { // asked for at period end, since ended
      canceled = rng.range(billing + 1, export_day - 40);
      ended = boundary_after(canceled);
      at_period_end = true;
      status = "canceled";
      reason = "cancellation_requested";
    } else if (fate < 42 && billing < export_day - 60) { // the card failed; cancelled after the retries
      ended = boundary_after(rng.range(billing + 1, export_day - 45)) + rng.range(5, 20);
      canceled = ended;
      status = "canceled";
      reason = "payment_failed";
    } else if (fate < 46 && billing < export_day - 60) { // unpaid after the retries: still open
      status = "unpaid";
      period_start = boundary_after(rng.range(billing + 1, export_day - 40)) - 1;
    } else if (fate < 50 && billing < export_day - 30) { // cancelled at once
      canceled = ended = rng.range(billing + 1, export_day - 1);
      status = "canceled";
      reason = "cancellation_requested";
    }
    if (period_start < 0) { // the period running on the export day (or the last one)
      const std::int64_t until = ended >= 0 ? ended - 1 : export_day;
      period_start = status == "trialing" ? start : billing;
      while (status != "trialing" && boundary_after(period_start) <= until) period_start = boundary_after(period_start);
    } else if (status == "unpaid") {
      period_start = boundary_after(period_start);
    }
    if (at_period_end && ended < 0) // asked for in the period that it ends
      canceled = std::min(std::max(canceled, period_start + 1), export_day - 1);
    const std::int64_t period_end = status == "trialing" ? trial_end : boundary_after(period_start);
    char id[32], customer[24];
    std::snprintf(id, sizeof id, "sub_1L%04d%04X", c, static_cast<unsigned>(rng.range(0, 65535)));
    std::snprintf(customer, sizeof customer, "cus_L%04d", c);
    const auto stamp = [](std::int64_t day) { return day < 0 ? std::string() : date_text(day) + " 09:00"; };
    out << id << "," << customer << "," << k_first[c % 16] << " " << k_second[(c * 5) % 12] << "," << k_plans[plan]
        << "," << std::to_string(seats) << ",usd,month," << money(k_amounts[plan]) << "," << status << ","
        << stamp(start) << "," << stamp(start) << "," << stamp(period_start) << "," << stamp(period_end) << ","
        << (trial ? stamp(start) : "") << "," << (trial ? stamp(trial_end) : "") << "," << stamp(canceled) << ","
        << (at_period_end ? "true" : "false") << "," << stamp(cancel_at) << "," << stamp(ended) << "," << reason
        << "\n";
  }
}

/// chargebee_mrr_summary.csv: Chargebee's subscription_mrr_monthly_summary (one row per
/// subscription and month-end, MRR in the billing currency with the month-end rate into
/// the site's reporting currency, USD) for 90 customers over 12 months; some customers
/// hold two subscriptions, some are billed in EUR or GBP.
void chargebee(const std::string& dir) {
  Out out(dir + "/chargebee_mrr_summary.csv");
  Rng rng(20261107);
  const int months = 12; // 2025-11 .. 2026-10
  const std::vector<History> all = simulate(rng, 60, months, 3);
  const char* k_eur[] = {"1.0562", "1.0437", "1.0355", "1.0412", "1.0838", "1.0791",
                         "1.1346", "1.1312", "1.1719", "1.1652", "1.1701", "1.1618"};
  const char* k_gbp[] = {"1.2641", "1.2515", "1.2433", "1.2602", "1.2943", "1.3087",
                         "1.3402", "1.3325", "1.3556", "1.3514", "1.3462", "1.3310"};
  out << "id,customer_id,subscription_id,reporting_timezone,reporting_month,status,status_previous,billing_currency_"
         "code,"
         "mrr_billing_currency,mrr_previous_billing_currency,reporting_currency_code,exchange_rate,exchange_rate_"
         "previous\n";
  int row = 0;
  for (const History& h : all) {
    const std::int64_t pick = rng.range(0, 9);
    const char* currency = pick < 7 ? "USD" : pick < 9 ? "EUR" : "GBP";
    const bool two = rng.chance(250); // a second subscription carries a share of the MRR
    const std::int64_t share = two ? rng.range(20, 45) : 0;
    for (int part = 0; part < (two ? 2 : 1); ++part) {
      char sub[32], customer[32];
      std::snprintf(customer, sizeof customer, "cb_cust_%04d", h.id);
      std::snprintf(sub, sizeof sub, "cb_sub_%04d_%d", h.id, part + 1);
      std::int64_t previous = 0;
      bool created = false;
      std::string status_previous;
      for (int m = 0; m < months; ++m) {
        const std::int64_t total = h.mrr[static_cast<std::size_t>(m)];
        // In the billing currency: cents of USD divided by the month's rate would not be
        // whole cents, so the simulated history is taken as billing-currency amounts.
        const std::int64_t mrr = !two ? total
            : part == 0               ? total - total * share / 100 / 100 * 100
                                      : total * share / 100 / 100 * 100;
        if (!created && mrr == 0) continue;
        created = true;
        const std::string status = mrr > 0 ? "active" : "cancelled";
        const int y = 2025 + (10 + m) / 12, mo = (10 + m) % 12 + 1;
        const std::string day =
            date_text(days_from_civil(y + (mo == 12), static_cast<unsigned>(mo % 12 + 1), 1) - 1); // month end
        const bool usd = std::strcmp(currency, "USD") == 0;
        const char* rate = usd ? "1" : std::strcmp(currency, "EUR") == 0 ? k_eur[m] : k_gbp[m];
        const char* rate_previous = m == 0      ? ""
            : usd                               ? "1"
            : std::strcmp(currency, "EUR") == 0 ? k_eur[m - 1]
                                                : k_gbp[m - 1];
        char id[32];
        std::snprintf(id, sizeof id, "mrrsum_%06d", ++row);
        out << id << "," << customer << "," << sub << ",Etc/UTC," << day << "," << status << "," << status_previous
            << "," << currency << "," << money(mrr) << "," << (m == 0 ? "" : money(previous)) << ",USD," << rate << ","
            << rate_previous << "\n";
        previous = mrr;
        status_previous = status;
      }
    }
  }
}

/// samples/recurly/subscriptions.csv (issue 32): Recurly's subscriptions export (the columns of
/// docs.recurly.com/docs/subscriptions-exports and of the API's subscription object) of a company
/// billing in USD: monthly, quarterly and yearly plans and a 30-day pass, seats, add-ons, trials,
/// cancellations at the end of the term (canceled, then expired), paused, failed and future
/// subscriptions. Timestamps carry the site's zone, as Recurly's exports write them. Exported
/// on 2026-11-01.
void recurly(const std::string& dir) {
  std::filesystem::create_directories(dir + "/recurly");
  Out out(dir + "/recurly/subscriptions.csv");
  Rng rng(20261132);
  struct Plan {
    const char* code;
    const char* name;
    int months, days; // the billing interval: months, or days when months is 0
    std::int64_t cents;
    int seats_max;
    std::int64_t add_on; // an add-on's price per interval, 0: none
  };
  constexpr Plan k_plans[] = {
      {"basic-monthly", "Basic", 1, 0, 2'900, 1, 0},
      {"team-monthly", "Team", 1, 0, 1'500, 25, 4'900},
      {"team-quarterly", "Team (quarterly)", 3, 0, 4'200, 25, 0},
      {"pro-annual", "Pro", 12, 0, 99'000, 1, 12'000},
      {"pass-30-day", "30-day pass", 0, 30, 3'900, 1, 0},
  };
  const std::int64_t export_day = days_from_civil(2026, 11, 1);
  const std::int64_t first_day = days_from_civil(2025, 11, 1);
  const auto boundary = [](const Plan& p, std::int64_t start, int k) {
    return p.months == 0 ? start + static_cast<std::int64_t>(p.days) * k : month_boundary(start, p.months * k);
  };
  out << "uuid,account_code,email,plan_code,plan_name,state,quantity,unit_amount,add_ons_total,currency,"
         "activated_at,canceled_at,expires_at,current_period_started_at,current_period_ends_at,trial_started_at,"
         "trial_ends_at,paused_at\n";
  int sub_no = 0;
  const auto subscription = [&](const std::string& account, const Plan& plan, std::int64_t start) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "5e%06d%08llx%04x", ++sub_no, static_cast<unsigned long long>(rng.next() >> 32),
                  static_cast<unsigned>(rng.range(0, 65535)));
    const std::int64_t seats = rng.range(1, plan.seats_max);
    const bool trial = plan.months > 0 && rng.chance(150);
    const std::int64_t billing = trial ? start + 14 : start;
    std::string state = "active";
    std::int64_t canceled = -1, expires = -1, paused = -1;
    if (rng.chance(180)) { // asked to cancel: the subscription ends with the term then running
      canceled = std::min(rng.range(billing + 1, export_day + 30), export_day - 1 - rng.range(0, 3));
      canceled = std::max(canceled, start + 1);
      int k = 1;
      while (boundary(plan, billing, k) <= canceled) ++k;
      expires = boundary(plan, billing, k);
      state = expires <= export_day ? "expired" : "canceled";
    } else if (!trial && rng.chance(40)) { // paused at its last renewal
      int k = 1;
      while (boundary(plan, billing, k + 1) <= export_day) ++k;
      paused = boundary(plan, billing, k) <= export_day - 1 ? boundary(plan, billing, k) : -1;
      if (paused > billing) state = "paused";
      else paused = -1;
    }
    // The current period: the one running on the export day (or the last one).
    const std::int64_t until = state == "expired" ? expires - 1 : state == "paused" ? paused : export_day;
    std::int64_t period_start = billing, period_end = boundary(plan, billing, 1);
    for (int k = 1; period_end <= until; ++k) {
      period_start = period_end;
      period_end = boundary(plan, billing, k + 1);
    }
    if (trial && billing > export_day) {
      period_start = start;
      period_end = billing;
    }
    const std::string at = clock_time(rng) + ":00 UTC"; // one subscription's events share its time of day
    const auto stamp = [&at](std::int64_t day) { return day < 0 ? std::string() : date_text(day) + at; };
    const std::int64_t add_ons = plan.add_on > 0 && rng.chance(400) ? plan.add_on : 0;
    out << uuid << "," << account << ",billing@" << account << ".example.com," << plan.code << "," << plan.name << ","
        << state << "," << std::to_string(seats) << "," << money(plan.cents) << "," << money(add_ons) << ",USD,"
        << stamp(start) << "," << stamp(canceled) << "," << stamp(expires) << "," << stamp(period_start) << ","
        << stamp(period_end) << "," << (trial ? stamp(start) : "") << "," << (trial ? stamp(billing) : "") << ","
        << stamp(paused) << "\n";
  };
  for (int c = 1; c <= 120; ++c) {
    char account[24];
    std::snprintf(account, sizeof account, "acct-%04d", c);
    const std::int64_t start = rng.range(first_day, export_day - 3);
    subscription(account, k_plans[rng.range(0, 4)], start);
    if (rng.chance(200) && start + 20 < export_day - 1) // a second subscription: expansion
      subscription(account, k_plans[rng.range(0, 3)], rng.range(start + 20, export_day - 1));
  }
  // A card that failed its validation (never created), and a subscription that starts later.
  out << "5e9990010000000000000001,acct-9001,billing@acct-9001.example.com,team-monthly,Team,failed,5,15.00,0.00,USD,"
         ",,,,,,,\n"
         "5e9990020000000000000002,acct-9002,billing@acct-9002.example.com,pro-annual,Pro,future,1,990.00,0.00,USD,"
         ",,,2026-11-15 00:00:00 UTC,2027-11-15 00:00:00 UTC,,,\n";
}

// ---- Kill Bill (issue 32) ----------------------------------------------------------------

/// A Kill Bill plan as the catalog gives it: product, billing period, recurring price in cents.
struct KbPlan {
  const char* product;
  const char* period;
  int months; // of the billing period
  std::int64_t cents;
};
constexpr KbPlan k_kb_plans[] = {{"Standard", "MONTHLY", 1, 4'900},
                                 {"Premium", "MONTHLY", 1, 14'900},
                                 {"Premium", "ANNUAL", 12, 149'000},
                                 {"Enterprise", "QUARTERLY", 3, 120'000}};
constexpr KbPlan k_kb_addon{"Extra-Seats", "MONTHLY", 1, 2'000};

/// One row of analytics_subscription_transitions before its prev_* columns are known.
struct KbRow {
  std::int64_t day = 0, requested = 0, created = 0;
  std::string event, service, state;
  const KbPlan* plan = nullptr; // null: no next plan (a stop)
  bool trial = false;
};

/// Numeric(10,4) text of 1/10000 units.
std::string kb_number(std::int64_t units) {
  std::string frac = std::to_string(units % 10000);
  return std::to_string(units / 10000) + "." + std::string(4 - frac.size(), '0') + frac;
}

/// The next_* (or prev_*) columns of a state, 17 cells from product_name to start_date.
std::string kb_state(const KbRow* r, const std::string& category) {
  if (r == nullptr) return ",,,,,,,,,,,,,,,"; // 16 empty cells
  const KbPlan* p = r->plan;
  std::string price, mrr, period, phase, product, slug;
  if (p != nullptr) {
    product = p->product;
    phase = r->trial ? "TRIAL" : "EVERGREEN";
    slug = std::string(p->product) + "-" +
        (p->months == 1       ? "monthly"
             : p->months == 3 ? "quarterly"
                              : "annual") +
        "-" + (r->trial ? "trial" : "evergreen");
    if (!r->trial) { // a trial phase has no recurring price: Kill Bill leaves price and period null
      period = p->period;
      price = kb_number(p->cents * 100);
      mrr = kb_number((p->cents * 100 * 2 / p->months + 1) / 2); // the plugin's HALF_UP to 4 decimals
    }
  }
  const std::string cat = p == nullptr ? "" : category;
  return product + "," + (p == nullptr ? "" : "SaaS") + "," + cat + "," + slug + "," + phase + "," + period + "," +
      price + "," + price + "," + (p == nullptr ? "" : "DEFAULT") + "," + mrr + "," + mrr + "," +
      (p == nullptr ? "" : "USD") + "," + r->service + "," + r->state + ",true," + date_text(r->day);
}

/// One subscription's timeline: START (with a trial phase or not), perhaps a pause, a plan
/// change, a stop; each entitlement+billing event (a phase, a change) is two rows, as the
/// plugin multiplexes it.
std::vector<KbRow> kb_timeline(Rng& rng, std::int64_t start, std::int64_t export_day, const KbPlan* plan, bool addon) {
  std::vector<KbRow> rows;
  const std::int64_t created = start; // a phase is recorded when the subscription is created
  const auto add = [&](std::int64_t day, std::int64_t asked, const char* event, const char* service, const char* state,
                       const KbPlan* p, bool trial) {
    rows.push_back(KbRow{day, asked, std::min(asked, export_day), event, service, state, p, trial});
  };
  const bool trial = !addon && rng.chance(400);
  add(start, start, "START_ENTITLEMENT", "entitlement-service", "ENT_STARTED", plan, trial);
  add(start, start, "START_BILLING", "billing-service", "START_BILLING", plan, trial);
  std::int64_t day = start;
  if (trial) {
    day = start + 30;
    if (rng.chance(300)) { // cancelled at the trial's end, asked for during it
      const std::int64_t asked = start + rng.range(5, 25);
      add(day, asked, "STOP_ENTITLEMENT", "entitlement-service", "ENT_CANCELLED", nullptr, false);
      add(day, asked, "STOP_BILLING", "billing-service", "STOP_BILLING", nullptr, false);
      return rows;
    }
    for (const char* service : {"entitlement-service", "billing-service"})
      rows.push_back(KbRow{day, day, created, "SYSTEM_CHANGE", service, "PHASE", plan, false});
  }
  if (!addon && rng.chance(120)) { // a pause of one to three months
    const std::int64_t paused = day + rng.range(40, 120), resumed = paused + rng.range(30, 90);
    if (resumed < export_day) {
      add(paused, paused, "PAUSE_ENTITLEMENT", "entitlement-service", "ENT_BLOCKED", plan, false);
      add(paused, paused, "PAUSE_BILLING", "billing-service", "BLOCK_BILLING", plan, false);
      add(resumed, resumed, "RESUME_ENTITLEMENT", "entitlement-service", "ENT_CLEAR", plan, false);
      add(resumed, resumed, "RESUME_BILLING", "billing-service", "CLEAR_BILLING", plan, false);
      day = resumed;
    }
  }
  if (!addon && rng.chance(250)) { // an upgrade or a downgrade
    const std::int64_t changed = day + rng.range(20, 200);
    if (changed < export_day) {
      plan = plan == &k_kb_plans[0] ? &k_kb_plans[1 + rng.range(0, 2)] : &k_kb_plans[0];
      for (const char* service : {"entitlement-service", "billing-service"})
        rows.push_back(KbRow{changed, changed, changed, "CHANGE", service, "CHANGE", plan, false});
      day = changed;
    }
  }
  if (rng.chance(200)) { // a cancellation, at the end of term: asked for before it takes effect
    const std::int64_t asked = day + rng.range(10, 250), ends = asked + rng.range(0, 30);
    if (asked < export_day) {
      add(ends, asked, "STOP_ENTITLEMENT", "entitlement-service", "ENT_CANCELLED", nullptr, false);
      add(ends, asked, "STOP_BILLING", "billing-service", "STOP_BILLING", nullptr, false);
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const KbRow& a, const KbRow& b) { return a.day < b.day; });
  return rows;
}

/// killbill/subscription_transitions.csv: the analytics plugin's analytics_subscription_transitions
/// (every column of its DDL, in order) for 60 accounts in USD, starting from 2025-11 to 2026-09,
/// some with an add-on, trials, pauses, plan changes and cancellations; two test accounts. The
/// last transition was recorded on 2026-11-03.
void killbill(const std::string& dir) {
  std::filesystem::create_directories(dir + "/killbill");
  Out out(dir + "/killbill/subscription_transitions.csv");
  Rng rng(20261203);
  const std::int64_t first = days_from_civil(2025, 11, 3), export_day = days_from_civil(2026, 11, 3);
  out << "record_id,subscription_event_record_id,bundle_id,bundle_external_key,subscription_id,requested_timestamp,"
         "event,prev_product_name,prev_product_type,prev_product_category,prev_slug,prev_phase,prev_billing_period,"
         "prev_price,converted_prev_price,prev_price_list,prev_mrr,converted_prev_mrr,prev_currency,prev_service,"
         "prev_state,prev_business_active,prev_start_date,next_product_name,next_product_type,next_product_category,"
         "next_slug,next_phase,next_billing_period,next_price,converted_next_price,next_price_list,next_mrr,"
         "converted_next_mrr,next_currency,next_service,next_state,next_business_active,next_start_date,"
         "next_end_date,converted_currency,created_date,created_by,created_reason_code,created_comments,account_id,"
         "account_name,account_external_key,account_record_id,tenant_record_id,report_group\n";
  std::int64_t record = 0, event_record = 1000;
  for (int a = 1; a <= 60; ++a) {
    char account[64], bundle[64], key[24];
    std::snprintf(account, sizeof account, "7c1e%04x-0a4b-4c1d-9e2f-%012x", a, static_cast<unsigned>(a * 7919));
    std::snprintf(bundle, sizeof bundle, "b5d2%04x-61f0-4e8a-8c3b-%012x", a, static_cast<unsigned>(a * 104729));
    std::snprintf(key, sizeof key, "acct-%03d", a);
    const std::string name = std::string(k_first[a % 16]) + " " + k_second[(a * 7) % 12];
    const std::int64_t start = first + rng.range(0, 320);
    const KbPlan* plan = &k_kb_plans[rng.range(0, 3)];
    const bool test = a == 17 || a == 44;
    for (int part = 0; part < (rng.chance(200) ? 2 : 1); ++part) {
      const bool addon = part == 1;
      char sub[64];
      std::snprintf(sub, sizeof sub, "5e0a%04x-%04x-4f6b-a1d7-%012x", a, part, static_cast<unsigned>(a * 31337));
      const std::vector<KbRow> rows =
          kb_timeline(rng, addon ? start + rng.range(15, 60) : start, export_day, addon ? &k_kb_addon : plan, addon);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const KbRow& r = rows[i];
        const KbRow *prev = nullptr, *following = nullptr; // the same service's rows before and after
        for (std::size_t j = 0; j < i; ++j)
          if (rows[j].service == r.service) prev = &rows[j];
        for (std::size_t j = rows.size(); j-- > i + 1;)
          if (rows[j].service == r.service) following = &rows[j];
        const std::string category = addon ? "ADD_ON" : "BASE";
        const bool stop = r.plan == nullptr;
        ++record;
        out << std::to_string(record) << "," << std::to_string(event_record + record / 2) << "," << bundle << "," << key
            << "-" << std::to_string(part + 1) << "," << sub << "," << date_text(r.requested) << "," << r.event << "_"
            << category << "," << kb_state(prev, category) << ",";
        if (stop) out << ",,,,,,,,,,,," << r.service << "," << r.state << ",true," << date_text(r.day);
        else out << kb_state(&r, category);
        out << "," << (following != nullptr ? date_text(following->day) : "") << ",USD," << date_text(r.created)
            << clock_time(rng) << ":00,admin,,," << account << "," << name << "," << key << "," << std::to_string(a)
            << ",1," << (test ? "test" : "default") << "\n";
      }
    }
  }
}

int main(int argc, char** argv) {
  if (argc == 2 && argv[1][0] != '-') {
    const std::string dir = argv[1];
    month_end(dir);
    german_excel(dir);
    quarterly(dir);
    broken(dir);
    mrr_matrix(dir);
    costs(dir);
    cohorts_logos(dir);
    chartmogul(dir);
    joined(dir);
    stripe(dir);
    stripe_lifecycle(dir);
    chargebee(dir);
    recurly(dir);
    killbill(dir);
    return 0;
  }
  if (argc >= 3 && std::strcmp(argv[1], "--snapshots") == 0) {
    const std::int64_t months = argc >= 5 && std::strcmp(argv[3], "--months") == 0 ? number(argv[4]) : 24;
    snapshots_bench(number(argv[2]), static_cast<int>(months), 7);
    return 0;
  }
  std::int64_t rows = 0, periods = 1;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") rows = number(argv[i + 1]);
    else if (flag == "--seed") seed = static_cast<std::uint64_t>(number(argv[i + 1]));
    else if (flag == "--periods") periods = number(argv[i + 1]);
    else rows = 0;
  }
  if (rows == 0 || argc % 2 == 0) {
    std::fprintf(stderr, "usage: gen_samples DIR | gen_samples --rows N [--seed S] [--periods P]\n");
    return 2;
  }
  bench(rows, seed, periods);
  return 0;
}
