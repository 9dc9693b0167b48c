#pragma once
// Plain request/response records: the only HTTP types the layers above http/ see, so
// api/ and services/ never include Beast or Asio.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gridbase::http {

struct Header {
  std::string name;  // lower-case
  std::string value;
};

struct Request {
  uint64_t id = 0;  // request id, unique per process
  std::string method;
  std::string target;  // as sent: path + "?" + query
  std::string path;    // percent-decoded path
  std::string query;   // raw query string (without "?")
  std::vector<Header> headers;
  std::string body;
  std::string remote;

  /// The first header with that (lower-case) name, or "" when absent.
  std::string_view header(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return h.value;
    return {};
  }
  bool has_header(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return true;
    return false;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<Header> headers;
  std::string body;
  bool close = false;  // close the connection after this response

  void set_header(std::string name, std::string value) {
    for (auto& h : headers) {
      if (h.name == name) {
        h.value = std::move(value);
        return;
      }
    }
    headers.push_back({std::move(name), std::move(value)});
  }
};

}  // namespace gridbase::http
