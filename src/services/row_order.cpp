#include "services/row_order.hpp"

#include <cmath>

namespace gridbase::services {

namespace {

using i128 = __int128;

struct Frac {
  i128 n;
  i128 d;
};

/// The exact fraction of a finite non-negative double (denominator a power of two).
std::optional<Frac> Exact(double x) {
  if (!std::isfinite(x) || x < 0 || x >= 9.0e15) return std::nullopt;
  if (x == 0) return Frac{0, 1};
  int e = 0;
  double m = std::frexp(x, &e);
  auto mant = static_cast<i128>(std::ldexp(m, 53));
  int exp2 = e - 53;
  if (exp2 >= 0) return Frac{mant << exp2, 1};
  if (exp2 < -120) return std::nullopt;
  i128 d = static_cast<i128>(1) << (-exp2);
  while (mant % 2 == 0 && d > 1) {
    mant /= 2;
    d /= 2;
  }
  return Frac{mant, d};
}

i128 Abs(i128 v) { return v < 0 ? -v : v; }

/// Python's Fraction.limit_denominator.
Frac LimitDenominator(Frac f, i128 max_den) {
  if (f.d <= max_den) return f;
  i128 p0 = 0, q0 = 1, p1 = 1, q1 = 0, n = f.n, d = f.d;
  while (true) {
    i128 a = n / d;
    i128 q2 = q0 + a * q1;
    if (q2 > max_den) break;
    i128 np1 = p0 + a * p1;
    p0 = p1;
    q0 = q1;
    p1 = np1;
    q1 = q2;
    i128 r = n - a * d;
    n = d;
    d = r;
    if (d == 0) break;
  }
  i128 k = (max_den - q0) / q1;
  Frac b1{p0 + k * p1, q0 + k * q1}, b2{p1, q1};
  // |b2 - f| <= |b1 - f|  ⇔  |b2.n f.d - f.n b2.d| * b1.d <= |b1.n f.d - f.n b1.d| * b2.d
  i128 e2 = Abs(b2.n * f.d - f.n * b2.d), e1 = Abs(b1.n * f.d - f.n * b1.d);
  // Both products can be large; compare as long double to stay in range.
  long double l2 = static_cast<long double>(e2) * static_cast<long double>(b1.d);
  long double l1 = static_cast<long double>(e1) * static_cast<long double>(b2.d);
  return l2 <= l1 ? b2 : b1;
}

bool LessEq(const Frac& a, const Frac& b) { return a.n * b.d <= b.n * a.d; }

}  // namespace

std::optional<double> IntermediateOrder(double lo_value, double hi_value) {
  auto lo_exact = Exact(lo_value), hi_exact = Exact(hi_value);
  if (!lo_exact || !hi_exact) return std::nullopt;
  Frac lo = LimitDenominator(*lo_exact, 10000000), hi = LimitDenominator(*hi_exact, 10000000);
  if (!(lo.n * hi.d < hi.n * lo.d)) return std::nullopt;
  Frac result;
  if (lo.n * hi.d + 1 == hi.n * lo.d) {
    result = Frac{lo.n + hi.n, lo.d + hi.d};
  } else {
    Frac left{0, 1}, right{1, 0};
    bool found = false;
    for (int i = 0; i < 256 && !found; ++i) {
      Frac med{left.n + right.n, left.d + right.d};
      if (LessEq(med, lo)) {
        // Move right as far as possible: largest k with (L + kR) <= lo.
        i128 den = right.n * lo.d - lo.n * right.d;
        i128 k = den > 0 ? (lo.n * left.d - left.n * lo.d) / den : 1;
        if (k < 1) k = 1;
        left = Frac{left.n + k * right.n, left.d + k * right.d};
      } else if (LessEq(hi, med)) {
        i128 den = hi.n * left.d - left.n * hi.d;
        i128 k = den > 0 ? (right.n * hi.d - hi.n * right.d) / den : 1;
        if (k < 1) k = 1;
        right = Frac{right.n + k * left.n, right.d + k * left.d};
      } else {
        result = med;
        found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  double value = static_cast<double>(static_cast<long double>(result.n) / static_cast<long double>(result.d));
  if (!(value > lo_value && value < hi_value)) return std::nullopt;
  return value;
}

}  // namespace gridbase::services
