#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "util/strings.hpp"

namespace gridbase::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace websocket = boost::beast::websocket;

namespace detail {
struct Worker;
class Session;
class WsSession;
}  // namespace detail
using detail::Session;
using detail::Worker;
using detail::WsSession;

namespace {
constexpr size_t kHeaderLimit = 64 * 1024;
}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> next_request_id{1};
  std::mutex mu;
  std::condition_variable cv;
  bool shutdown_requested = false;
  int finished_threads = 0;
  asio::signal_set* signals = nullptr;
};

namespace detail {

struct Worker {
  asio::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
  std::unordered_set<Session*> sessions;
  std::unordered_set<WsSession*> ws_sessions;
  std::thread thread;
};

/// A connection upgraded to WebSocket: reads messages into the endpoint, writes queued
/// messages one at a time. Everything runs on the worker's single-threaded io_context;
/// Send/Close from other threads are posted there.
class WsSession : public std::enable_shared_from_this<WsSession>, public WsConnection {
 public:
  WsSession(beast::tcp_stream&& stream, Worker& worker, Server::Impl& impl, Request req);
  ~WsSession() override;

  void Start(bhttp::request<bhttp::string_body> upgrade);
  void Send(std::shared_ptr<const std::string> text) override;
  void Close() override;
  /// Server shutdown: drop the connection now.
  void Abort() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void Read();
  void Enqueue(std::shared_ptr<const std::string> text);
  void WriteNext();
  void CloseNow();
  void Closed();

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Worker& worker_;
  Server::Impl& impl_;
  Request req_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

std::string JsonDetail(std::string_view detail) {
  return std::string(R"({"detail":")") + std::string(detail) + "\"}";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Worker& worker, Server::Impl& impl)
      : stream_(std::move(socket)), worker_(worker), impl_(impl) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() {
    worker_.sessions.erase(this);
    impl_.connections.fetch_sub(1);
  }

  void Start() {
    worker_.sessions.insert(this);
    WaitForRequest(impl_.options.header_timeout);
  }

  /// Called on shutdown: an idle connection closes now, a busy one after its response.
  void OnShutdown() {
    if (!busy_) stream_.cancel();
  }

 private:
  /// Waits for the first byte of the next request (idle timeout), then reads the header
  /// under the header timeout, so a slow client cannot hold a connection forever.
  void WaitForRequest(std::chrono::milliseconds wait) {
    busy_ = false;
    if (impl_.stopping) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    stream_.expires_after(wait);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(impl_.options.body_limit);
    stream_.expires_after(impl_.options.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "Request header fields too large.");
    }
    if (ec == bhttp::error::body_limit) {  // Content-Length above the limit
      return SendError(413, "Request body too large.");
    }
    if (ec) {
      if (ec == beast::error::timeout || ec == asio::error::eof ||
          ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
        return Close();
      }
      return SendError(400, "Malformed HTTP request.");
    }
    busy_ = true;
    auto& msg = parser_->get();
    if (auto len = parser_->content_length(); len && *len > impl_.options.body_limit) {
      return SendError(413, "Request body too large.");
    }
    if (util::IEquals(msg[bhttp::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(impl_.options.body_timeout);
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(impl_.options.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->OnBody(ec);
                      });
  }

  void OnBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return SendError(413, "Request body too large.");
    }
    if (ec) return Close();
    Dispatch();
  }

  void Dispatch() {
    auto started = std::chrono::steady_clock::now();
    auto msg = parser_->release();
    if (impl_.options.ws && websocket::is_upgrade(msg) &&
        std::string_view(msg.target()).rfind(impl_.options.ws_path_prefix, 0) == 0) {
      return Upgrade(std::move(msg));
    }
    Request req = Head(msg);
    req.body = std::move(msg.body());

    Response res;
    try {
      impl_.handler(req, res);
    } catch (const std::exception& e) {
      spdlog::error("request {} {} {}: unhandled: {}", req.id, req.method, req.target, e.what());
      res = Response{};
      res.status = 500;
      res.body = JsonDetail("Internal server error.");
    }
    bool keep_alive = msg.keep_alive() && !res.close && !impl_.stopping;
    if (impl_.options.access_log) {
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                      .count();
      spdlog::info("{} {} {} {} {} {:.2f}ms", req.id, remote_, req.method, req.target, res.status, ms);
    }
    Write(std::move(res), keep_alive, msg.version());
  }

