// Outgoing webhook HTTP calls (webhooks.md §5–§8). Baserow sends webhooks with python
// requests (through the advocate library unless private addresses are allowed); this file
// reproduces what those libraries do where it shows: the prepared URL, redirect handling,
// the call-log texts (json.dumps(indent=4), ensure_ascii), and advocate's address refusal.
#include "services/webhook_client.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <locale.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <unordered_map>

namespace gridbase::services {

// Named (not anonymous) so the unity build of services/ cannot mix these helpers up with
// another file's.
namespace webhook_client_impl {

constexpr char32_t kReplacementChar = 0xFFFD;
constexpr size_t kMaxLogText = 100000;            // BASEROW: truncate_middle(…, 100000)
constexpr int kMaxRedirects = 30;                 // requests' Session.max_redirects
constexpr size_t kMaxBodyBytes = 32u << 20;       // response bytes kept; the rest is dropped
constexpr size_t kMaxJsonDepth = 900;             // Python's recursion limit, roughly
constexpr size_t kMaxIntDigits = 4300;            // Python's int max str digits

// ---------------------------------------------------------------------------------------
// Text helpers

bool IsAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(char32_t c) { return IsAsciiDigit(c) || IsAsciiAlpha(c); }
bool IsHexDigit(char32_t c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexValue(char32_t c) {
  if (IsAsciiDigit(c)) return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  return static_cast<int>(c - 'A' + 10);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && AsciiLower(a) == AsciiLower(b);
}

// UTF-8 → code points; every maximal invalid subsequence becomes U+FFFD (what Python's
// bytes.decode("utf-8", errors="replace") does).
std::u32string DecodeUtf8(std::string_view in) {
  std::u32string out;
  out.reserve(in.size());
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    int need = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      cp = c & 0x0F;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      cp = c & 0x07;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      out.push_back(kReplacementChar);
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool ok = true;
    for (int k = 0; k < need; ++k, ++j) {
      if (j >= n) {
        ok = false;
        break;
      }
      const auto d = static_cast<unsigned char>(in[j]);
      const unsigned char l = k == 0 ? lo : 0x80;
      const unsigned char h = k == 0 ? hi : 0xBF;
      if (d < l || d > h) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (d & 0x3F);
    }
    out.push_back(ok ? cp : kReplacementChar);
    i = j;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string EncodeUtf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) AppendUtf8(out, c);
  return out;
}

// Bytes read as ISO-8859-1 (how Python's http.client reads header lines), as UTF-8.
std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) AppendUtf8(out, static_cast<unsigned char>(c));
  return out;
}

// Python's str.isspace(), which is what `\s` matches in Django's URL regex.
bool IsPySpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// ---------------------------------------------------------------------------------------
// json.loads + json.dumps(indent=4) (ensure_ascii=True, allow_nan=True)

void AppendHex4(std::string& out, unsigned v) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\u";
  out.push_back(kHex[(v >> 12) & 0xF]);
  out.push_back(kHex[(v >> 8) & 0xF]);
  out.push_back(kHex[(v >> 4) & 0xF]);
  out.push_back(kHex[v & 0xF]);
}

void AppendPyEscaped(std::string& out, char32_t c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
  }
  if (c >= 0x20 && c < 0x7F) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x10000) {
    AppendHex4(out, static_cast<unsigned>(c));
  } else {
    const char32_t v = c - 0x10000;
    AppendHex4(out, static_cast<unsigned>(0xD800 | (v >> 10)));
    AppendHex4(out, static_cast<unsigned>(0xDC00 | (v & 0x3FF)));
  }
}

// float.__repr__: shortest round-trip digits; fixed notation for 1e-4 <= |v| < 1e16,
// otherwise d[.ddd]e±XX.
std::string PyFloatRepr(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string out;
  if (!sci.empty() && sci[0] == '-') {
    out.push_back('-');
    sci.erase(0, 1);
  }
  const size_t epos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < epos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  const int exp = std::atoi(sci.c_str() + epos + 1);
  const int decpt = exp + 1;  // value = 0.DIGITS × 10^decpt
  const int ndigits = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= ndigits) {
      out += digits;
      out.append(static_cast<size_t>(decpt - ndigits), '0');
      out += ".0";
    } else {
      out += digits.substr(0, static_cast<size_t>(decpt));
      out.push_back('.');
      out += digits.substr(static_cast<size_t>(decpt));
    }
    return out;
  }
  out.push_back(digits[0]);
  if (ndigits > 1) {
    out.push_back('.');
    out += digits.substr(1);
  }
  out.push_back('e');
  out.push_back(exp < 0 ? '-' : '+');
  const std::string e = std::to_string(exp < 0 ? -exp : exp);
  if (e.size() < 2) out.push_back('0');
  out += e;
  return out;
}

double ParsePyFloat(const std::string& lexeme) {
  double d = 0;
  auto res = std::from_chars(lexeme.data(), lexeme.data() + lexeme.size(), d);
  if (res.ec == std::errc::result_out_of_range) {
    d = std::strtod(lexeme.c_str(), nullptr);  // ±inf on overflow, ±0 on underflow
  }
  return d;
}

struct JsonNode {
  enum class Kind { kScalar, kArray, kObject };
  Kind kind = Kind::kScalar;
  std::string scalar;  // printed form of a string, number or literal
  std::vector<JsonNode> items;
  std::vector<std::pair<std::string, JsonNode>> members;  // key in printed form
};

// Follows the C scanner of Python's json module (strict mode).
class PyJsonReader {
 public:
  explicit PyJsonReader(const std::u32string& s) : s_(s) {}

  bool ParseDocument(JsonNode& root) {
    SkipWs();
    if (!Value(root, 0)) return false;
    SkipWs();
    return pos_ == s_.size();
  }

 private:
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(std::u32string_view word) {
    if (s_.compare(pos_, word.size(), word.data(), word.size()) != 0) return false;
    pos_ += word.size();
    return true;
  }

  bool Value(JsonNode& node, size_t depth) {
    if (depth > kMaxJsonDepth || pos_ >= s_.size()) return false;
    const char32_t c = s_[pos_];
    switch (c) {
      case '{': return Object(node, depth);
      case '[': return Array(node, depth);
      case '"': return String(node.scalar);
      case 'n':
        node.scalar = "null";
        return Literal(U"null");
      case 't':
        node.scalar = "true";
        return Literal(U"true");
      case 'f':
        node.scalar = "false";
        return Literal(U"false");
      case 'N':
        node.scalar = "NaN";
        return Literal(U"NaN");
      case 'I':
        node.scalar = "Infinity";
        return Literal(U"Infinity");
      default: break;
    }
    if (c == '-' && pos_ + 1 < s_.size() && s_[pos_ + 1] == 'I') {
      node.scalar = "-Infinity";
      return Literal(U"-Infinity");
    }
    return Number(node);
  }

