#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "api/dispatcher.hpp"
#include "api/routes.hpp"
#include "docapi/surface.hpp"
#include "events/bus.hpp"
#include "events/webhook_dispatcher.hpp"
#include "http/server.hpp"
#include "services/services.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"
#include "ws/hub.hpp"

namespace gridbase::app {

namespace fs = std::filesystem;

namespace {

int ThreadCount(const Config& c) {
  if (c.threads > 0) return c.threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw ConfigError("data dir " + dir + " is not usable: " +
                      (ec ? ec.message() : std::string("not a directory")));
  }
  fs::path probe = fs::path(dir) / ".write-test";
  std::ofstream f(probe);
  if (!f) throw ConfigError("data dir " + dir + " is not writable");
  f.close();
  fs::remove(probe, ec);
}

/// The SQLite file named by the database URL, or the default one in the data dir.
std::string SqlitePath(const Config& c) {
  const std::string& url = c.database_url;
  if (url.empty()) return (fs::path(c.data_dir) / "gridbase.db").string();
  if (url.rfind("sqlite:///", 0) == 0) return url.substr(9);  // keeps the leading '/'
  if (url.rfind("sqlite://", 0) == 0) return url.substr(9);
  if (url.rfind("sqlite:", 0) == 0) return url.substr(7);
  throw ConfigError("--database-url: unsupported URL " + url +
                    " (expected sqlite:///path or postgresql://user@host:port/database)");
}

std::string LoadOrCreateSecret(const Config& c, store::Store& s) {
  if (!c.secret_key.empty()) return c.secret_key;
  if (s.dialect().postgres()) {
    // Every process over the database signs and checks tokens with the same key.
    return s.WriteResult([](store::Tx& tx) {
      tx.Exec("INSERT INTO gridbase_secrets (name, value) VALUES ('secret_key', ?) ON CONFLICT (name) DO NOTHING",
              util::RandomHex(32));
      return *tx.QueryText("SELECT value FROM gridbase_secrets WHERE name = 'secret_key'");
    });
  }
  fs::path path = fs::path(c.data_dir) / "secret_key";
  std::ifstream in(path);
  std::string key;
  if (in && std::getline(in, key) && !util::Trim(key).empty()) return std::string(util::Trim(key));
  key = util::RandomHex(32);
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out) throw ConfigError("cannot write the secret key to " + path.string());
    out << key << "\n";
  }
  ::chmod(path.c_str(), 0600);
  spdlog::info("generated a new secret key in {}", path.string());
  return key;
}

/// --baasbox-prefix: "/seg[/seg…]" of URL-safe characters, not under /api or /ws.
void CheckBaasBoxPrefix(const std::string& p) {
  bool ok = p.size() > 1 && p.front() == '/' && p.back() != '/' && p.find("//") == std::string::npos;
  for (char ch : p)
    ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '-' || ch == '_' || ch == '.' || ch == '~');
  std::string_view v = p;
  for (std::string_view taken : {"/api", "/ws", "/media"})
    if (v == taken || v.rfind(std::string(taken) + "/", 0) == 0) ok = false;
  if (!ok) throw ConfigError("--baasbox-prefix: expected a path such as /baasbox (not under /api, /ws or /media)");
}

std::unique_ptr<store::Store> OpenStore(const Config& c) {
  EnsureDataDir(c.data_dir);
  if (store::IsPostgresUrl(c.database_url)) {
    try {
      return store::OpenPostgresStore(c.database_url, ThreadCount(c) + 1);
    } catch (const std::exception& e) {
      throw ConfigError(std::string("cannot open the database: ") + e.what());
    }
  }
  std::string path = SqlitePath(c);
  try {
    return store::OpenSqliteStore(path, ThreadCount(c) + 1);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("cannot open the database: ") + e.what());
  }
}

}  // namespace

