#include "util/decimal.hpp"

#include <charconv>
#include <cmath>

namespace gridbase::util {

std::optional<Decimal> ParseDecimal(std::string_view s) {
  size_t i = 0;
  Decimal d;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    d.negative = s[i] == '-';
    ++i;
  }
  std::string whole, frac;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole += s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') frac += s[i++];
  }
  if (whole.empty() && frac.empty()) return std::nullopt;
  int exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    std::string e;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') e += s[i++];
    if (e.empty() || e.size() > 6) return std::nullopt;
    exp = std::stoi(e) * (neg ? -1 : 1);
  }
  if (i != s.size()) return std::nullopt;
  d.digits = whole + frac;
  d.exponent = exp - static_cast<int>(frac.size());
  size_t nz = d.digits.find_first_not_of('0');
  d.digits = nz == std::string::npos ? "0" : d.digits.substr(nz);
  return d;
}

std::string QuantizeDecimal(const Decimal& d, int places) {
  // n = value × 10^places as a digit string, rounded half away from zero.
  std::string n;
  int shift = d.exponent + places;
  if (shift >= 0) {
    n = d.digits + std::string(static_cast<size_t>(shift), '0');
  } else {
    size_t cut = static_cast<size_t>(-shift);
    std::string digits = d.digits;
    if (cut > digits.size()) digits = std::string(cut - digits.size(), '0') + digits;
    n = digits.substr(0, digits.size() - cut);
    bool round_up = digits[digits.size() - cut] >= '5';
    if (n.empty()) n = "0";
    if (round_up) {
      int k = static_cast<int>(n.size()) - 1;
      while (k >= 0 && n[static_cast<size_t>(k)] == '9') n[static_cast<size_t>(k--)] = '0';
      if (k < 0) n = "1" + n;
      else ++n[static_cast<size_t>(k)];
    }
  }
  if (places > 0 && n.size() < static_cast<size_t>(places) + 1) {
    n = std::string(static_cast<size_t>(places) + 1 - n.size(), '0') + n;
  }
  std::string int_part = n.substr(0, n.size() - static_cast<size_t>(places));
  std::string frac = n.substr(n.size() - static_cast<size_t>(places));
  size_t nz = int_part.find_first_not_of('0');
  int_part = nz == std::string::npos ? "0" : int_part.substr(nz);
  bool zero = int_part == "0" && frac.find_first_not_of('0') == std::string::npos;
  std::string out = (d.negative && !zero ? "-" : "") + int_part;
  if (places > 0) out += "." + frac;
  return out;
}

std::optional<std::string> QuantizeDecimalText(std::string_view text, int places) {
  auto d = ParseDecimal(text);
  if (!d) return std::nullopt;
  return QuantizeDecimal(*d, places);
}

std::string FormatFixed(double v, int places) {
  if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return *QuantizeDecimalText(std::string_view(buf, static_cast<size_t>(p - buf)), places);
}

}  // namespace gridbase::util
