#include "support/http_receiver.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace gbtest {

namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
}  // namespace

boost::json::value ReceivedRequest::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) throw std::runtime_error("request body is not JSON: " + body);
  return v;
}

/// What the io thread and the test thread share.
struct HttpReceiverState {
  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<ReceivedRequest> requests;
  std::deque<CannedResponse> queue;
  CannedResponse def;

  /// Records a request and returns the response to give.
  CannedResponse Record(ReceivedRequest r) {
    std::lock_guard<std::mutex> lock(mu);
    requests.push_back(std::move(r));
    CannedResponse out = def;
    if (!queue.empty()) {
      out = std::move(queue.front());
      queue.pop_front();
    }
    cv.notify_all();
    return out;
  }
};

namespace {

/// One connection, served asynchronously on the receiver's single io thread (keep-alive aware).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpReceiverState* owner, tcp::socket s)
      : owner_(owner), stream_(std::move(s)), timer_(stream_.get_executor()) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(64 * 1024 * 1024);
    http::async_read_header(stream_, buf_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->Close();
      const auto& h = self->parser_->get();
      if (beast::iequals(h[http::field::expect], "100-continue")) {
        auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, h.version());
        http::async_write(self->stream_, *cont, [self, cont](beast::error_code e, std::size_t) {
          if (e) return self->Close();
          self->ReadBody();
        });
      } else {
        self->ReadBody();
      }
    });
  }

 private:
  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    http::async_read(stream_, buf_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->Close();
      self->OnRequest();
    });
  }

  void OnRequest() {
    auto req = parser_->release();
    ReceivedRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    for (const auto& f : req) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      auto& slot = r.headers[name];
      slot = slot.empty() ? std::string(f.value()) : slot + ", " + std::string(f.value());
    }
    CannedResponse canned = owner_->Record(std::move(r));

    res_ = {};
    res_.version(req.version());
    res_.result(static_cast<unsigned>(canned.status));
    res_.set(http::field::content_type, canned.content_type);
    for (const auto& [k, v] : canned.headers) res_.set(k, v);
    bool no_body = canned.status < 200 || canned.status == 204 || canned.status == 304;
    res_.body() = no_body ? std::string() : canned.body;
    res_.keep_alive(req.keep_alive());
    res_.prepare_payload();
    if (canned.delay_ms > 0) {
      timer_.expires_after(std::chrono::milliseconds(canned.delay_ms));
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->Close();
        self->Write();
      });
    } else {
      Write();
    }
  }

  void Write() {
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->res_.keep_alive()) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  HttpReceiverState* owner_;
  beast::tcp_stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

}  // namespace

struct HttpReceiver::Impl {
  net::io_context ioc;  // declared first: destroyed last (after the acceptor and sessions)
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  int port = 0;
  HttpReceiverState st;

  void Accept();
};

void HttpReceiver::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
    if (ec) return;  // acceptor closed
    std::make_shared<Session>(&st, std::move(s))->Read();
    Accept();
  });
}

HttpReceiver::HttpReceiver() : impl_(std::make_unique<Impl>()) {
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([im = impl_.get()] { im->ioc.run(); });
}

HttpReceiver::~HttpReceiver() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpReceiver::port() const { return impl_->port; }

std::string HttpReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + path;
}

void HttpReceiver::Enqueue(CannedResponse r) {
  std::lock_guard<std::mutex> lock(impl_->st.mu);
  impl_->st.queue.push_back(std::move(r));
}

void HttpReceiver::SetDefault(CannedResponse r) {
  std::lock_guard<std::mutex> lock(impl_->st.mu);
  impl_->st.def = std::move(r);
}

bool HttpReceiver::WaitFor(size_t n, int timeout_ms) {
  std::unique_lock<std::mutex> lock(impl_->st.mu);
  return impl_->st.cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return impl_->st.requests.size() >= n; });
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard<std::mutex> lock(impl_->st.mu);
  return impl_->st.requests;
}

size_t HttpReceiver::count() const {
  std::lock_guard<std::mutex> lock(impl_->st.mu);
  return impl_->st.requests.size();
}

void HttpReceiver::Clear() {
  std::lock_guard<std::mutex> lock(impl_->st.mu);
  impl_->st.requests.clear();
}

}  // namespace gbtest
