#include "util/jwt.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "util/crypto.hpp"

namespace gridbase::util {

namespace json = boost::json;

std::string JwtEncodeHs256(const json::object& claims, std::string_view key) {
  std::string signing_input = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  signing_input += '.';
  signing_input += Base64UrlEncode(json::serialize(claims));
  std::string sig = Base64UrlEncode(HmacSha256(key, signing_input));
  return signing_input + "." + sig;
}

std::optional<json::object> JwtDecodeHs256(std::string_view token, std::string_view key) {
  size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return std::nullopt;
  auto header_raw = Base64UrlDecode(token.substr(0, d1));
  auto payload_raw = Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = Base64UrlDecode(token.substr(d2 + 1));
  if (!header_raw || !payload_raw || !sig) return std::nullopt;
  boost::system::error_code ec;
  json::value header = json::parse(*header_raw, ec);
  if (ec || !header.is_object()) return std::nullopt;
  const auto* alg = header.as_object().if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string() != "HS256") return std::nullopt;
  std::string expected = HmacSha256(key, token.substr(0, d2));
  if (!ConstantTimeEqual(expected, *sig)) return std::nullopt;
  json::value payload = json::parse(*payload_raw, ec);
  if (ec || !payload.is_object()) return std::nullopt;
  return std::move(payload.as_object());
}

std::string SignValue(std::string_view key, std::string_view salt, std::string_view payload) {
  std::string encoded = Base64UrlEncode(payload);
  std::string mac_key = std::string(salt) + "signer" + std::string(key);
  return encoded + "." + Base64UrlEncode(HmacSha256(mac_key, encoded));
}

std::optional<std::string> UnsignValue(std::string_view key, std::string_view salt,
                                       std::string_view signed_value) {
  size_t dot = signed_value.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view encoded = signed_value.substr(0, dot);
  auto sig = Base64UrlDecode(signed_value.substr(dot + 1));
  if (!sig) return std::nullopt;
  std::string mac_key = std::string(salt) + "signer" + std::string(key);
  if (!ConstantTimeEqual(HmacSha256(mac_key, encoded), *sig)) return std::nullopt;
  return Base64UrlDecode(encoded);
}

}  // namespace gridbase::util
