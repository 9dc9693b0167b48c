#pragma once
// HS256 JSON Web Tokens over OpenSSL HMAC (Debian's libjwt 1.10 cannot validate claims).
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace gridbase::util {

/// Encodes `claims` as a compact JWT with header {"alg":"HS256","typ":"JWT"}.
std::string JwtEncodeHs256(const boost::json::object& claims, std::string_view key);

/// Verifies the signature (header `alg` must be exactly HS256; `none` and every other
/// algorithm are refused) and returns the claims. Claim checks (exp, type) are the caller's.
std::optional<boost::json::object> JwtDecodeHs256(std::string_view token, std::string_view key);

/// A tamper-proof `payload.signature` string (base64url), like Django's signing module.
std::string SignValue(std::string_view key, std::string_view salt, std::string_view payload);
std::optional<std::string> UnsignValue(std::string_view key, std::string_view salt,
                                       std::string_view signed_value);

}  // namespace gridbase::util
