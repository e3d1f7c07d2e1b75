// SPDX-License-Identifier: MIT
// The byte scanners of the parallel pass (issue 13): each has a 16-byte, an 8-byte and a
// byte-by-byte path, so each is checked against a plain loop at every length and offset; the
// single-byte transcoder of --encoding is checked against iconv.
#include "ingest/engine/chunks.hpp"
#include "ingest/engine/line_source.hpp"

#include <catch2/catch.hpp>

#include <iconv.h>

#include <string>
#include <utility>

namespace test_scan {

using namespace cskpi::ingest;

TEST_CASE("field_end finds the first delimiter, quote or NUL byte, and never reads past the end", "[scan]") {
  const auto plain = [](const char* p, const char* end, char delim) {
    while (p != end && *p != delim && *p != '"' && *p != '\0') ++p;
    return p;
  };
  for (const char delim : {',', ';', '\t'})
    for (std::size_t n = 0; n <= 40; ++n)
      for (std::size_t at = 0; at <= n; ++at)
        for (const char stop : {delim, '"', '\0'}) {
          // A heap copy of exactly n bytes: a read past its end is an ASan error.
          std::string text(n, 'x');
          for (std::size_t i = 0; i < n; ++i) text[i] = static_cast<char>('a' + i % 26);
          if (at < n) text[at] = stop;
          const auto bytes = std::make_unique<char[]>(n == 0 ? 1 : n);
          std::copy(text.begin(), text.end(), bytes.get());
          const char* const end = bytes.get() + n;
          REQUIRE(field_end(bytes.get(), end, delim) == plain(bytes.get(), end, delim));
        }
}

TEST_CASE("has_high_byte sees a byte >= 0x80 at any position of any length", "[scan]") {
  for (std::size_t n = 0; n <= 200; ++n) {
    std::string text(n, 'a');
    CHECK_FALSE(has_high_byte(text));
    for (std::size_t at = 0; at < n; ++at) {
      text[at] = static_cast<char>(0x80 + at % 128);
      REQUIRE(has_high_byte(text));
      text[at] = static_cast<char>(0x7F);
      REQUIRE_FALSE(has_high_byte(text));
      text[at] = 'a';
    }
  }
}

TEST_CASE("compare_padded orders text as string_view::compare does", "[scan]") {
  // Every pair of texts up to 20 bytes over a few letters and a byte >= 0x80 (unsigned, as
  // compare() takes it), the padding past each text filled with bytes that must not count.
  const std::string letters = "ab\xE9";
  std::vector<std::string> texts{""};
  for (std::size_t n = 1; n <= 20; ++n) {
    texts.push_back(std::string(n, 'a'));
    texts.push_back(std::string(n - 1, 'a') + "b");
    texts.push_back(std::string(n, 'b'));
    texts.push_back(letters.substr(n % 3, 1) + std::string(n - 1, 'a'));
    texts.push_back(std::string(n - 1, 'a') + letters.substr(n % 3, 1));
  }
  const auto sign = [](int x) { return (x > 0) - (x < 0); };
  for (const std::string& a : texts)
    for (const std::string& b : texts) {
      std::string pa = a + std::string(16, '\xFF'), pb = b + std::string(16, 'z');
      INFO("a " << a << ", b " << b);
      REQUIRE(sign(compare_padded(pa.data(), a.size(), pb.data(), b.size())) == sign(std::string_view(a).compare(b)));
    }
}

TEST_CASE("single_byte_to_utf8 transcodes every byte as glibc's iconv does", "[scan][encoding]") {
  // iconv is the oracle here: cskpi no longer calls it, so a static binary needs no gconv module.
  using cskpi::ingest::Encoding;
  for (const auto& [encoding, name] :
       {std::pair{Encoding::cp1252, "CP1252"}, std::pair{Encoding::latin1, "ISO-8859-1"}}) {
    iconv_t cd = ::iconv_open("UTF-8", name);
    REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
    for (int b = 0; b < 256; ++b) {
      std::string in = "a";
      in.push_back(static_cast<char>(b));
      in += "z";
      std::string want(16, '\0');
      char* from = in.data();
      char* to = want.data();
      std::size_t from_left = in.size(), to_left = want.size();
      const bool defined = ::iconv(cd, &from, &from_left, &to, &to_left) != static_cast<std::size_t>(-1);
      ::iconv(cd, nullptr, nullptr, nullptr, nullptr); // reset after a failure
      want.resize(want.size() - to_left);
      std::string got = "left over";
      const auto bad = cskpi::ingest::single_byte_to_utf8(in, encoding, got);
      INFO(name << " byte " << b);
      if (defined) {
        CHECK(!bad);
        CHECK(got == want);
      } else {
        REQUIRE(bad);
        CHECK(*bad == 1);
      }
    }
    ::iconv_close(cd);
  }
  std::string out;
  CHECK(!cskpi::ingest::single_byte_to_utf8("M\xfcller \x80 \x9f", Encoding::cp1252, out));
  CHECK(out == "M\xc3\xbcller \xe2\x82\xac \xc5\xb8");
  CHECK(!cskpi::ingest::single_byte_to_utf8("M\xfcller \x80 \x9f", Encoding::latin1, out));
  CHECK(out == "M\xc3\xbcller \xc2\x80 \xc2\x9f");
  CHECK(cskpi::ingest::single_byte_to_utf8("ab\x8d", Encoding::cp1252, out) == std::optional<std::size_t>(2));
}

} // namespace test_scan