  bool Number(JsonNode& node) {
    const size_t start = pos_;
    const size_t n = s_.size();
    if (s_[pos_] == '-') {
      ++pos_;
      if (pos_ >= n) return false;
    }
    if (s_[pos_] >= '1' && s_[pos_] <= '9') {
      ++pos_;
      while (pos_ < n && IsAsciiDigit(s_[pos_])) ++pos_;
    } else if (s_[pos_] == '0') {
      ++pos_;
    } else {
      return false;
    }
    bool is_float = false;
    if (pos_ + 1 < n && s_[pos_] == '.' && IsAsciiDigit(s_[pos_ + 1])) {
      is_float = true;
      pos_ += 2;
      while (pos_ < n && IsAsciiDigit(s_[pos_])) ++pos_;
    }
    if (pos_ < n && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      const size_t e_start = pos_;
      ++pos_;
      if (pos_ < n && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
      const size_t digits_start = pos_;
      while (pos_ < n && IsAsciiDigit(s_[pos_])) ++pos_;
      if (pos_ > digits_start) {
        is_float = true;
      } else {
        pos_ = e_start;
      }
    }
    std::string lexeme;
    lexeme.reserve(pos_ - start);
    for (size_t i = start; i < pos_; ++i) lexeme.push_back(static_cast<char>(s_[i]));
    if (is_float) {
      node.scalar = PyFloatRepr(ParsePyFloat(lexeme));
      return true;
    }
    const size_t ndigits = lexeme.size() - (lexeme[0] == '-' ? 1 : 0);
    if (ndigits > kMaxIntDigits) return false;  // int() refuses; Baserow falls back to text
    node.scalar = lexeme == "-0" ? "0" : lexeme;
    return true;
  }

  bool Hex4(char32_t& out) {
    if (pos_ + 4 > s_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char32_t c = s_[pos_ + static_cast<size_t>(i)];
      if (!IsHexDigit(c)) return false;
      out = (out << 4) | static_cast<char32_t>(HexValue(c));
    }
    pos_ += 4;
    return true;
  }

  // Parses a string at pos_ (on the opening quote) into its printed, escaped form.
  bool String(std::string& printed) {
    ++pos_;
    printed = "\"";
    for (;;) {
      if (pos_ >= s_.size()) return false;
      char32_t c = s_[pos_++];
      if (c == '"') break;
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        const char32_t e = s_[pos_++];
        switch (e) {
          case '"': c = '"'; break;
          case '\\': c = '\\'; break;
          case '/': c = '/'; break;
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'n': c = '\n'; break;
          case 'r': c = '\r'; break;
          case 't': c = '\t'; break;
          case 'u': {
            if (!Hex4(c)) return false;
            if (c >= 0xD800 && c <= 0xDBFF && pos_ + 1 < s_.size() && s_[pos_] == '\\' &&
                s_[pos_ + 1] == 'u') {
              const size_t save = pos_;
              pos_ += 2;
              char32_t c2 = 0;
              if (!Hex4(c2)) return false;
              if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
              } else {
                pos_ = save;  // a lone high surrogate; the next escape stands on its own
              }
            }
            break;
          }
          default: return false;
        }
      } else if (c < 0x20) {
        return false;  // strict: no raw control characters
      }
      AppendPyEscaped(printed, c);
    }
    printed.push_back('"');
    return true;
  }

  bool Object(JsonNode& node, size_t depth) {
    node.kind = JsonNode::Kind::kObject;
    ++pos_;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    std::unordered_map<std::string, size_t> index;
    for (;;) {
      if (pos_ >= s_.size() || s_[pos_] != '"') return false;
      std::string key;
      if (!String(key)) return false;
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != ':') return false;
      ++pos_;
      SkipWs();
      JsonNode value;
      if (!Value(value, depth + 1)) return false;
      // dict(pairs): a repeated key keeps its first position and takes the last value.
      auto [it, inserted] = index.emplace(key, node.members.size());
      if (inserted) {
        node.members.emplace_back(std::move(key), std::move(value));
      } else {
        node.members[it->second].second = std::move(value);
      }
      SkipWs();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return false;
      ++pos_;
      SkipWs();
    }
  }

  bool Array(JsonNode& node, size_t depth) {
    node.kind = JsonNode::Kind::kArray;
    ++pos_;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      JsonNode value;
      if (!Value(value, depth + 1)) return false;
      node.items.push_back(std::move(value));
      SkipWs();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return false;
      ++pos_;
      SkipWs();
    }
  }

  const std::u32string& s_;
  size_t pos_ = 0;
};

void AppendIndent(std::string& out, size_t level) { out.append(level * 4, ' '); }

void PrintJson(const JsonNode& node, size_t level, std::string& out) {
  switch (node.kind) {
    case JsonNode::Kind::kScalar: out += node.scalar; return;
    case JsonNode::Kind::kArray:
      if (node.items.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      for (size_t i = 0; i < node.items.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        AppendIndent(out, level + 1);
        PrintJson(node.items[i], level + 1, out);
      }
      out.push_back('\n');
      AppendIndent(out, level);
      out.push_back(']');
      return;
    case JsonNode::Kind::kObject:
      if (node.members.empty()) {
        out += "{}";
        return;
      }
      out.push_back('{');
      for (size_t i = 0; i < node.members.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        AppendIndent(out, level + 1);
        out += node.members[i].first;
        out += ": ";
        PrintJson(node.members[i].second, level + 1, out);
      }
      out.push_back('\n');
      AppendIndent(out, level);
      out.push_back('}');
      return;
  }
}

/// json.dumps(value) with the default separators ", " and ": ".
void PrintJsonFlat(const JsonNode& node, std::string& out) {
  switch (node.kind) {
    case JsonNode::Kind::kScalar: out += node.scalar; return;
    case JsonNode::Kind::kArray:
      out.push_back('[');
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i) out += ", ";
        PrintJsonFlat(node.items[i], out);
      }
      out.push_back(']');
      return;
    case JsonNode::Kind::kObject:
      out.push_back('{');
      for (size_t i = 0; i < node.members.size(); ++i) {
        if (i) out += ", ";
        out += node.members[i].first;
        out += ": ";
        PrintJsonFlat(node.members[i].second, out);
      }
      out.push_back('}');
      return;
  }
}

std::optional<std::string> PrettyJsonCodePoints(const std::u32string& text) {
  JsonNode root;
  PyJsonReader reader(text);
  if (!reader.ParseDocument(root)) return std::nullopt;
  std::string out;
  PrintJson(root, 0, out);
  return out;
}

