#pragma once
// Great-circle distance for the BaasBox `where`/`fields` function distance() (baasbox.md §8.5):
// OrientDB's meaning — arguments in degrees, result in km, haversine with R = 6371 km.
//
// One C++ definition serves the in-memory evaluator, `fields` projections and SQLite's
// gb_distance(); PostgreSQL compiles the very same operations, in the same order, from its own
// radians/sin/cos/sqrt/asin/greatest/least (baasbox/where_sql.cpp), so every store answers alike:
//   φ1 = radians(lat1), φ2 = radians(lat2), λ1 = radians(lon1), λ2 = radians(lon2)
//   s1 = sin((φ2 - φ1) / 2), s2 = sin((λ2 - λ1) / 2)
//   a  = s1 * s1 + cos(φ1) * cos(φ2) * s2 * s2
//   d  = 12742 * asin(least(1, sqrt(greatest(0, a))))
// Differences are taken in radians, so no finite input overflows; `a` is clamped to [0, 1]
// against rounding (PostgreSQL raises an error for sqrt of a negative or asin beyond 1).
#include <algorithm>
#include <cmath>

namespace gridbase::util {

/// PostgreSQL's radians(x) is x * RADIANS_PER_DEGREE (utils/float.h), this constant.
inline constexpr double kRadiansPerDegree = 0.0174532925199432957692;
/// 2 R, R = 6371 km.
inline constexpr double kEarthDiameterKm = 12742.0;

/// Haversine distance in km between two points given in degrees.
inline double HaversineKm(double lat1, double lon1, double lat2, double lon2) {
  double p1 = lat1 * kRadiansPerDegree, p2 = lat2 * kRadiansPerDegree;
  double l1 = lon1 * kRadiansPerDegree, l2 = lon2 * kRadiansPerDegree;
  double s1 = std::sin((p2 - p1) / 2);
  double s2 = std::sin((l2 - l1) / 2);
  double a = s1 * s1 + std::cos(p1) * std::cos(p2) * s2 * s2;
  return kEarthDiameterKm * std::asin(std::min(1.0, std::sqrt(std::max(0.0, a))));
}

}  // namespace gridbase::util
