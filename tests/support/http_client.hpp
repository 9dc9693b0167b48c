#pragma once
// A small blocking HTTP/1.1 client for API tests (libcurl), plus raw-socket helpers.
#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

namespace gbtest {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  boost::json::value json() const;
  std::string header(const std::string& lower) const {
    auto it = headers.find(lower);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&& other) noexcept : base_url_(std::move(other.base_url_)), curl_(other.curl_) {
    other.curl_ = nullptr;
  }

  /// Sends `body` as application/json unless a content-type header is given.
  HttpResponse Request(const std::string& method, const std::string& path,
                       const std::string& body = "",
                       const std::vector<std::string>& headers = {});
  HttpResponse Get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return Request("GET", path, "", headers);
  }
  HttpResponse Post(const std::string& path, const boost::json::value& body,
                    const std::vector<std::string>& headers = {}) {
    return Request("POST", path, boost::json::serialize(body), headers);
  }
  HttpResponse Patch(const std::string& path, const boost::json::value& body,
                     const std::vector<std::string>& headers = {}) {
    return Request("PATCH", path, boost::json::serialize(body), headers);
  }
  HttpResponse Put(const std::string& path, const boost::json::value& body,
                   const std::vector<std::string>& headers = {}) {
    return Request("PUT", path, boost::json::serialize(body), headers);
  }
  HttpResponse Delete(const std::string& path, const std::vector<std::string>& headers = {}) {
    return Request("DELETE", path, "", headers);
  }
  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  void* curl_;
};

/// Connects a raw TCP socket to 127.0.0.1:port; returns the fd.
int ConnectRaw(int port);
/// Sends all bytes; false on error.
bool SendRaw(int fd, const std::string& data);
/// Reads until the peer closes or `timeout_ms` passes; returns what arrived.
std::string ReadUntilClose(int fd, int timeout_ms, bool* closed);

}  // namespace gbtest