// ---------------------------------------------------------------------------------------
// Addresses

bool InV4(uint32_t a, uint32_t net, int bits) {
  return (a >> (32 - bits)) == (net >> (32 - bits));
}

constexpr uint32_t V4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

bool IsForbiddenV4(uint32_t a) {
  struct Net {
    uint32_t net;
    int bits;
  };
  static constexpr Net kForbidden[] = {
      {V4(0, 0, 0, 0), 8},        // "this network", unspecified
      {V4(10, 0, 0, 0), 8},       // private
      {V4(100, 64, 0, 0), 10},    // carrier-grade NAT
      {V4(127, 0, 0, 0), 8},      // loopback
      {V4(169, 254, 0, 0), 16},   // link-local (cloud metadata)
      {V4(172, 16, 0, 0), 12},    // private
      {V4(192, 0, 0, 0), 24},     // IETF protocol assignments
      {V4(192, 0, 2, 0), 24},     // documentation
      {V4(192, 88, 99, 0), 24},   // 6to4 relay anycast
      {V4(192, 168, 0, 0), 16},   // private
      {V4(198, 18, 0, 0), 15},    // benchmarking
      {V4(198, 51, 100, 0), 24},  // documentation
      {V4(203, 0, 113, 0), 24},   // documentation
      {V4(224, 0, 0, 0), 4},      // multicast
      {V4(240, 0, 0, 0), 4},      // reserved, broadcast
  };
  for (const auto& n : kForbidden) {
    if (InV4(a, n.net, n.bits)) return true;
  }
  return false;
}

bool IsForbiddenV6(const unsigned char* b) {
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMappedPrefix, 12) == 0) {
    return IsForbiddenV4(V4(b[12], b[13], b[14], b[15]));
  }
  // Only global unicast (2000::/3) may be called; that rules out ::, ::1, fc00::/7,
  // fe80::/10, fec0::/10, ff00::/8, 64:ff9b::/96 (NAT64), 100::/64 and the rest.
  if ((b[0] & 0xE0) != 0x20) return true;
  if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xFE) == 0x00) return true;  // 2001::/23 (Teredo…)
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return true;  // 2001:db8::/32
  if (b[0] == 0x20 && b[1] == 0x02) return true;                                // 2002::/16 6to4
  if (b[0] == 0x3F && b[1] == 0xFF && (b[2] & 0xF0) == 0x00) return true;        // 3fff::/20 doc
  return false;
}

std::string SockaddrIp(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

// ---------------------------------------------------------------------------------------
// URLs

// What Python's urllib.parse.urlsplit() makes of a URL, as far as the checks here need.
struct PySplitUrl {
  std::string scheme;                   // lower-cased
  std::string netloc;
  std::optional<std::string> hostname;  // lower-cased, no brackets; nullopt when empty
  std::string port;                     // text after the host's ':'
};

bool IsValidIpv6Text(std::string_view s) {
  std::string text(s.substr(0, s.find('%')));  // ipaddress accepts a scope id
  in6_addr addr{};
  return inet_pton(AF_INET6, text.c_str(), &addr) == 1;
}

std::optional<PySplitUrl> PyUrlSplit(std::string_view url) {
  PySplitUrl out;
  const size_t colon = url.find(':');
  if (colon != std::string_view::npos && colon > 0 && IsAsciiAlpha(url[0]) &&
      std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
        return IsAsciiAlnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      })) {
    out.scheme = AsciiLower(url.substr(0, colon));
    url.remove_prefix(colon + 1);
  }
  if (url.substr(0, 2) == "//") {
    const size_t end = url.find_first_of("/?#", 2);
    out.netloc = std::string(url.substr(2, end == std::string_view::npos ? end : end - 2));
  }
  const std::string& netloc = out.netloc;
  const bool open = netloc.find('[') != std::string::npos;
  const bool close = netloc.find(']') != std::string::npos;
  if (open != close) return std::nullopt;  // "Invalid IPv6 URL"
  if (open) {
    const std::string after = netloc.substr(netloc.find('[') + 1);
    const std::string bracketed = after.substr(0, after.find(']'));
    if (!bracketed.empty() && bracketed[0] == 'v') {
      const size_t dot = bracketed.find('.');
      if (dot == std::string::npos || dot < 2 || dot + 1 >= bracketed.size() ||
          !std::all_of(bracketed.begin() + 1, bracketed.begin() + static_cast<std::ptrdiff_t>(dot),
                       [](char c) { return IsHexDigit(static_cast<unsigned char>(c)); })) {
        return std::nullopt;
      }
    } else if (!IsValidIpv6Text(bracketed)) {
      return std::nullopt;
    }
  }
  const size_t at = netloc.rfind('@');
  const std::string hostinfo = at == std::string::npos ? netloc : netloc.substr(at + 1);
  std::string hostname;
  const size_t bracket = hostinfo.find('[');
  if (bracket != std::string::npos) {
    const std::string rest = hostinfo.substr(bracket + 1);
    const size_t close_at = rest.find(']');
    hostname = rest.substr(0, close_at);
    if (close_at != std::string::npos) {
      const std::string tail = rest.substr(close_at + 1);
      const size_t c = tail.find(':');
      if (c != std::string::npos) out.port = tail.substr(c + 1);
    }
  } else {
    const size_t c = hostinfo.find(':');
    hostname = hostinfo.substr(0, c);
    if (c != std::string::npos) out.port = hostinfo.substr(c + 1);
  }
  if (!hostname.empty()) out.hostname = AsciiLower(hostname);
  return out;
}

// Python's urlparse(url).port: nullopt when absent, -1 when not a valid port.
std::optional<int> PyPort(const PySplitUrl& split) {
  if (split.port.empty()) return std::nullopt;
  if (split.port.size() > 5 ||
      !std::all_of(split.port.begin(), split.port.end(),
                   [](char c) { return IsAsciiDigit(static_cast<unsigned char>(c)); })) {
    return -1;
  }
  const int port = std::stoi(split.port);
  return port <= 65535 ? port : -1;
}

// --- Django's URLValidator regex, matched by hand over code points -------------------

bool IsDjangoLetter(char32_t c) { return IsAsciiAlpha(c) || c >= 0xA1; }  // [a-z¡-￿] + IDN
bool IsDjangoHostChar(char32_t c) { return IsDjangoLetter(c) || IsAsciiDigit(c) || c == '-'; }

