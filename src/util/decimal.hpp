#pragma once
// Exact decimal text: parsing literals as Python's Decimal sees them and rounding them half
// away from zero (ROUND_HALF_UP) to a number of places, all on digit strings.
#include <optional>
#include <string>
#include <string_view>

namespace gridbase::util {

struct Decimal {
  bool negative = false;
  std::string digits;  // without leading zeros, "0" for zero
  int exponent = 0;    // value = digits × 10^exponent
};

/// "[+-]digits[.digits][e[+-]n]"; nullopt for anything else.
std::optional<Decimal> ParseDecimal(std::string_view text);
/// The value rounded half away from zero to `places`, printed with exactly that many
/// fractional digits ("-1.20", "0", "100.00000000000000000000"); never "-0".
std::string QuantizeDecimal(const Decimal& d, int places);
std::optional<std::string> QuantizeDecimalText(std::string_view text, int places);
/// A double through its shortest round-trip decimal form, quantized (so 0.125 → "0.13").
std::string FormatFixed(double v, int places);

}  // namespace gridbase::util
