// SPDX-License-Identifier: MIT
// report --peers (issue 31, part 3): each rated record held against the peer band of its
// group's size, in words for the table, markdown and HTML, and as a "peers" object in JSON.
#pragma once

#include "metrics/peers.hpp"
#include "report/report.hpp"

#include <optional>
#include <string>

namespace cskpi {

/// What --peers asks: the dimension, and the company's value in it when given (USD);
/// without one each group's own is taken (ARPA = ending MRR / ending customers, ACV =
/// 12 x ARPA, ARR = 12 x ending MRR).
struct PeerChoice {
  PeerDimension dimension = PeerDimension::arpa;
  std::optional<double> value;
};

/// Sets Record::peers on every record with a value whose metric the table rates by the
/// chosen dimension. Seed tiers are left as they are.
void rate_against_peers(Report& report, const PeerTable& table, const PeerChoice& choice);

/// "vs peers: above median, better (SaaS Capital 2023, ACV $12k-25k, median 102%)", or why not.
std::string peer_note(const PeerRating& p);
/// Short, for an HTML tile: "above median vs SaaS Capital 2023" or "peers: not comparable".
std::string peer_tile(const PeerRating& p);
/// The record's "peers" object (JSON).
std::string peer_json(const PeerRating& p);

} // namespace cskpi

namespace cskpi {

/// cskpi bands --peers: the peer bands in `format`: table (grouped by metric, dimension and
/// source, with sample, definition, caveats and addresses), json (an array of one object per
/// row, the csv's columns as keys), csv (a --peer-bands file) or markdown.
std::string render_peer_bands(const PeerTable& table, const std::string& format);

} // namespace cskpi