// (?::[0-9]{1,5})?(?:[/?#][^\s]*)?\Z
bool MatchPortAndResource(const std::u32string& s, size_t p) {
  const size_t n = s.size();
  if (p < n && s[p] == ':') {
    size_t q = p + 1;
    while (q < n && IsAsciiDigit(s[q]) && q - p - 1 < 5) ++q;
    if (q == p + 1) return false;
    p = q;
  }
  if (p == n) return true;
  if (s[p] != '/' && s[p] != '?' && s[p] != '#') return false;
  for (size_t i = p + 1; i < n; ++i) {
    if (IsPySpace(s[i])) return false;
  }
  return true;
}

// All end positions of ipv4_re at p (the octet alternatives can match different lengths).
void Ipv4Ends(const std::u32string& s, size_t p, int octet, std::vector<size_t>& ends) {
  const size_t n = s.size();
  auto digit = [&](size_t i) { return i < n && IsAsciiDigit(s[i]); };
  if (p >= n || !IsAsciiDigit(s[p])) return;
  std::vector<size_t> lengths;
  const char32_t c = s[p];
  if (c == '0') lengths.push_back(1);
  if (c == '2' && p + 2 < n && s[p + 1] == '5' && s[p + 2] >= '0' && s[p + 2] <= '5') {
    lengths.push_back(3);
  }
  if (c == '2' && p + 2 < n && s[p + 1] >= '0' && s[p + 1] <= '4' && digit(p + 2)) {
    lengths.push_back(3);
  }
  if (c == '1') {
    lengths.push_back(1);
    if (digit(p + 1)) {
      lengths.push_back(2);
      if (digit(p + 2)) lengths.push_back(3);
    }
  }
  if (c >= '1' && c <= '9') {
    lengths.push_back(1);
    if (digit(p + 1)) lengths.push_back(2);
  }
  for (size_t len : lengths) {
    const size_t e = p + len;
    if (octet == 3) {
      ends.push_back(e);
    } else if (e < n && s[e] == '.') {
      Ipv4Ends(s, e + 1, octet + 1, ends);
    }
  }
}

// hostname_re domain_re tld_re over exactly `host`.
bool MatchDomainName(std::u32string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // tld_re's \.?
  std::vector<std::u32string_view> labels;
  size_t start = 0;
  for (;;) {
    const size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot == std::u32string_view::npos ? dot : dot - start));
    if (dot == std::u32string_view::npos) break;
    start = dot + 1;
  }
  if (labels.size() < 2) return false;
  for (size_t i = 0; i + 1 < labels.size(); ++i) {
    const auto& label = labels[i];
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), IsDjangoHostChar)) return false;
  }
  const auto& tld = labels.back();
  if (tld.size() >= 2 && tld.size() <= 63 && tld.front() != '-' && tld.back() != '-' &&
      std::all_of(tld.begin(), tld.end(), [](char32_t c) { return IsDjangoLetter(c) || c == '-'; })) {
    return true;
  }
  // xn--[a-z0-9]{1,59}
  if (tld.size() >= 5 && tld.size() <= 63 && (tld[0] == 'x' || tld[0] == 'X') &&
      (tld[1] == 'n' || tld[1] == 'N') && tld[2] == '-' && tld[3] == '-' &&
      std::all_of(tld.begin() + 4, tld.end(), [](char32_t c) { return IsAsciiAlnum(c); })) {
    return true;
  }
  return false;
}

bool MatchHostAndRest(const std::u32string& s, size_t p) {
  const size_t n = s.size();
  std::vector<size_t> ends;
  Ipv4Ends(s, p, 0, ends);
  for (size_t e : ends) {
    if (MatchPortAndResource(s, e)) return true;
  }
  if (p < n && s[p] == '[') {  // \[[0-9a-f:.]+\]
    size_t q = p + 1;
    while (q < n && (IsHexDigit(s[q]) || s[q] == ':' || s[q] == '.')) ++q;
    if (q > p + 1 && q < n && s[q] == ']' && MatchPortAndResource(s, q + 1)) return true;
  }
  static constexpr std::u32string_view kLocalhost = U"localhost";
  if (n - p >= kLocalhost.size()) {
    bool same = true;
    for (size_t i = 0; i < kLocalhost.size(); ++i) {
      char32_t c = s[p + i];
      if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
      if (c != kLocalhost[i]) same = false;
    }
    if (same && MatchPortAndResource(s, p + kLocalhost.size())) return true;
  }
  // A domain name can only end where its characters end.
  size_t b = p;
  while (b < n && (IsDjangoHostChar(s[b]) || s[b] == '.')) ++b;
  return b > p && MatchDomainName(std::u32string_view(s).substr(p, b - p)) &&
         MatchPortAndResource(s, b);
}

// ^scheme:// (user:pass@)? host (:port)? (resource)? \Z, from just after "://".
bool MatchDjangoUrlRest(const std::u32string& s, size_t p) {
  const size_t n = s.size();
  auto user_char = [](char32_t c) { return !IsPySpace(c) && c != ':' && c != '@' && c != '/'; };
  size_t q = p;
  while (q < n && user_char(s[q])) ++q;
  if (q > p && q < n) {
    size_t r = q;
    bool has_auth = false;
    if (s[r] == '@') {
      has_auth = true;
      ++r;
    } else if (s[r] == ':') {
      ++r;
      while (r < n && user_char(s[r])) ++r;
      if (r < n && s[r] == '@') {
        has_auth = true;
        ++r;
      }
    }
    if (has_auth && MatchHostAndRest(s, r)) return true;
  }
  return MatchHostAndRest(s, p);
}

// --- requests' URL preparation (urllib3 parse_url + requote_uri) ---------------------

constexpr std::string_view kUnreserved = "-._~";
constexpr std::string_view kSubDelims = "!$&'()*+,;=";

bool InAllowed(unsigned char c, std::string_view extra) {
  return IsAsciiAlnum(c) || kUnreserved.find(static_cast<char>(c)) != std::string_view::npos ||
         kSubDelims.find(static_cast<char>(c)) != std::string_view::npos ||
         extra.find(static_cast<char>(c)) != std::string_view::npos;
}

void AppendPercent(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xF]);
}

// urllib3's _encode_invalid_chars.
std::string EncodeInvalidChars(std::string_view component, std::string_view extra_allowed) {
  std::string s(component);
  size_t escapes = 0;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '%' && i + 2 < s.size() && IsHexDigit(static_cast<unsigned char>(s[i + 1])) &&
        IsHexDigit(static_cast<unsigned char>(s[i + 2]))) {
      s[i + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 1])));
      s[i + 2] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 2])));
      ++escapes;
      i += 3;
    } else {
      ++i;
    }
  }
  const bool is_percent_encoded =
      escapes == static_cast<size_t>(std::count(s.begin(), s.end(), '%'));
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((is_percent_encoded && c == '%') || (c < 0x80 && InAllowed(c, extra_allowed))) {
      out.push_back(ch);
    } else {
      AppendPercent(out, c);
    }
  }
  return out;
}

