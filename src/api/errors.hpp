#pragma once
// The catalogue of Baserow error codes (code → HTTP status and default detail) and the one
// place that turns failures into HTTP error bodies.
#include <boost/json/value.hpp>
#include <exception>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "util/error.hpp"

namespace gridbase::api {

/// A failure whose body is not the coded envelope (DRF-level: authentication, media type,
/// parse errors, plain token-auth validation). Carries the exact status, body and headers.
class HttpError : public std::exception {
 public:
  HttpError(int status, boost::json::value body, std::vector<http::Header> headers = {})
      : status_(status), body_(std::move(body)), headers_(std::move(headers)) {}
  const char* what() const noexcept override { return "http error"; }
  int status() const { return status_; }
  const boost::json::value& body() const { return body_; }
  const std::vector<http::Header>& headers() const { return headers_; }

  /// {"detail": detail}
  static HttpError Detail(int status, std::string_view detail, std::vector<http::Header> headers = {});

 private:
  int status_;
  boost::json::value body_;
  std::vector<http::Header> headers_;
};

struct CatalogueEntry {
  int status;
  const char* detail;
};

/// The catalogue entry of a code, or nullptr when the code is unknown (a programmer error).
const CatalogueEntry* FindErrorCode(std::string_view code);

/// Writes `{"error": code, "detail": …}` with the catalogue's status. An unknown code is
/// logged and answered as a 500.
void WriteError(const Error& error, http::Response& res);
void WriteHttpError(const HttpError& error, http::Response& res);

}  // namespace gridbase::api