  /// The plain request record of a parsed message, without its body.
  Request Head(const bhttp::request<bhttp::string_body>& msg) {
    Request req;
    req.id = impl_.next_request_id.fetch_add(1);
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    std::string_view target = req.target;
    size_t q = target.find('?');
    req.path = util::UrlDecode(target.substr(0, q), /*plus_as_space=*/false);
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    req.headers.reserve(16);
    for (const auto& f : msg) req.headers.push_back({util::ToLower(f.name_string()), std::string(f.value())});
    req.remote = remote_;
    return req;
  }

  /// Hands the connection to a WebSocket session; this HTTP session ends here.
  void Upgrade(bhttp::request<bhttp::string_body> msg) {
    Request req = Head(msg);
    if (impl_.options.access_log) spdlog::info("{} {} {} {} websocket", req.id, remote_, req.method, req.target);
    stream_.expires_never();
    impl_.connections.fetch_add(1);
    auto ws = std::make_shared<WsSession>(std::move(stream_), worker_, impl_, std::move(req));
    ws->Start(std::move(msg));
  }

  void SendError(int status, std::string_view reason) {
    busy_ = true;
    Response res;
    std::optional<Response> custom;
    if (impl_.options.on_reject) {
      std::string_view target = parser_ ? std::string_view(parser_->get().target()) : std::string_view();
      custom = impl_.options.on_reject(status, reason, target);
    }
    if (custom) {
      res = std::move(*custom);
    } else {
      res.body = JsonDetail(reason);
    }
    res.status = status;
    if (impl_.options.access_log) {
      spdlog::info("- {} - - {} (rejected before routing)", remote_, status);
    }
    Write(std::move(res), /*keep_alive=*/false, 11);
  }

  void Write(Response res, bool keep_alive, unsigned version) {
    res_.emplace();
    auto& out = *res_;
    out.version(version);
    out.result(static_cast<unsigned>(res.status));
    if (!(res.status == 204 || res.status == 304)) {
      out.set(bhttp::field::content_type, res.content_type);
    }
    for (auto& h : res.headers) out.set(h.name, h.value);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    keep_alive_ = keep_alive;
    stream_.expires_after(impl_.options.body_timeout);
    bhttp::async_write(stream_, out, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->res_.reset();
      if (ec || !self->keep_alive_) return self->Close();
      self->WaitForRequest(self->impl_.options.idle_timeout);
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  Worker& worker_;
  Server::Impl& impl_;
  std::string remote_;
  bool busy_ = false;
  bool keep_alive_ = false;
};

WsSession::WsSession(beast::tcp_stream&& stream, Worker& worker, Server::Impl& impl, Request req)
    : ws_(std::move(stream)), worker_(worker), impl_(impl), req_(std::move(req)) {}

WsSession::~WsSession() {
  worker_.ws_sessions.erase(this);
  impl_.connections.fetch_sub(1);
}

void WsSession::Start(bhttp::request<bhttp::string_body> upgrade) {
  worker_.ws_sessions.insert(this);
  // An idle connection is pinged after 30 s and dropped when the pong does not come back
  // within the next 30 s: dead peers go, quiet but live clients (a table left open) stay.
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = std::chrono::seconds(60);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(bhttp::field::server, "gridbase"); }));
  ws_.read_message_max(64 * 1024);
  ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    self->open_ = true;
    self->impl_.options.ws->OnOpen(self, self->req_);
    self->Read();
  });
}

void WsSession::Read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->Closed();
    std::string text = beast::buffers_to_string(self->buffer_.data());
    self->buffer_.consume(self->buffer_.size());
    if (!self->closed_) self->impl_.options.ws->OnMessage(self, text);
    self->Read();
  });
}

void WsSession::Send(std::shared_ptr<const std::string> text) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
    self->Enqueue(std::move(text));
  });
}

void WsSession::Enqueue(std::shared_ptr<const std::string> text) {
  if (closed_ || closing_) return;
  if (queue_.size() >= impl_.options.ws_max_queued_messages) {
    spdlog::warn("websocket {}: client is not reading; closing", req_.id);
    Abort();
    return;
  }
  queue_.push_back(std::move(text));
  if (!writing_) WriteNext();
}

void WsSession::WriteNext() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) CloseNow();
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
    self->queue_.pop_front();
    if (ec) {
      self->queue_.clear();
      self->writing_ = false;
      return;
    }
    self->WriteNext();
  });
}