// urllib3's _remove_path_dot_segments.
std::string RemoveDotSegments(const std::string& path) {
  std::vector<std::string> output;
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string segment =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment == ".") {
      // skipped
    } else if (segment != "..") {
      output.push_back(segment);
    } else if (!output.empty()) {
      output.pop_back();
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (!path.empty() && path[0] == '/' && (output.empty() || !output[0].empty())) {
    output.insert(output.begin(), "");
  }
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("/.") || ends_with("/..")) output.emplace_back();
  std::string out;
  for (size_t i = 0; i < output.size(); ++i) {
    if (i) out.push_back('/');
    out += output[i];
  }
  return out;
}

std::string PyQuote(std::string_view s, std::string_view safe) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsAsciiAlnum(c) || c == '_' || c == '.' || c == '-' || c == '~' ||
        (c < 0x80 && safe.find(ch) != std::string_view::npos)) {
      out.push_back(ch);
    } else {
      AppendPercent(out, c);
    }
  }
  return out;
}

// requests.utils.requote_uri.
std::string RequoteUri(std::string_view uri) {
  std::string unquoted;
  bool invalid = false;
  size_t start = 0;
  bool first = true;
  for (;;) {
    const size_t pct = uri.find('%', start);
    std::string_view part =
        uri.substr(start, pct == std::string_view::npos ? std::string_view::npos : pct - start);
    if (first) {
      unquoted += part;
      first = false;
    } else {
      const auto is_alnum = [](char c) { return IsAsciiAlnum(static_cast<unsigned char>(c)); };
      if (part.size() >= 2 && is_alnum(part[0]) && is_alnum(part[1])) {
        if (!IsHexDigit(static_cast<unsigned char>(part[0])) ||
            !IsHexDigit(static_cast<unsigned char>(part[1]))) {
          invalid = true;
          break;
        }
        const char c = static_cast<char>(HexValue(static_cast<unsigned char>(part[0])) * 16 +
                                         HexValue(static_cast<unsigned char>(part[1])));
        if (IsAsciiAlnum(static_cast<unsigned char>(c)) ||
            kUnreserved.find(c) != std::string_view::npos) {
          unquoted.push_back(c);
          unquoted += part.substr(2);
        } else {
          unquoted.push_back('%');
          unquoted += part;
        }
      } else {
        unquoted.push_back('%');
        unquoted += part;
      }
    }
    if (pct == std::string_view::npos) break;
    start = pct + 1;
  }
  if (invalid) return PyQuote(uri, "!#$&'()*+,/:;=?@[]~");
  return PyQuote(unquoted, "!#$%&'()*+,/:;=?@[]~");
}

// IDNA for a non-ASCII host name (requests encodes it before connecting). libcurl's
// conversion (libidn2) reads the host in the locale's charset, so a UTF-8 locale is made
// current for this thread only while it runs.
std::optional<std::string> PunycodeHost(const std::string& host) {
  static const locale_t utf8_locale = [] {
    locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    return loc ? loc : newlocale(LC_CTYPE_MASK, "en_US.UTF-8", static_cast<locale_t>(0));
  }();
  CURLU* u = curl_url();
  if (!u) return std::nullopt;
  std::optional<std::string> out;
  const std::string tmp = "http://" + host + "/";
  if (curl_url_set(u, CURLUPART_URL, tmp.c_str(), 0) == CURLUE_OK) {
    const locale_t previous = utf8_locale ? uselocale(utf8_locale) : static_cast<locale_t>(0);
    char* h = nullptr;
    const CURLUcode rc = curl_url_get(u, CURLUPART_HOST, &h, CURLU_PUNYCODE);
    if (utf8_locale) uselocale(previous);
    if (rc == CURLUE_OK && h) {
      const std::string ace = AsciiLower(h);
      if (std::all_of(ace.begin(), ace.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        out = ace;
      }
    }
    if (h) curl_free(h);
  }
  curl_url_cleanup(u);
  return out;
}

struct PreparedUrl {
  std::string url;      // as requests would send it
  std::string scheme;   // http or https
  std::string host;     // no brackets, as urllib3 names the connection's host
  std::optional<int> port;
  int EffectivePort() const { return port ? *port : (scheme == "http" ? 80 : 443); }
};

// requests.PreparedRequest.prepare_url(); on failure `error` holds the exception text.
std::optional<PreparedUrl> PrepareUrl(std::string_view raw, std::string& error) {
  const size_t sep = raw.find("://");
  if (sep == std::string_view::npos) {
    error = "MissingSchema: Invalid URL '" + std::string(raw) +
            "': No scheme supplied. Perhaps you meant https://" + std::string(raw) + "?";
    return std::nullopt;
  }
  PreparedUrl out;
  out.scheme = AsciiLower(raw.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") {
    error = "InvalidSchema: No connection adapters were found for '" + std::string(raw) + "'";
    return std::nullopt;
  }
  std::string_view rest = raw.substr(sep + 3);
  const size_t auth_end = rest.find_first_of("\\/?#");
  std::string_view authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  const size_t qpos = rest.find_first_of("?#");
  std::string path(rest.substr(0, qpos));
  std::string query;
  std::string fragment;
  if (qpos != std::string_view::npos) {
    std::string_view tail = rest.substr(qpos);
    if (tail[0] == '?') {
      const size_t hash = tail.find('#');
      query = std::string(tail.substr(1, hash == std::string_view::npos ? hash : hash - 1));
      if (hash != std::string_view::npos) fragment = std::string(tail.substr(hash + 1));
    } else {
      fragment = std::string(tail.substr(1));
    }
  }
  const std::string invalid_url = "InvalidURL: Failed to parse: " + std::string(raw);
  std::string auth;
  bool has_auth = false;
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    auth = std::string(authority.substr(0, at));
    has_auth = true;
    authority.remove_prefix(at + 1);
  }
  std::string host;
  std::string_view port_part;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = invalid_url;
      return std::nullopt;
    }
    out.host = AsciiLower(authority.substr(1, close - 1));
    host = "[" + out.host + "]";
    port_part = authority.substr(close + 1);
  } else {
    const size_t colon = authority.find(':');
    host = std::string(authority.substr(0, colon));
    port_part = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
    if (host.find_first_of("[]%") != std::string::npos) {
      error = invalid_url;
      return std::nullopt;
    }
    const bool ascii = std::all_of(host.begin(), host.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
      host = AsciiLower(host);
    } else if (auto puny = PunycodeHost(host)) {
      host = *puny;
    } else {
      error = "InvalidURL: URL has an invalid label.";
      return std::nullopt;
    }
    out.host = host;
  }
  if (!port_part.empty()) {
    if (port_part[0] != ':' || port_part.size() > 6 ||
        !std::all_of(port_part.begin() + 1, port_part.end(),
                     [](char c) { return IsAsciiDigit(static_cast<unsigned char>(c)); })) {
      error = invalid_url;
      return std::nullopt;
    }
    if (port_part.size() > 1) {
      const int port = std::stoi(std::string(port_part.substr(1)));
      if (port > 65535) {
        error = invalid_url;
        return std::nullopt;
      }
      out.port = port;
    }
  }
  if (out.host.empty()) {
    error = "InvalidURL: Invalid URL '" + std::string(raw) + "': No host supplied";
    return std::nullopt;
  }
  if (out.host[0] == '*' || out.host[0] == '.') {
    error = "InvalidURL: URL has an invalid label.";
    return std::nullopt;
  }
  if (!path.empty()) path = EncodeInvalidChars(RemoveDotSegments(path), ":@/");
  if (path.empty()) path = "/";
  query = EncodeInvalidChars(query, ":@/?");
  fragment = EncodeInvalidChars(fragment, ":@/?");
  std::string url = out.scheme + "://";
  if (has_auth) url += EncodeInvalidChars(auth, ":") + "@";
  url += host;
  if (out.port) url += ":" + std::to_string(*out.port);
  url += path;
  if (!query.empty()) url += "?" + query;
  if (!fragment.empty()) url += "#" + fragment;
  out.url = RequoteUri(url);
  return out;
}

