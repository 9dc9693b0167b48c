#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gridbase::util {

std::string ToLower(std::string_view s);
/// Unicode simple case mapping of UTF-8 text, code point by code point (glibc's C.UTF-8
/// towlower/towupper — what PostgreSQL's lower()/upper() do under a libc C.UTF-8 collation).
/// Bytes that are not valid UTF-8 are kept as they are.
std::string Utf8CaseMap(std::string_view s, bool upper);
/// Python's str.strip(): removes leading and trailing whitespace.
std::string_view Trim(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
bool IEquals(std::string_view a, std::string_view b);
/// Django's EmailValidator, simplified: local@domain with a dotted (or localhost) domain.
bool IsValidEmail(std::string_view s);
/// Percent-decoding of a query component; `+` becomes a space, as Django's QueryDict does.
std::string UrlDecode(std::string_view s, bool plus_as_space = true);
std::string UrlEncode(std::string_view s);
/// Splits a comma-separated list honouring double quotes and backslash escapes
/// ("a,\"b, c\",d" → a | b, c | d), as Baserow parses include/exclude/order_by lists.
std::vector<std::string> SplitCsv(std::string_view s);

}  // namespace gridbase::util
