// Unit tests for services/webhook_client: the Python-compatible call-log texts, the URL,
// address and header checks, and CallWebhook against a tiny HTTP server on 127.0.0.1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "services/webhook_client.hpp"

namespace gridbase::services {
namespace webhook_client_test {

// Answers one connection per canned reply, in order; "" means: read the request, then
// never answer (until the client gives up or the server stops).
class TinyHttpServer {
 public:
  explicit TinyHttpServer(std::vector<std::string> replies) : replies_(std::move(replies)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  bool WaitReadable(int fd, int total_ms) {
    for (int waited = 0; waited < total_ms && !stop_; waited += 20) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  std::string ReadRequest(int c) {
    std::string data;
    char buf[4096];
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    while (WaitReadable(c, 3000)) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          std::string lower = data.substr(0, header_end);
          for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          const size_t cl = lower.find("\r\ncontent-length:");
          if (cl != std::string::npos) content_length = std::stoul(lower.substr(cl + 17));
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    }
    return data;
  }

  void Run() {
    for (const std::string& reply : replies_) {
      if (!WaitReadable(fd_, 10000)) return;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string request = ReadRequest(c);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(request));
      }
      if (reply.empty()) {
        char buf[256];
        while (WaitReadable(c, 10000) && ::recv(c, buf, sizeof buf, 0) > 0) {
        }
      } else {
        size_t sent = 0;
        while (sent < reply.size()) {
          const ssize_t n = ::send(c, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += static_cast<size_t>(n);
        }
      }
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::vector<std::string> replies_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

const std::string kCreated =
    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
    "{\"ok\":true}";

WebhookRequest BaserowRequest(const std::string& url, const std::string& body) {
  WebhookRequest r;
  r.method = "POST";
  r.url = url;
  r.headers = {{"X-Custom", "1"},
               {"Content-type", "application/json"},
               {"X-Baserow-Event", "rows.created"},
               {"X-Baserow-Delivery", "0b0f8a43-4d5e-4c3f-9d4f-2a0c7d1e9b11"}};
  r.body = body;
  return r;
}

WebhookClientOptions Private(int timeout_ms = 5000) {
  WebhookClientOptions o;
  o.allow_private = true;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  return o;
}

// ---------------------------------------------------------------------------------------
// PrettyJson: expectations produced with CPython 3.11 json.dumps(json.loads(x), indent=4)

TEST(WebhookClientPrettyJson, NestedContainersAndEmptyOnes) {
  EXPECT_EQ(PrettyJson(R"({"a":1,"b":[1,2,{"c":null}],"d":{}, "e":[]})"),
            "{\n    \"a\": 1,\n    \"b\": [\n        1,\n        2,\n        {\n            "
            "\"c\": null\n        }\n    ],\n    \"d\": {},\n    \"e\": []\n}");
  EXPECT_EQ(PrettyJson("{}"), "{}");
  EXPECT_EQ(PrettyJson("[]"), "[]");
  EXPECT_EQ(PrettyJson("[[]]"), "[\n    []\n]");
  EXPECT_EQ(PrettyJson("[{}]"), "[\n    {}\n]");
  EXPECT_EQ(PrettyJson(" \n {\"x\" : \"y\"} \r\n"), "{\n    \"x\": \"y\"\n}");
  EXPECT_EQ(PrettyJson("[true,false,null]"), "[\n    true,\n    false,\n    null\n]");
}

TEST(WebhookClientPythonJson, DefaultSeparatorsAndAsciiLikeJsonDumps) {
  EXPECT_EQ(PythonJson(R"({"a":1,"b":[1,2,{"c":null}],"d":{},"e":[],"f":"é"})"),
            R"({"a": 1, "b": [1, 2, {"c": null}], "d": {}, "e": [], "f": "\u00e9"})");
  EXPECT_EQ(PythonJson("[]"), "[]");
  EXPECT_EQ(PythonJson("{\"x\":1.50}"), "{\"x\": 1.5}");
  EXPECT_EQ(PythonJson("{"), std::nullopt);
}

TEST(WebhookClientPrettyJson, KeyOrderKeptAndRepeatedKeysLikeADict) {
  EXPECT_EQ(PrettyJson(R"({"z":1,"a":2})"), "{\n    \"z\": 1,\n    \"a\": 2\n}");
  EXPECT_EQ(PrettyJson(R"({"a":1,"a":2,"b":3})"), "{\n    \"a\": 2,\n    \"b\": 3\n}");
}

TEST(WebhookClientPrettyJson, StringsAreAsciiEscapedLikePython) {
  EXPECT_EQ(PrettyJson("\"h\xC3\xA9llo \\ud83d\\ude00 \\u0001 \\u007f /\""),
            "\"h\\u00e9llo \\ud83d\\ude00 \\u0001 \\u007f /\"");
  EXPECT_EQ(PrettyJson("{\"k\": \"\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80\"}"),
            "{\n    \"k\": \"\\u00e4\\u20ac\\ud83d\\ude00\"\n}");
  EXPECT_EQ(PrettyJson(R"("\t\b\f\r\n\"\\\/")"), R"("\t\b\f\r\n\"\\/")");
  EXPECT_EQ(PrettyJson(R"("\ud800x")"), R"("\ud800x")");
  EXPECT_EQ(PrettyJson(R"("\ud800\u0041")"), R"("\ud800A")");
  EXPECT_EQ(PrettyJson(R"("\u00E9")"), R"("\u00e9")");
  EXPECT_EQ(PrettyJson("\"\x7f\""), R"("\u007f")");
  // Invalid UTF-8 is read with replacement characters, as requests' response.text does.
  EXPECT_EQ(PrettyJson("\"a\xFF\""), R"("a\ufffd")");
}

TEST(WebhookClientPrettyJson, NumbersLikePythonRepr) {
  EXPECT_EQ(PrettyJson("[1.5, 1e100, 3.0, -0.0, 1e16, 1e15, 0.0001, 0.00001, "
                       "123456789012345678.0, 1E400, -1e-400, 2.5e-7, 100.0e-2, "
                       "12345678901234567890123, -0]"),
            "[\n    1.5,\n    1e+100,\n    3.0,\n    -0.0,\n    1e+16,\n    1000000000000000.0,"
            "\n    0.0001,\n    1e-05,\n    1.2345678901234568e+17,\n    Infinity,\n    -0.0,\n"
            "    2.5e-07,\n    1.0,\n    12345678901234567890123,\n    0\n]");
  EXPECT_EQ(PrettyJson("0.1"), "0.1");
  EXPECT_EQ(PrettyJson("1.7976931348623157e308"), "1.7976931348623157e+308");
  EXPECT_EQ(PrettyJson("5e-324"), "5e-324");
  EXPECT_EQ(PrettyJson("[NaN, Infinity, -Infinity]"), "[\n    NaN,\n    Infinity,\n    -Infinity\n]");
  EXPECT_EQ(PrettyJson("-12"), "-12");
}

TEST(WebhookClientPrettyJson, RejectsWhatPythonRejects) {
  for (const char* bad : {"[1,]", "{\"a\":1,}", "01", "1.", ".5", "\"\\x\"", "\"a\x01\"",
                          "{'a':1}", "", "nul", "[1 2]", "\xEF\xBB\xBF{}", "1e", "-",
                          "\"\\ud800\\uzzzz\"", "{\"a\" 1}", "[", "\"abc", "{1:2}", "tru"}) {
    EXPECT_FALSE(PrettyJson(bad).has_value()) << bad;
  }
  EXPECT_FALSE(PrettyJson(std::string(4301, '7')).has_value());  // int() digit limit
  EXPECT_TRUE(PrettyJson(std::string(4300, '7')).has_value());
  EXPECT_FALSE(PrettyJson(std::string(5000, '[') + std::string(5000, ']')).has_value());
}

// ---------------------------------------------------------------------------------------

TEST(WebhookClientTruncateMiddle, KeepsHeadAndTailLikeBaserow) {
  const std::string text = "abcdefghijklmnopqrstuvwxyz0123456789";
  EXPECT_EQ(TruncateMiddle(text, 21), "abc\n...(truncated)\n89");
  EXPECT_EQ(TruncateMiddle(text, 20), "ab\n...(truncated)\n89");
  EXPECT_EQ(TruncateMiddle("abc", 3), "abc");
  EXPECT_EQ(TruncateMiddle(text, 36), text);
  // Code points, not bytes: "äöüßéèàç" × 4 cut to 20 characters.
  std::string umlauts;
  for (int i = 0; i < 4; ++i) umlauts += "äöüßéèàç";
  EXPECT_EQ(TruncateMiddle(umlauts, 20), "äö\n...(truncated)\nàç");
  const std::string big(250000, 'x');
  const std::string cut = TruncateMiddle(big);
  EXPECT_EQ(cut.size(), 100000u);
  EXPECT_EQ(cut.substr(49992, 16), "\n...(truncated)\n");
}

TEST(WebhookClientAddress, ForbiddenTable) {
  for (const char* ip :
       {"127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "0.0.0.0", "0.1.2.3", "100.64.0.1",
        "100.127.255.255", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.19.255.255", "198.51.100.7",
        "203.0.113.9", "192.88.99.1", "::", "::1", "fe80::1", "febf::1", "fc00::1",
        "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1",
        "2001:db8::1", "2002:7f00:1::1", "2001::1", "fec0::1", "[::1]", "not-an-ip", "",
        "1.2.3", "01.2.3.4", "1.2.3.4.5", "fe80::1%eth0"}) {
    EXPECT_TRUE(IsForbiddenAddress(ip)) << ip;
  }
  for (const char* ip : {"1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255",
                         "100.128.0.1", "172.15.255.255", "172.32.0.1", "192.0.1.1",
                         "198.20.0.1", "223.255.255.255", "2606:4700:4700::1111",
                         "2a00:1450:4001:81a::200e", "::ffff:8.8.8.8", "[2606:4700::1]"}) {
    EXPECT_FALSE(IsForbiddenAddress(ip)) << ip;
  }
}

TEST(WebhookClientUrl, DjangoUrlValidatorTable) {
  for (const char* url :
       {"http://example.com", "https://example.com/", "HTTP://EXAMPLE.COM/Path?q=1#frag",
        "ftp://example.com/file", "ftps://example.com", "http://localhost",
        "http://localhost:8000/hook", "http://127.0.0.1", "http://1.2.3.4:65535/x",
        "http://[::1]/", "http://[2001:db8::1]:8080/x", "https://sub.domain.example.co.uk",
        "https://example.com.", "http://user:pass@example.com/", "http://user@example.com",
        "http://a-b.example.com", "http://xn--bcher-kva.de", "http://bücher.de/straße",
        "http://例え.テスト/", "http://example.xn--p1ai", "http://example.com/a?b=c&d=e",
        "http://1.2.3.4.com", "http://example.com:80", "http://example.com?x", "http://example.com#x",
        "https://hooks.zapier.com/hooks/catch/123/abc/", "http://a?b@example.com",
        "http://example.com\\@evil.com"}) {
    EXPECT_TRUE(IsValidWebhookUrl(url)) << url;
  }
  for (const char* url :
       {"", "example.com", "www.google.com", "127.0.0.1", "mailto:a@example.com",
        "file:///etc/passwd", "gopher://example.com", "http://", "http:///x", "http://example",
        "http://internal/hook", "http://example.c", "http://example.123", "http://-a.com",
        "http://a-.com", "http://example.com-", "http://a..com", "http://.example.com",
        "http://example.com:123456", "http://example.com:", "http://example.com:x/",
        "http://example.com/a b", "http://exa mple.com", "http://example.com\t",
        "http://example.com/\n", "http://[::1", "http://[::g]/", "http://[1.2.3.4]/",
        "http://256.1.1.1", "http://01.2.3.4", "http://localhost.", "http://localhostx",
        "http://@example.com", "http://:@example.com",
        "http:example.com", "//example.com", "http://example.com.."}) {
    EXPECT_FALSE(IsValidWebhookUrl(url)) << url;
  }
  // Labels are at most 63 characters, host names at most 253.
  EXPECT_TRUE(IsValidWebhookUrl("http://" + std::string(63, 'a') + ".com"));
  EXPECT_FALSE(IsValidWebhookUrl("http://" + std::string(64, 'a') + ".com"));
  std::string long_host;
  for (int i = 0; i < 4; ++i) long_host += std::string(62, 'a') + ".";
  EXPECT_FALSE(IsValidWebhookUrl("http://" + long_host + "com"));  // 255 characters
}

TEST(WebhookClientHeaders, NameAndValueRules) {
  for (const char* name : {"X-Api-Key", "Authorization", "a", "x!#$%&'*+-.^_`|~1"}) {
    EXPECT_TRUE(IsValidHeaderName(name)) << name;
  }
  for (const char* name : {"", "X Api", "X:Api", "X\r\nY", "X(Api)", "X/Y", "Ä", "X\"", "X@Y"}) {
    EXPECT_FALSE(IsValidHeaderName(name)) << name;
  }
  EXPECT_TRUE(IsValidHeaderValue(""));
  EXPECT_TRUE(IsValidHeaderValue("Bearer abc def \t ü"));
  EXPECT_FALSE(IsValidHeaderValue("a\r\nX-Injected: 1"));
  EXPECT_FALSE(IsValidHeaderValue("a\nb"));
  EXPECT_FALSE(IsValidHeaderValue("a\rb"));
  EXPECT_FALSE(IsValidHeaderValue(std::string("a\0b", 3)));
}

// ---------------------------------------------------------------------------------------
// CallWebhook

// With allow_private the client honours proxy variables like requests does; keep the local
// test server off any proxy a CI environment may set.
class WebhookClientCall : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  }
};

TEST_F(WebhookClientCall, PostsAndLogsRequestAndResponse) {
  TinyHttpServer server({kCreated});
  const std::string body = "{\"a\":[1,2],\"b\":\"\xC3\xA9\"}";
  const auto result = CallWebhook(BaserowRequest(server.base() + "/hook", body), Private());
  EXPECT_TRUE(result.sent);
  ASSERT_EQ(result.status, 201);
  EXPECT_TRUE(result.ok());
  EXPECT_FALSE(result.unreachable);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.request_text,
            "POST " + server.base() + "/hook\r\n"
            "X-Custom: 1\r\nContent-type: application/json\r\nX-Baserow-Event: rows.created\r\n"
            "X-Baserow-Delivery: 0b0f8a43-4d5e-4c3f-9d4f-2a0c7d1e9b11\r\n"
            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"
            "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": \"\\u00e9\"\n}");
  EXPECT_EQ(result.response_text,
            "Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{\n    \"ok\": true\n}");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string& raw = requests[0];
  EXPECT_EQ(raw.rfind("POST /hook HTTP/1.1\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("\r\nX-Custom: 1\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("\r\nContent-type: application/json\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("\r\nX-Baserow-Event: rows.created\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("Expect:"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("x-www-form-urlencoded"), std::string::npos) << raw;
  EXPECT_EQ(raw.substr(raw.size() - body.size()), body);
}

TEST_F(WebhookClientCall, PrivateAddressRefusedWithoutTheSetting) {
  TinyHttpServer server({kCreated});
  WebhookClientOptions options;  // allow_private = false
  const auto result = CallWebhook(BaserowRequest(server.base() + "/hook", "{}"), options);
  EXPECT_FALSE(result.sent);
  EXPECT_TRUE(result.unreachable);
  EXPECT_FALSE(result.status.has_value());
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.request_text, "");
  EXPECT_EQ(result.response_text, "");
  EXPECT_EQ(result.error,
            "UnacceptableAddressException: ('127.0.0.1', " + std::to_string(server.port()) + ")");

  const auto by_name = CallWebhook(BaserowRequest("http://LocalHost/hook", "{}"), options);
  EXPECT_TRUE(by_name.unreachable);
  EXPECT_FALSE(by_name.sent);
  EXPECT_EQ(by_name.error, "UnacceptableAddressException: ('localhost', 80)");
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(WebhookClientCall, ConnectionRefusedIsUnreachable) {
  const int port = ClosedPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  const auto result = CallWebhook(BaserowRequest(url, "{\"a\":1}"), Private());
  EXPECT_FALSE(result.sent);
  EXPECT_TRUE(result.unreachable);
  EXPECT_FALSE(result.status.has_value());
  EXPECT_EQ(result.response_text, "");
  EXPECT_EQ(result.request_text.rfind("POST " + url + "\r\nX-Custom: 1\r\n", 0), 0u)
      << result.request_text;
  EXPECT_EQ(result.error.rfind("ConnectionError: ", 0), 0u) << result.error;
}

TEST_F(WebhookClientCall, HttpErrorStatusIsNotUnreachable) {
  TinyHttpServer server(
      {"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
       "\r\noops"});
  const auto result = CallWebhook(BaserowRequest(server.base() + "/", "{}"), Private());
  EXPECT_TRUE(result.sent);
  EXPECT_EQ(result.status, 500);
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.unreachable);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.response_text, "Content-Type: text/plain\r\nContent-Length: 4\r\n\r\noops");
}

TEST_F(WebhookClientCall, TimeoutIsUnreachable) {
  TinyHttpServer server({""});
  const auto result = CallWebhook(BaserowRequest(server.base() + "/slow", "{}"), Private(300));
  EXPECT_TRUE(result.unreachable);
  EXPECT_FALSE(result.status.has_value());
  EXPECT_TRUE(result.sent);  // the request went out, no answer came
  EXPECT_EQ(result.request_text.rfind("POST " + server.base() + "/slow\r\n", 0), 0u);
  EXPECT_EQ(result.error.rfind("Timeout: ", 0), 0u) << result.error;
}

TEST_F(WebhookClientCall, FollowsRedirectsLikeRequests) {
  // 302: POST becomes GET without body; the logged request is the first one.
  TinyHttpServer server(
      {"HTTP/1.1 302 Found\r\nLocation: /final?x=1\r\nContent-Length: 0\r\n\r\n",
       "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"});
  const auto result = CallWebhook(BaserowRequest(server.base() + "/start", "{\"a\":1}"), Private());
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.request_text.rfind("POST " + server.base() + "/start\r\n", 0), 0u);
  EXPECT_EQ(result.response_text, "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].rfind("GET /final?x=1 HTTP/1.1\r\n", 0), 0u) << requests[1];
  EXPECT_EQ(requests[1].find("Content-type"), std::string::npos) << requests[1];
  EXPECT_NE(requests[1].find("X-Baserow-Event: rows.created"), std::string::npos);

  // 307 keeps the method and the body.
  TinyHttpServer keep(
      {"HTTP/1.1 307 Temporary Redirect\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n",
       kCreated});
  WebhookRequest patch = BaserowRequest(keep.base() + "/one", "{\"b\":2}");
  patch.method = "patch";
  const auto kept = CallWebhook(patch, Private());
  ASSERT_EQ(kept.status, 201);
  EXPECT_EQ(kept.request_text.rfind("PATCH " + keep.base() + "/one\r\n", 0), 0u);
  const auto kept_requests = keep.requests();
  ASSERT_EQ(kept_requests.size(), 2u);
  EXPECT_EQ(kept_requests[1].rfind("PATCH /again HTTP/1.1\r\n", 0), 0u) << kept_requests[1];
  EXPECT_EQ(kept_requests[1].substr(kept_requests[1].size() - 7), "{\"b\":2}");
}

TEST_F(WebhookClientCall, PreparesTheUrlLikeRequests) {
  TinyHttpServer server({kCreated, kCreated});
  auto result = CallWebhook(BaserowRequest(server.base(), "{}"), Private());
  EXPECT_EQ(result.request_text.rfind("POST " + server.base() + "/\r\n", 0), 0u)
      << result.request_text;
  result = CallWebhook(
      BaserowRequest("HTTP://127.0.0.1:" + std::to_string(server.port()) + "/a/./b/../c%7e?q=[1]",
                     "{}"),
      Private());
  EXPECT_EQ(result.request_text.rfind("POST " + server.base() + "/a/c~?q=%5B1%5D\r\n", 0), 0u)
      << result.request_text;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].rfind("POST / HTTP/1.1\r\n", 0), 0u);
  EXPECT_EQ(requests[1].rfind("POST /a/c~?q=%5B1%5D HTTP/1.1\r\n", 0), 0u) << requests[1];
}

TEST_F(WebhookClientCall, ResponseHeadersMergedAndBodyNotJson) {
  TinyHttpServer server(
      {"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Name:   caf\xE9\r\nset-cookie: b=2\r\n"
       "Content-Length: 9\r\n\r\nnot json!"});
  const auto result = CallWebhook(BaserowRequest(server.base() + "/", "{}"), Private());
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.response_text,
            "Set-Cookie: a=1, b=2\r\nX-Name: caf\xC3\xA9\r\nContent-Length: 9\r\n\r\nnot json!");
}

TEST_F(WebhookClientCall, UnsupportedSchemeIsUnreachableWithoutRequestText) {
  const auto result = CallWebhook(BaserowRequest("ftp://example.com/x", "{}"), Private());
  EXPECT_TRUE(result.unreachable);
  EXPECT_FALSE(result.sent);
  EXPECT_EQ(result.request_text, "");
  EXPECT_EQ(result.error, "InvalidSchema: No connection adapters were found for 'ftp://example.com/x'");
}

TEST_F(WebhookClientCall, NonAsciiHostIsSentAsPunycode) {
  // .invalid never resolves: a connection error, whose log still carries the request.
  const std::string url = "http://B\xC3\xBC" "cher.invalid/\xC3\xA4?x=\xC3\xBC";
  const auto result = CallWebhook(BaserowRequest(url, "{}"), Private(2000));
  EXPECT_TRUE(result.unreachable);
  EXPECT_FALSE(result.status.has_value());
  EXPECT_EQ(result.request_text.rfind("POST http://xn--bcher-kva.invalid/%C3%A4?x=%C3%BC\r\n", 0), 0u)
      << result.request_text;
}

TEST(WebhookClientReachable, ChecksAddressesAndConnects) {
  TinyHttpServer server({});
  // Loopback is never a public address, even when something listens there.
  EXPECT_FALSE(IsReachablePublicUrl(server.base() + "/", std::chrono::milliseconds(500)));
  EXPECT_FALSE(IsReachablePublicUrl("http://localhost:" + std::to_string(server.port()),
                                    std::chrono::milliseconds(500)));
  EXPECT_FALSE(IsReachablePublicUrl("http://10.0.0.1/", std::chrono::milliseconds(200)));
  EXPECT_FALSE(IsReachablePublicUrl("http://example.com:99999/", std::chrono::milliseconds(200)));
  EXPECT_FALSE(IsReachablePublicUrl("http://host.invalid/", std::chrono::milliseconds(200)));
}

}  // namespace webhook_client_test
}  // namespace gridbase::services