// requests.Session.should_strip_auth.
bool ShouldStripAuth(const PreparedUrl& from, const PreparedUrl& to) {
  if (from.host != to.host) return true;
  auto in = [](const std::optional<int>& port, int def) { return !port || *port == def; };
  if (from.scheme == "http" && in(from.port, 80) && to.scheme == "https" && in(to.port, 443)) {
    return false;
  }
  const bool changed_port = from.port != to.port;
  const bool changed_scheme = from.scheme != to.scheme;
  const int def = from.scheme == "http" ? 80 : 443;
  if (!changed_scheme && in(from.port, def) && in(to.port, def)) return false;
  return changed_port || changed_scheme;
}

// ---------------------------------------------------------------------------------------
// One HTTP exchange through libcurl

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using Headers = std::vector<std::pair<std::string, std::string>>;

bool HasHeader(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

void RemoveHeader(Headers& headers, std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const auto& h) { return EqualsIgnoreCase(h.first, name); }),
                headers.end());
}

struct Exchange {
  // inputs
  bool allow_private = false;
  // address guard
  int refused = 0;
  int allowed = 0;
  // response
  std::vector<std::pair<std::string, std::string>> response_headers;  // raw bytes
  bool headers_done = false;
  std::string body;
  long status = 0;
  std::string redirect_url;
  bool request_went_out = false;
  CURLcode code = CURLE_OK;
  std::string error_text;
};

curl_socket_t OpenSocket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* ex = static_cast<Exchange*>(clientp);
  if (purpose == CURLSOCKTYPE_IPCXN && !ex->allow_private) {
    const std::string ip = SockaddrIp(&address->addr);
    if (ip.empty() || IsForbiddenAddress(ip)) {
      ++ex->refused;
      return CURL_SOCKET_BAD;
    }
  }
  ++ex->allowed;
  const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

size_t OnHeader(char* data, size_t size, size_t count, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  const size_t total = size * count;
  std::string_view line(data, total);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {  // a new (interim or final) response
    ex->response_headers.clear();
    ex->headers_done = false;
    return total;
  }
  if (ex->headers_done) return total;  // trailers
  if (line.empty()) {
    ex->headers_done = true;
    return total;
  }
  if ((line[0] == ' ' || line[0] == '\t') && !ex->response_headers.empty()) {
    // obsolete line folding
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      ex->response_headers.back().second += " ";
      ex->response_headers.back().second += line.substr(first);
    }
    return total;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return total;
  std::string_view value = line.substr(colon + 1);
  const size_t first = value.find_first_not_of(" \t");
  value = first == std::string_view::npos ? std::string_view() : value.substr(first);
  ex->response_headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return total;
}

size_t OnBody(char* data, size_t size, size_t count, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  const size_t total = size * count;
  if (ex->body.size() < kMaxBodyBytes) {
    ex->body.append(data, std::min(total, kMaxBodyBytes - ex->body.size()));
  }
  return total;
}

void Perform(Exchange& ex, const std::string& method, const std::string& url,
             const Headers& headers, const std::string* body, std::chrono::milliseconds timeout) {
  CURL* curl = curl_easy_init();
  if (!curl) {
    ex.code = CURLE_FAILED_INIT;
    ex.error_text = "could not create a curl handle";
    return;
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are followed by the caller
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");  // as requests asks
  if (!ex.allow_private) {
    // No proxy from the environment: the guard must see the address actually connected to.
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &ex);
  }
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && !body) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    static const std::string kEmpty;
    const bool with_body = body || method == "POST" || method == "PUT" || method == "PATCH";
    if (with_body) {
      const std::string& data = body ? *body : kEmpty;
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(data.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data.c_str());
    }
    if (method != "POST" || !with_body) {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
  }
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    // "Name:" would make curl drop the header; "Name;" sends it with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  if (!HasHeader(headers, "Expect")) list = curl_slist_append(list, "Expect:");
  if (!HasHeader(headers, "Content-Type")) list = curl_slist_append(list, "Content-Type:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);

  ex.code = curl_easy_perform(curl);
  long request_size = 0;
  curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size);
  ex.request_went_out = request_size > 0;
  if (ex.code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &ex.status);
    char* location = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
      ex.redirect_url = location;
    }
  } else {
    ex.error_text = errbuf[0] ? std::string(errbuf) : curl_easy_strerror(ex.code);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
}

// --- call-log texts ---------------------------------------------------------------------

std::string FormatBody(std::string_view body) {
  // handler.format_request: json.dumps(json.loads(request.body or "{}"), indent=4)
  if (body.empty()) return "{}";
  if (auto pretty = PrettyJson(body)) return *pretty;
  return std::string(body);
}

std::string FormatRequest(const std::string& method, const std::string& url,
                          const Headers& headers, const std::string* body) {
  std::string text = method + " " + url + "\r\n";
  Headers lines = headers;
  // requests' PreparedRequest lists the Content-Length it computed after the given headers.
  if (body && !HasHeader(headers, "Content-Length")) {
    lines.emplace_back("Content-Length", std::to_string(body->size()));
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) text += "\r\n";
    text += lines[i].first + ": " + lines[i].second;
  }
  text += "\r\n\r\n";
  text += FormatBody(body ? std::string_view(*body) : std::string_view());
  return text;
}

