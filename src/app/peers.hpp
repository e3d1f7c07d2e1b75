// SPDX-License-Identifier: MIT
// report --peers and --peer-bands, bands --peers (issue 31, part 3): the flags' values parsed,
// and the peer band file read.
#pragma once

#include "metrics/peers.hpp"
#include "report/peers.hpp"

#include <string>

namespace cskpi::app {

/// --peers DIM or DIM=VALUE: arpa, acv or arr, in any case, with the company's value in USD
/// (a non-negative decimal with a point; "12k" and "2.4M" are read too). Throws a usage
/// error that shows the syntax.
PeerChoice parse_peer_choice(const std::string& text);
/// The built-in peer bands with the file at `path` applied ("" for none): its rows replace
/// the built-in rows of every metric it names.
PeerTable load_peer_bands(const std::string& path);

} // namespace cskpi::app