struct App::Parts {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<services::Services> services;
  std::unique_ptr<api::Dispatcher> dispatcher;
  std::unique_ptr<docapi::Surface> baasbox;  // the BaasBox document API (its own router)
  // The outbox consumers, in the order the bus calls them.
  std::unique_ptr<ws::Hub> realtime;
  std::unique_ptr<events::WebhookDispatcher> webhooks;
  std::unique_ptr<events::EventBus> bus;
};

App::App(Config config) : config_(std::move(config)), parts_(std::make_unique<Parts>()) {
  util::InitCrypto();
  parts_->store = OpenStore(config_);
  int applied = store::Migrate(*parts_->store);
  if (applied > 0) spdlog::info("applied {} migration(s)", applied);

  services::AuthConfig auth;
  auth.secret_key = LoadOrCreateSecret(config_, *parts_->store);
  services::MailConfig mail{config_.smtp_url, config_.smtp_user, config_.smtp_password, config_.smtp_from};
  parts_->services =
      std::make_unique<services::Services>(*parts_->store, std::move(auth), std::move(mail),
                                                               config_.frontend_url, config_.index_min_rows,
                                                               services::WebhookConfig{config_.webhooks_allow_private_address,
                                                                                       config_.webhooks_retry_delay_ms});

  api::DispatcherOptions opts;
  opts.cors_origins = config_.cors_origins;
  opts.public_url = config_.public_url;
  while (!opts.public_url.empty() && opts.public_url.back() == '/') opts.public_url.pop_back();
  parts_->dispatcher = std::make_unique<api::Dispatcher>(*parts_->services, std::move(opts));
  api::RegisterAllRoutes(parts_->dispatcher->router());

  CheckBaasBoxPrefix(config_.baasbox_prefix);
  docapi::Options bb;
  bb.app_code = config_.baasbox_appcode;
  bb.session_timeout = std::chrono::milliseconds(static_cast<int64_t>(config_.baasbox_session_timeout_min * 60000.0));
  bb.query_timeout = std::chrono::milliseconds(config_.baasbox_query_timeout_ms);
  parts_->baasbox = std::make_unique<docapi::Surface>(*parts_->store, parts_->services->mailer, std::move(bb));

  events::BusOptions bus_options;
  bus_options.retention = std::chrono::hours(config_.event_retention_hours);
  parts_->bus = std::make_unique<events::EventBus>(*parts_->store, bus_options);
  parts_->realtime = std::make_unique<ws::Hub>(*parts_->services);
  parts_->webhooks = std::make_unique<events::WebhookDispatcher>(*parts_->store, parts_->services->webhooks.config());
  parts_->bus->AddConsumer(parts_->realtime.get());
  parts_->bus->AddConsumer(parts_->webhooks.get());
  auto* bus = parts_->bus.get();
  parts_->store->SetCommitListener([bus] { bus->Notify(); });
}

App::~App() {
  if (parts_ && parts_->bus) parts_->bus->Stop();
  if (parts_ && parts_->webhooks) parts_->webhooks->Stop();
  if (parts_ && parts_->store) parts_->store->Close();
}

services::Services& App::services() { return *parts_->services; }
store::Store& App::store() { return *parts_->store; }