enum class Charset { kNone, kUtf8, kLatin1, kAscii };

// requests.utils.get_encoding_from_headers, reduced to the decodings done here.
Charset ResponseCharset(const Headers& merged) {
  const std::string* content_type = nullptr;
  for (const auto& [name, value] : merged) {
    if (EqualsIgnoreCase(name, "Content-Type")) content_type = &value;
  }
  if (!content_type || content_type->empty()) return Charset::kNone;
  // _parse_content_type_header: "type; key=value; …", keys lower-cased, values stripped.
  std::vector<std::string_view> tokens;
  std::string_view ct(*content_type);
  for (;;) {
    const size_t semi = ct.find(';');
    tokens.push_back(ct.substr(0, semi));
    if (semi == std::string_view::npos) break;
    ct.remove_prefix(semi + 1);
  }
  const std::string_view mime = tokens[0];
  auto strip = [](std::string_view v, std::string_view chars) {
    const size_t a = v.find_first_not_of(chars);
    if (a == std::string_view::npos) return std::string_view();
    const size_t b = v.find_last_not_of(chars);
    return v.substr(a, b - a + 1);
  };
  std::optional<std::string> charset;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::string_view param = strip(tokens[i], " \t\r\n\f\v");
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (AsciiLower(strip(param.substr(0, eq), "\"' ")) == "charset") {
      charset = std::string(strip(param.substr(eq + 1), "\"' "));
    }
  }
  if (charset) {
    std::string name = AsciiLower(*charset);
    std::replace(name.begin(), name.end(), '-', '_');
    std::replace(name.begin(), name.end(), ' ', '_');
    static const char* const kLatin1[] = {"iso_8859_1", "iso8859_1", "latin_1", "latin1", "l1",
                                          "8859", "cp819", "iso_ir_100", "csisolatin1", "latin",
                                          "iso_8859_1:1987"};
    static const char* const kAscii[] = {"ascii", "us_ascii", "646", "us", "cp367", "csascii",
                                         "ibm367", "iso646_us", "iso_ir_6", "ansi_x3.4_1968"};
    for (const char* n : kLatin1) {
      if (name == n) return Charset::kLatin1;
    }
    for (const char* n : kAscii) {
      if (name == n) return Charset::kAscii;
    }
    return Charset::kUtf8;  // utf-8, and the fallback for names not handled here
  }
  // Python's `"text" in content_type` is a case-sensitive substring test.
  if (mime.find("text") != std::string_view::npos) return Charset::kLatin1;
  if (mime.find("application/json") != std::string_view::npos) return Charset::kUtf8;
  return Charset::kNone;
}

std::string FormatResponse(const Exchange& ex) {
  // urllib3's HTTPHeaderDict: repeated names are joined with ", " under the first spelling.
  Headers merged;
  for (const auto& [name, value] : ex.response_headers) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
    if (it == merged.end()) {
      merged.emplace_back(name, value);
    } else {
      it->second += ", " + value;
    }
  }
  std::string text;
  for (size_t i = 0; i < merged.size(); ++i) {
    if (i) text += "\r\n";
    text += Latin1ToUtf8(merged[i].first) + ": " + Latin1ToUtf8(merged[i].second);
  }
  text += "\r\n\r\n";

  // response.json() else response.text
  const Charset charset = ResponseCharset(merged);
  std::u32string decoded;
  if (charset == Charset::kLatin1 || charset == Charset::kAscii) {
    decoded.reserve(ex.body.size());
    for (char c : ex.body) {
      const auto b = static_cast<unsigned char>(c);
      decoded.push_back(charset == Charset::kAscii && b >= 0x80 ? kReplacementChar : b);
    }
  } else {
    decoded = DecodeUtf8(ex.body);
  }
  std::u32string json_source = decoded;
  if (charset == Charset::kNone && ex.body.size() > 3 && ex.body.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    json_source.erase(0, 1);  // guess_json_utf → utf-8-sig
  }
  if (auto pretty = PrettyJsonCodePoints(json_source)) {
    text += *pretty;
  } else {
    text += EncodeUtf8(decoded);
  }
  return text;
}

std::string PyRepr(const std::string& s) {
  // repr() of a host name: single quotes (host names hold no quotes or backslashes).
  return "'" + s + "'";
}

}  // namespace webhook_client_impl

// ---------------------------------------------------------------------------------------
// Public functions

WebhookResult CallWebhook(const WebhookRequest& request, const WebhookClientOptions& options) {
  namespace impl = webhook_client_impl;
  impl::GlobalInit();
  WebhookResult result;

  std::string method = request.method.empty() ? "POST" : request.method;
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  std::string error;
  auto prepared = impl::PrepareUrl(request.url, error);
  if (!prepared) {
    result.unreachable = true;
    result.error = error;
    return result;
  }

  impl::Headers headers = request.headers;
  std::string body = request.body;
  bool has_body = true;
  std::string first_request_text;

  for (int redirects = 0;; ++redirects) {
    impl::Exchange ex;
    ex.allow_private = options.allow_private;
    impl::Perform(ex, method, prepared->url, headers, has_body ? &body : nullptr,
                  options.timeout);
    std::string request_text =
        impl::FormatRequest(method, prepared->url, headers, has_body ? &body : nullptr);
    if (redirects == 0) first_request_text = request_text;

    if (ex.code != CURLE_OK) {
      result.unreachable = true;
      result.status.reset();
      result.response_text.clear();
      if (ex.refused > 0 && ex.allowed == 0) {
        // advocate: UnacceptableAddressException((host, port)); nothing is logged but that.
        result.sent = false;
        result.request_text.clear();
        result.error = "UnacceptableAddressException: (" + impl::PyRepr(prepared->host) + ", " +
                       std::to_string(prepared->EffectivePort()) + ")";
        return result;
      }
      result.sent = ex.request_went_out;
      result.request_text = TruncateMiddle(std::move(request_text), impl::kMaxLogText);
      result.error = (ex.code == CURLE_OPERATION_TIMEDOUT ? "Timeout: " : "ConnectionError: ") +
                     ex.error_text;
      return result;
    }

    const long status = ex.status;
    const bool is_redirect = !ex.redirect_url.empty() &&
                             (status == 301 || status == 302 || status == 303 ||
                              status == 307 || status == 308);
    if (!is_redirect) {
      result.sent = true;
      result.status = static_cast<int>(status);
      result.request_text = TruncateMiddle(std::move(first_request_text), impl::kMaxLogText);
      result.response_text = TruncateMiddle(impl::FormatResponse(ex), impl::kMaxLogText);
      result.error.clear();
      result.unreachable = false;
      return result;
    }
    if (redirects >= impl::kMaxRedirects) {
      result.sent = true;
      result.unreachable = true;
      result.request_text = TruncateMiddle(std::move(request_text), impl::kMaxLogText);
      result.error = "TooManyRedirects: Exceeded " + std::to_string(impl::kMaxRedirects) +
                     " redirects.";
      return result;
    }

    // requests.Session.resolve_redirects
    std::string next_error;
    auto next = impl::PrepareUrl(ex.redirect_url, next_error);
    if (!next) {
      result.sent = true;
      result.unreachable = true;
      result.error = next_error;
      return result;
    }
    if ((status == 303 && method != "HEAD") || (status == 302 && method != "HEAD") ||
        (status == 301 && method == "POST")) {
      method = "GET";
    }
    if (status != 307 && status != 308) {
      impl::RemoveHeader(headers, "Content-Length");
      impl::RemoveHeader(headers, "Content-Type");
      impl::RemoveHeader(headers, "Transfer-Encoding");
      has_body = false;
      body.clear();
    }
    impl::RemoveHeader(headers, "Cookie");
    if (impl::ShouldStripAuth(*prepared, *next)) impl::RemoveHeader(headers, "Authorization");
    prepared = std::move(next);
  }
}

