#pragma once
// A strict multipart/form-data parser (RFC 7578 over RFC 2046 §5.1): the Content-Type header
// names the boundary, the body is split at CRLF "--boundary" delimiters, and each part's
// headers give its form name, optional file name and content type. No Beast or Asio here.
//
// Strict means: CRLF line endings only, every part has `Content-Disposition: form-data` with a
// `name`, the close delimiter `--boundary--` must be present, header lines must be
// `Name: value` (no obsolete folding). Preamble and epilogue are ignored, as RFC 2046 says.
// Anything else throws ParseError, so a caller never works on a half-understood body.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gridbase::http::multipart {

class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Part {
  std::string name;                      // the form field name
  std::optional<std::string> file_name;  // `filename` (or decoded `filename*`) when given
  std::string content_type;              // the part's Content-Type, "" when absent
  std::string_view data;                 // the content: a view into the parsed body
};

/// The boundary of a `multipart/form-data` Content-Type value, or nullopt when the media type
/// is something else. Throws ParseError for multipart/form-data without a valid boundary
/// (1–70 characters of RFC 2046's `bchars`, token or quoted-string).
std::optional<std::string> BoundaryOf(std::string_view content_type);

/// Splits `body` into its parts, in order. The views in the result point into `body`.
std::vector<Part> Parse(std::string_view body, std::string_view boundary);

/// A header parameter list (`; a=b; c="d"`) after the first value: lower-cased names and
/// unquoted values (backslash escapes resolved). Throws ParseError on a malformed list.
std::vector<std::pair<std::string, std::string>> ParseParams(std::string_view params);

}  // namespace gridbase::http::multipart
