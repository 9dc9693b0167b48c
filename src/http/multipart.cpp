// Strict multipart/form-data parsing; see multipart.hpp. Quoting follows what browsers and
// FormData send (WHATWG HTML, "multipart/form-data encoding algorithm"): a quoted value ends at
// the next '"' and has no backslash escapes (browsers send `"` as %22, and a backslash in a
// file name is a literal backslash); `filename*` (RFC 5987, UTF-8) wins over `filename`.
#include "http/multipart.hpp"

#include <cctype>

#include "util/strings.hpp"

namespace gridbase::http::multipart {

namespace parse_impl {

constexpr size_t kMaxParts = 1000;
constexpr size_t kMaxHeadersPerPart = 32;

bool IsTchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~': return true;
    default: return false;
  }
}

/// RFC 2046 `bcharsnospace`.
bool IsBchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '\'': case '(': case ')': case '+': case '_': case ',': case '-': case '.': case '/': case ':':
    case '=': case '?': return true;
    default: return false;
  }
}

void SkipWs(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

/// RFC 5987 ext-value `charset'lang'pct-encoded` (UTF-8 only).
std::optional<std::string> DecodeExtValue(std::string_view v) {
  size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return std::nullopt;
  size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return std::nullopt;
  if (!util::IEquals(v.substr(0, q1), "utf-8")) return std::nullopt;
  std::string_view enc = v.substr(q2 + 1);
  std::string out;
  for (size_t i = 0; i < enc.size(); ++i) {
    if (enc[i] != '%') {
      out += enc[i];
      continue;
    }
    if (i + 2 >= enc.size() || !std::isxdigit(static_cast<unsigned char>(enc[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(enc[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(std::string(enc.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

const std::string* Find(const std::vector<std::pair<std::string, std::string>>& params, std::string_view name) {
  for (const auto& [k, v] : params)
    if (k == name) return &v;
  return nullptr;
}

struct Headers {
  std::optional<std::string> disposition;
  std::string content_type;
};

/// Parses the header block `block` (lines separated by CRLF, without the blank line).
Headers ParseHeaders(std::string_view block) {
  Headers h;
  size_t count = 0;
  size_t i = 0;
  while (i < block.size()) {
    size_t eol = block.find("\r\n", i);
    std::string_view line = block.substr(i, eol == std::string_view::npos ? std::string_view::npos : eol - i);
    i = eol == std::string_view::npos ? block.size() : eol + 2;
    if (++count > kMaxHeadersPerPart) throw ParseError("too many part headers");
    if (line.empty() || line[0] == ' ' || line[0] == '\t') throw ParseError("malformed part header line");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) throw ParseError("part header line without a name");
    std::string_view name = line.substr(0, colon);
    for (char c : name)
      if (!IsTchar(c)) throw ParseError("invalid part header name");
    for (char c : line)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) throw ParseError("control character in part header");
    std::string value(util::Trim(line.substr(colon + 1)));
    std::string lower = util::ToLower(name);
    if (lower == "content-disposition") {
      if (h.disposition) throw ParseError("duplicate Content-Disposition");
      h.disposition = std::move(value);
    } else if (lower == "content-type") {
      h.content_type = std::move(value);
    }
  }
  return h;
}

Part MakePart(const Headers& h, std::string_view data) {
  if (!h.disposition) throw ParseError("part without Content-Disposition");
  const std::string& d = *h.disposition;
  size_t semi = d.find(';');
  std::string_view kind = util::Trim(std::string_view(d).substr(0, semi));
  if (!util::IEquals(kind, "form-data")) throw ParseError("part disposition is not form-data");
  auto params = semi == std::string::npos ? std::vector<std::pair<std::string, std::string>>{}
                                           : ParseParams(std::string_view(d).substr(semi));
  const std::string* name = Find(params, "name");
  if (!name) throw ParseError("part without a name");
  Part p;
  p.name = *name;
  if (const std::string* ext = Find(params, "filename*")) {
    p.file_name = DecodeExtValue(*ext);
    if (!p.file_name) throw ParseError("invalid filename* parameter");
  } else if (const std::string* fn = Find(params, "filename")) {
    p.file_name = *fn;
  }
  p.content_type = h.content_type;
  p.data = data;
  return p;
}

}  // namespace parse_impl

std::vector<std::pair<std::string, std::string>> ParseParams(std::string_view s) {
  using namespace parse_impl;
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (true) {
    SkipWs(s, i);
    if (i == s.size()) return out;
    if (s[i] != ';') throw ParseError("expected ';' between parameters");
    ++i;
    SkipWs(s, i);
    if (i == s.size()) return out;  // a trailing ';' is tolerated
    size_t start = i;
    while (i < s.size() && IsTchar(s[i])) ++i;
    if (i == start) throw ParseError("empty parameter name");
    std::string name = util::ToLower(s.substr(start, i - start));
    SkipWs(s, i);
    if (i == s.size() || s[i] != '=') throw ParseError("parameter without '='");
    ++i;
    SkipWs(s, i);
    std::string value;
    if (i < s.size() && s[i] == '"') {
      size_t close = s.find('"', i + 1);
      if (close == std::string_view::npos) throw ParseError("unterminated quoted parameter");
      value = std::string(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      start = i;
      while (i < s.size() && IsTchar(s[i])) ++i;
      if (i == start) throw ParseError("empty parameter value");
      value = std::string(s.substr(start, i - start));
    }
    out.emplace_back(std::move(name), std::move(value));
  }
}

std::optional<std::string> BoundaryOf(std::string_view content_type) {
  using namespace parse_impl;
  size_t semi = content_type.find(';');
  if (!util::IEquals(util::Trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
  if (semi == std::string_view::npos) throw ParseError("multipart/form-data without a boundary");
  auto params = ParseParams(content_type.substr(semi));
  const std::string* b = Find(params, "boundary");
  if (!b) throw ParseError("multipart/form-data without a boundary");
  if (b->empty() || b->size() > 70 || b->back() == ' ') throw ParseError("invalid boundary");
  for (char c : *b)
    if (!IsBchar(c) && c != ' ') throw ParseError("invalid boundary");
  return *b;
}

std::vector<Part> Parse(std::string_view body, std::string_view boundary) {
  using namespace parse_impl;
  if (boundary.empty()) throw ParseError("empty boundary");
  const std::string delim = "--" + std::string(boundary);
  const std::string crlf_delim = "\r\n" + delim;
  // The first delimiter opens the body or follows the preamble's last CRLF.
  size_t pos;
  if (body.substr(0, delim.size()) == delim) {
    pos = delim.size();
  } else {
    size_t at = body.find(crlf_delim);
    if (at == std::string_view::npos) throw ParseError("no boundary delimiter in the body");
    pos = at + crlf_delim.size();
  }
  std::vector<Part> parts;
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // close delimiter; the epilogue is ignored
    SkipWs(body, pos);  // transport padding
    if (body.substr(pos, 2) != "\r\n") throw ParseError("a delimiter must end with CRLF");
    pos += 2;
    if (parts.size() == kMaxParts) throw ParseError("too many parts");
    size_t header_end;
    std::string_view block;
    if (body.substr(pos, 2) == "\r\n") {  // a part without headers
      header_end = pos + 2;
    } else {
      size_t blank = body.find("\r\n\r\n", pos);
      if (blank == std::string_view::npos || blank > body.find(crlf_delim, pos))
        throw ParseError("part headers do not end");
      block = body.substr(pos, blank - pos);
      header_end = blank + 4;
    }
    Headers h = ParseHeaders(block);
    size_t next = body.find(crlf_delim, header_end);
    if (next == std::string_view::npos) throw ParseError("missing close delimiter");
    parts.push_back(MakePart(h, body.substr(header_end, next - header_end)));
    pos = next + crlf_delim.size();
  }
}

}  // namespace gridbase::http::multipart