bool IsValidWebhookUrl(std::string_view url) {
  namespace impl = webhook_client_impl;
  if (url.find_first_of("\t\r\n") != std::string_view::npos) return false;
  const std::u32string s = impl::DecodeUtf8(url);
  if (std::find(s.begin(), s.end(), impl::kReplacementChar) != s.end() &&
      impl::EncodeUtf8(s) != url) {
    return false;  // not UTF-8 text
  }
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  const std::string scheme = impl::AsciiLower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https" && scheme != "ftp" && scheme != "ftps") return false;
  auto split = impl::PyUrlSplit(url);
  if (!split) return false;
  // Position of "://" in code points: the scheme is ASCII, so it equals the byte offset.
  if (!impl::MatchDjangoUrlRest(s, sep + 3)) return false;
  // Bracketed hosts must be real IPv6 addresses (Django: validate_ipv6_address, ≤ 39 chars).
  const std::string& netloc = split->netloc;
  if (!netloc.empty() && netloc[0] == '[') {
    const size_t close = netloc.find(']');
    if (close != std::string::npos && close > 1) {
      std::string_view after = std::string_view(netloc).substr(close + 1);
      bool port_ok = after.empty();
      if (!after.empty() && after[0] == ':' && after.size() >= 2 && after.size() <= 6) {
        port_ok = std::all_of(after.begin() + 1, after.end(), [](char c) {
          return impl::IsAsciiDigit(static_cast<unsigned char>(c));
        });
      }
      const std::string ip = netloc.substr(1, close - 1);
      if (port_ok && (ip.size() > 39 || !impl::IsValidIpv6Text(ip) ||
                      ip.find('%') != std::string::npos)) {
        return false;
      }
    }
  }
  if (!split->hostname) return false;
  const std::u32string host = impl::DecodeUtf8(*split->hostname);
  return host.size() <= 253;
}

bool IsReachablePublicUrl(std::string_view url, std::chrono::milliseconds timeout) {
  namespace impl = webhook_client_impl;
  auto split = impl::PyUrlSplit(url);
  if (!split || !split->hostname) return false;
  const auto port = impl::PyPort(*split);
  if (port && *port < 0) return false;
  const int effective_port = port ? *port : (split->scheme == "http" ? 80 : 443);

  std::string host = *split->hostname;
  if (!std::all_of(host.begin(), host.end(),
                   [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    auto ace = impl::PunycodeHost(host);  // Python's getaddrinfo IDNA-encodes the name too
    if (!ace) return false;
    host = *ace;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string port_text = std::to_string(effective_port);
  if (getaddrinfo(host.c_str(), port_text.c_str(), &hints, &list) != 0) return false;

  bool reachable = false;
  // advocate: addresses that are not allowed are skipped, the others are tried in order.
  for (addrinfo* ai = list; ai && !reachable; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    if (IsForbiddenAddress(impl::SockaddrIp(ai->ai_addr))) continue;
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc == 0) {
      reachable = true;
    } else if (errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      rc = ::poll(&pfd, 1, static_cast<int>(std::max<long long>(0, timeout.count())));
      if (rc == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) reachable = true;
      }
    }
    ::close(fd);
  }
  freeaddrinfo(list);
  return reachable;
}

bool IsForbiddenAddress(std::string_view ip) {
  std::string text(ip);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return webhook_client_impl::IsForbiddenV4(ntohl(v4.s_addr));
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return webhook_client_impl::IsForbiddenV6(v6.s6_addr);
  }
  return true;
}

bool IsValidHeaderName(std::string_view name) {
  static constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return webhook_client_impl::IsAsciiAlnum(static_cast<unsigned char>(c)) ||
           kTokenPunct.find(c) != std::string_view::npos;
  });
}

bool IsValidHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::optional<std::string> PrettyJson(std::string_view text) {
  return webhook_client_impl::PrettyJsonCodePoints(webhook_client_impl::DecodeUtf8(text));
}

std::optional<std::string> PythonJson(std::string_view text) {
  webhook_client_impl::JsonNode root;
  auto code_points = webhook_client_impl::DecodeUtf8(text);
  webhook_client_impl::PyJsonReader reader(code_points);
  if (!reader.ParseDocument(root)) return std::nullopt;
  std::string out;
  webhook_client_impl::PrintJsonFlat(root, out);
  return out;
}

std::string TruncateMiddle(std::string text, size_t max) {
  // Lengths count code points, as Python does; UTF-8 continuation bytes are not counted.
  static constexpr std::string_view kMiddle = "\n...(truncated)\n";
  auto is_start = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  const size_t length = static_cast<size_t>(std::count_if(text.begin(), text.end(), is_start));
  if (length <= max) return text;
  // Byte offset where code point number `index` starts.
  auto offset_of = [&](size_t index) {
    size_t seen = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (is_start(text[i])) {
        if (seen == index) return i;
        ++seen;
      }
    }
    return text.size();
  };
  if (max <= kMiddle.size()) return text.substr(0, offset_of(max));  // Python raises here
  const size_t total = max - kMiddle.size();
  const size_t head = (total + 1) / 2;
  const size_t tail = total / 2;
  std::string out = text.substr(0, offset_of(head));
  out += kMiddle;
  out += text.substr(offset_of(length - tail));
  return out;
}

}  // namespace gridbase::services
