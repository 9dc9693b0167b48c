#pragma once
// Cryptographic helpers over OpenSSL (HMAC, SHA-256) and libsodium (CSPRNG, argon2id).
#include <optional>
#include <string>
#include <string_view>

namespace gridbase::util {

/// Must be called once before any other function here (initialises libsodium).
void InitCrypto();

std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string Sha256Hex(std::string_view data);
std::string Base64UrlEncode(std::string_view raw);  // unpadded
std::optional<std::string> Base64UrlDecode(std::string_view text);
bool ConstantTimeEqual(std::string_view a, std::string_view b);

std::string RandomBytes(size_t n);
std::string RandomHex(size_t bytes);             // 2*bytes lowercase hex chars
std::string RandomAlphanumeric(size_t length);   // [A-Za-z0-9], unbiased
std::string NewUuid();                           // random (version 4) UUID, lower-case

/// argon2id hash in libsodium's self-describing string form. Parameters follow OWASP's
/// argon2id recommendation (t=2, m=19 MiB, p=1).
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace gridbase::util