int App::Serve() {
  {
    // On the first start of the server (not of migrate or create-user): §2.4 Deviation, the
    // built-in admin's password comes from config; the literal "admin"
    // only in dev mode; otherwise a random one, logged once.
    std::string pw = config_.baasbox_admin_password;
    bool generated = false;
    if (pw.empty() && config_.baasbox_dev_mode) pw = "admin";
    if (pw.empty()) {
      pw = util::RandomAlphanumeric(20);
      generated = true;
    }
    if (parts_->baasbox->EnsureAdmin(pw)) {
      if (generated) {
        spdlog::warn("created the BaasBox admin account with the generated password {} "
                     "(set --baasbox-admin-password before the first start to choose it)", pw);
      } else {
        spdlog::info("created the BaasBox admin account");
      }
    }
  }
  http::ServerOptions opts;
  opts.host = config_.host;
  opts.port = config_.port;
  opts.threads = ThreadCount(config_);
  opts.body_limit = config_.body_limit_bytes;
  opts.max_connections = config_.max_connections;
  opts.header_timeout = std::chrono::milliseconds(config_.header_timeout_ms);
  opts.body_timeout = std::chrono::milliseconds(config_.body_timeout_ms);
  opts.idle_timeout = std::chrono::milliseconds(config_.idle_timeout_ms);
  opts.access_log = config_.access_log;
  opts.ws = parts_->realtime.get();
  auto* dispatcher = parts_->dispatcher.get();
  auto* baasbox = parts_->baasbox.get();
  std::string prefix = config_.baasbox_prefix;
  // A refusal before routing keeps the surface's own error body (§1.1: never a Baserow body).
  opts.on_reject = [baasbox, prefix](int status, std::string_view reason,
                                     std::string_view target) -> std::optional<http::Response> {
    std::string_view rest;
    if (!docapi::UnderPrefix(target.substr(0, target.find('?')), prefix, &rest)) return std::nullopt;
    return baasbox->Rejection(status, reason, target);
  };
  http::Server server(opts, [dispatcher, baasbox, prefix](const http::Request& req, http::Response& res) {
    std::string_view raw_path = std::string_view(req.target).substr(0, req.target.find('?'));
    std::string_view rest;
    if (docapi::UnderPrefix(raw_path, prefix, &rest)) return baasbox->Handle(req, res, rest);
    dispatcher->Handle(req, res);
  });
  uint16_t port = 0;
  try {
    port = server.Listen();
  } catch (const std::exception& e) {
    throw ConfigError("cannot listen on " + config_.host + ":" + std::to_string(config_.port) +
                      ": " + e.what());
  }
  spdlog::info("gridbase listening on http://{}:{} ({} threads, data in {})", config_.host, port,
               opts.threads, config_.data_dir);
  // The dedicated BaasBox listener (§1.1): the same surface at the root of its own port.
  std::unique_ptr<http::Server> bb_server;
  std::thread bb_thread;
  if (config_.baasbox_port != 0) {
    http::ServerOptions bb_opts = opts;
    bb_opts.port = config_.baasbox_port;
    bb_opts.threads = 1;
    bb_opts.ws = nullptr;
    bb_opts.on_reject = [baasbox](int status, std::string_view reason,
                                  std::string_view target) -> std::optional<http::Response> {
      return baasbox->Rejection(status, reason, target);
    };
    bb_server = std::make_unique<http::Server>(bb_opts, [baasbox](const http::Request& req, http::Response& res) {
      baasbox->Handle(req, res, std::string_view(req.target).substr(0, req.target.find('?')));
    });
    uint16_t bb_port = 0;
    try {
      bb_port = bb_server->Listen();
    } catch (const std::exception& e) {
      throw ConfigError("cannot listen on " + config_.host + ":" + std::to_string(config_.baasbox_port) + ": " +
                        e.what());
    }
    spdlog::info("BaasBox API listening on http://{}:{}/", config_.host, bb_port);
    bb_thread = std::thread([s = bb_server.get()] { s->Run(/*handle_signals=*/false); });
  }
  parts_->bus->Start();
  parts_->webhooks->Start();
  server.Run(/*handle_signals=*/true);
  if (bb_server) {
    bb_server->Shutdown();
    bb_thread.join();
  }
  parts_->bus->Stop();
  parts_->webhooks->Stop();
  parts_->store->Close();
  spdlog::info("gridbase stopped");
  return 0;
}

int App::MigrateOnly(const Config& config) {
  auto s = OpenStore(config);
  int n = store::Migrate(*s);
  s->Close();
  return n;
}

}  // namespace gridbase::app
