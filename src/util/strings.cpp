#include "util/strings.hpp"

#include <locale.h>
#include <wctype.h>

#include <cctype>

namespace gridbase::util {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool IsValidEmail(std::string_view s) {
  if (s.empty() || s.size() > 320) return false;
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.size() > 64) return false;
  for (char c : local) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || c == '@' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' ||
        c == '<' || c == '>' || c == '[' || c == ']' || c == '\\' || c == '"')
      return false;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  if (domain == "localhost") return true;
  auto labels = Split(domain, '.');
  if (labels.size() < 2) return false;
  for (auto label : labels) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      auto u = static_cast<unsigned char>(c);
      if (!(std::isalnum(u) || c == '-' || u >= 0x80)) return false;
    }
  }
  auto tld = labels.back();
  if (tld.size() < 2) return false;
  bool all_digits = true;
  for (char c : tld) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  return !all_digits;
}

std::string UrlDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_as_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::vector<std::string> SplitCsv(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::string Utf8CaseMap(std::string_view s, bool upper) {
  static const locale_t kLocale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // ASCII: no locale needed
      out += static_cast<char>(upper ? (b >= 'a' && b <= 'z' ? b - 32 : b) : (b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++i;
      continue;
    }
    size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    if (len == 0 || i + len > s.size()) {
      out += s[i++];
      continue;
    }
    char32_t cp = b & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    bool valid = true;
    for (size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!valid || !kLocale) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    auto mapped = static_cast<char32_t>(upper ? towupper_l(static_cast<wint_t>(cp), kLocale)
                                              : towlower_l(static_cast<wint_t>(cp), kLocale));
    if (mapped < 0x80) {
      out += static_cast<char>(mapped);
    } else if (mapped < 0x800) {
      out += static_cast<char>(0xC0 | (mapped >> 6));
      out += static_cast<char>(0x80 | (mapped & 0x3F));
    } else if (mapped < 0x10000) {
      out += static_cast<char>(0xE0 | (mapped >> 12));
      out += static_cast<char>(0x80 | ((mapped >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (mapped & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (mapped >> 18));
      out += static_cast<char>(0x80 | ((mapped >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((mapped >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (mapped & 0x3F));
    }
    i += len;
  }
  return out;
}

}  // namespace gridbase::util