void WsSession::Close() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closing_ || self->closed_) return;
    self->closing_ = true;
    if (!self->writing_) self->CloseNow();
  });
}

void WsSession::CloseNow() {
  if (!open_) return Abort();
  ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) { self->Abort(); });
}

void WsSession::Closed() {
  if (closed_) return;
  closed_ = true;
  if (open_) impl_.options.ws->OnClose(shared_from_this());
}

}  // namespace detail

namespace {

void Accept(Worker& w, Server::Impl& impl) {
  w.acceptor->async_accept([&w, &impl](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !w.acceptor->is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
      return Accept(w, impl);
    }
    if (impl.connections.load() >= impl.options.max_connections) {
      static const std::string kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
          "Content-Length: 34\r\nConnection: close\r\n\r\n{\"detail\":\"Too many connections.\"}";
      beast::error_code wec;
      socket.non_blocking(true, wec);
      asio::write(socket, asio::buffer(kBusy), wec);
      socket.close(wec);
    } else {
      impl.connections.fetch_add(1);
      std::make_shared<Session>(std::move(socket), w, impl)->Start();
    }
    Accept(w, impl);
  });
}

}  // namespace

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

Server::~Server() {
  for (auto& w : impl_->workers) {
    if (w->thread.joinable()) {
      w->ioc.stop();
      w->thread.join();
    }
  }
}

uint16_t Server::Listen() {
  auto address = asio::ip::make_address(impl_->options.host);
  uint16_t port = impl_->options.port;
  int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    tcp::endpoint ep(address, port);
    w->acceptor.emplace(w->ioc);
    w->acceptor->open(ep.protocol());
    w->acceptor->set_option(asio::socket_base::reuse_address(true));
    int one = 1;
    ::setsockopt(w->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    w->acceptor->bind(ep);
    w->acceptor->listen(asio::socket_base::max_listen_connections);
    port = w->acceptor->local_endpoint().port();  // the others share the first's port
    impl_->workers.push_back(std::move(w));
  }
  return port;
}

void Server::Run(bool handle_signals) {
  auto& impl = *impl_;
  std::optional<asio::signal_set> signals;
  if (handle_signals) {
    signals.emplace(impl.workers.front()->ioc, SIGINT, SIGTERM);
    signals->async_wait([this](beast::error_code ec, int sig) {
      if (ec) return;
      spdlog::info("signal {} received: shutting down", sig);
      Shutdown();
    });
    impl.signals = &*signals;
  }
  for (auto& w : impl.workers) {
    Accept(*w, impl);
    Worker* wp = w.get();
    w->thread = std::thread([wp, &impl] {
      wp->ioc.run();
      std::lock_guard lock(impl.mu);
      ++impl.finished_threads;
      impl.cv.notify_all();
    });
  }
  int total = static_cast<int>(impl.workers.size());
  std::unique_lock lock(impl.mu);
  impl.cv.wait(lock, [&] { return impl.shutdown_requested || impl.finished_threads == total; });
  if (!impl.cv.wait_for(lock, impl.options.shutdown_grace,
                        [&] { return impl.finished_threads == total; })) {
    spdlog::warn("shutdown grace period over: closing remaining connections");
    for (auto& w : impl.workers) w->ioc.stop();
  }
  lock.unlock();
  for (auto& w : impl.workers) w->thread.join();
  impl.signals = nullptr;
}

void Server::Shutdown() {
  auto& impl = *impl_;
  {
    std::lock_guard lock(impl.mu);
    if (impl.shutdown_requested) return;
    impl.shutdown_requested = true;
  }
  impl.stopping = true;
  for (size_t i = 0; i < impl.workers.size(); ++i) {
    Worker* w = impl.workers[i].get();
    bool first = i == 0;
    asio::post(w->ioc, [w, first, &impl] {
      beast::error_code ec;
      if (w->acceptor) w->acceptor->close(ec);
      if (first && impl.signals) impl.signals->cancel(ec);
      for (Session* s : std::vector<Session*>(w->sessions.begin(), w->sessions.end())) s->OnShutdown();
      for (WsSession* s : std::vector<WsSession*>(w->ws_sessions.begin(), w->ws_sessions.end())) s->Abort();
    });
  }
  impl.cv.notify_all();
}

}  // namespace gridbase::http
