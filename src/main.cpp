// gridbase: flags and environment → Config → App → run.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.hpp"
#include "app/move_store.hpp"
#include "gridbase_version.hpp"
#include "services/services.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

using gridbase::app::Config;

namespace {

void AddCommonOptions(CLI::App* cmd, Config& c) {
  cmd->add_option("--data-dir", c.data_dir, "Directory for the SQLite database and the secret key")
      ->envname("GRIDBASE_DATA_DIR");
  cmd->add_option("--database-url", c.database_url, "Database URL (default: sqlite in --data-dir)")
      ->envname("GRIDBASE_DATABASE_URL");
  cmd->add_option("--secret-key", c.secret_key, "Key that signs tokens (default: generated once)")
      ->envname("GRIDBASE_SECRET_KEY");
  cmd->add_option("--log-level", c.log_level, "trace, debug, info, warn, error")
      ->envname("GRIDBASE_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

void SetUpLogging(const Config& c) {
  auto logger = spdlog::stdout_logger_mt("gridbase");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  spdlog::set_level(spdlog::level::from_str(c.log_level));
  spdlog::flush_on(spdlog::level::info);
}

}  // namespace

int main(int argc, char** argv) {
  // glibc hands freed memory back to the kernel eagerly (madvise/munmap per request on the
  // worker threads' arenas); on this VM each of those costs a TLB shoot-down. Keep freed
  // memory for reuse instead: a write request got ~10 % cheaper, RSS stays bounded by the
  // peak working set.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  CLI::App cli{"gridbase: a Baserow-compatible no-code database server"};
  cli.set_version_flag("--version", std::string("gridbase ") + GRIDBASE_VERSION);
  cli.require_subcommand(1);

  Config config;
  auto* serve = cli.add_subcommand("serve", "Run the HTTP server");
  AddCommonOptions(serve, config);
  serve->add_option("--host", config.host, "Address to listen on")->envname("GRIDBASE_HOST");
  serve->add_option("--port", config.port, "Port to listen on (0: any free port)")
      ->envname("GRIDBASE_PORT");
  serve->add_option("--threads", config.threads, "Worker threads (0: one per core)")
      ->envname("GRIDBASE_THREADS")
      ->check(CLI::Range(0, 256));
  serve->add_option("--public-url", config.public_url, "Public base URL used in absolute links")
      ->envname("GRIDBASE_PUBLIC_URL");
  serve->add_option("--cors-origins", config.cors_origins, "Allowed CORS origins ('*' for any)")
      ->envname("GRIDBASE_CORS_ORIGINS")
      ->delimiter(',');
  size_t body_limit_kb = config.body_limit_bytes / 1024;
  serve->add_option("--body-limit-kb", body_limit_kb, "Largest accepted request body in KiB")
      ->envname("GRIDBASE_BODY_LIMIT_KB")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30));
  serve->add_option("--max-connections", config.max_connections, "Open connection cap")
      ->envname("GRIDBASE_MAX_CONNECTIONS")
      ->check(CLI::Range(size_t{1}, size_t{1000000}));
  serve->add_option("--header-timeout-ms", config.header_timeout_ms,
                    "Time a client has to send a request's headers")
      ->envname("GRIDBASE_HEADER_TIMEOUT_MS")
      ->check(CLI::Range(10, 3600000));
  serve->add_option("--body-timeout-ms", config.body_timeout_ms, "Time a client has to send a body")
      ->envname("GRIDBASE_BODY_TIMEOUT_MS")
      ->check(CLI::Range(10, 3600000));
  serve->add_option("--idle-timeout-ms", config.idle_timeout_ms, "Keep-alive idle time")
      ->envname("GRIDBASE_IDLE_TIMEOUT_MS")
      ->check(CLI::Range(10, 3600000));
  serve->add_option("--access-log", config.access_log, "One log line per request (true/false)")
      ->envname("GRIDBASE_ACCESS_LOG");
  serve->add_option("--index-min-rows", config.index_min_rows,
                    "Tables with at least this many rows get indexes for the fields they are filtered, "
                    "sorted and searched by")
      ->envname("GRIDBASE_INDEX_MIN_ROWS")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  serve->add_option("--frontend-url", config.frontend_url, "Web frontend URL (invitation links must use its host)")
      ->envname("GRIDBASE_FRONTEND_URL");
  serve->add_option("--smtp-url", config.smtp_url, "SMTP server, e.g. smtp://mail.example.com:587")
      ->envname("GRIDBASE_SMTP_URL");
  serve->add_option("--smtp-user", config.smtp_user, "SMTP user name")->envname("GRIDBASE_SMTP_USER");
  serve->add_option("--smtp-password", config.smtp_password, "SMTP password")->envname("GRIDBASE_SMTP_PASSWORD");
  serve->add_option("--smtp-from", config.smtp_from, "Sender address of mails")->envname("GRIDBASE_SMTP_FROM");
  std::string webhooks_allow_private;
  serve->add_option("--webhooks-allow-private-address", webhooks_allow_private,
                    "Let webhooks call private, loopback and link-local addresses (true/1/yes)")
      ->envname("GRIDBASE_WEBHOOKS_ALLOW_PRIVATE_ADDRESS");
  serve->add_option("--webhooks-retry-delay-ms", config.webhooks_retry_delay_ms,
                    "Delay before the first webhook retry; later retries double it")
      ->envname("GRIDBASE_WEBHOOKS_RETRY_DELAY_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3600000}));
  serve->add_option("--event-retention-hours", config.event_retention_hours,
                    "How long events stay available for replay (GET /api/database/events/table/{id}/)")
      ->envname("GRIDBASE_EVENT_RETENTION_HOURS")
      ->check(CLI::Range(int64_t{1}, int64_t{24 * 365}));

  serve->add_option("--baasbox-prefix", config.baasbox_prefix,
                    "Path prefix of the BaasBox API on the main listener (default /baasbox)")
      ->envname("GRIDBASE_BAASBOX_PREFIX");
  serve->add_option("--baasbox-port", config.baasbox_port,
                    "Also serve the BaasBox API at the root of this port (0: off)")
      ->envname("GRIDBASE_BAASBOX_PORT");
  serve->add_option("--baasbox-appcode", config.baasbox_appcode, "The BaasBox app code clients must send")
      ->envname("GRIDBASE_BAASBOX_APPCODE");
  serve->add_option("--baasbox-admin-password", config.baasbox_admin_password,
                    "Password of the BaasBox `admin` account, set when it is created on first start")
      ->envname("GRIDBASE_BAASBOX_ADMIN_PASSWORD");
  serve->add_option("--baasbox-dev-mode", config.baasbox_dev_mode,
                    "Development mode: without --baasbox-admin-password, `admin` gets the password \"admin\"")
      ->envname("GRIDBASE_BAASBOX_DEV_MODE");
  serve->add_option("--baasbox-session-timeout", config.baasbox_session_timeout_min,
                    "Minutes a BaasBox session token may stay unused (sliding; 0: never expires)")
      ->envname("GRIDBASE_BAASBOX_SESSION_TIMEOUT")
      ->check(CLI::Range(0.0, 525600.0));
  serve->add_option("--baasbox-query-timeout-ms", config.baasbox_query_timeout_ms,
                    "Time limit of one BaasBox query in milliseconds (past it: 503 \"Query timeout\"; 0: none)")
      ->envname("GRIDBASE_BAASBOX_QUERY_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}));

  auto* migrate = cli.add_subcommand("migrate", "Apply database migrations and exit");
  AddCommonOptions(migrate, config);

  std::string email, password, name;
  bool staff = false;
  auto* create_user = cli.add_subcommand("create-user", "Create an account");
  AddCommonOptions(create_user, config);
  create_user->add_option("--email", email, "E-mail address (login name)")->required();
  create_user->add_option("--password", password, "Password (8 to 256 characters)")->required();
  create_user->add_option("--name", name, "First name (default: the part before @)");
  create_user->add_flag("--staff", staff, "Make the account an instance administrator");

  gridbase::app::MoveStoreOptions move_options;
  auto* move_store = cli.add_subcommand(
      "move-store",
      "Copy a whole instance into another, empty database (e.g. SQLite to PostgreSQL) and verify the copy");
  move_store->add_option("--from", move_options.from,
                         "Source database URL: sqlite:///abs/path.db, sqlite:relative.db or postgresql://...");
  move_store->add_option("--to", move_options.to,
                         "Target database URL (must hold no instance): postgresql://... or sqlite:...");
  move_store->add_option("--from-data-dir", move_options.from_data_dir,
                         "The source server's data dir: its secret_key file (and gridbase.db when --from is not "
                         "given)");
  move_store->add_option("--to-data-dir", move_options.to_data_dir,
                         "The target server's data dir (SQLite target): where the secret key goes (and gridbase.db "
                         "when --to is not given)");
  move_store->add_option("--secret-key", move_options.secret_key,
                         "The source server's signing key, when it was given with --secret-key instead of kept in "
                         "its data dir");
  move_store->add_option("--batch-rows", move_options.batch_rows, "Rows per batch and INSERT")
      ->check(CLI::Range(size_t{1}, size_t{100000}));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "gridbase: " << e.what() << " (see gridbase --help)\n";
    return 2;
  }
  config.body_limit_bytes = body_limit_kb * 1024;
  {
    std::string v = gridbase::util::ToLower(gridbase::util::Trim(webhooks_allow_private));
    config.webhooks_allow_private_address = v == "true" || v == "1" || v == "yes";
  }
  if (*move_store) config.log_level = "warn";  // stdout carries the verification summary
  SetUpLogging(config);

  try {
    if (*serve) {
      gridbase::app::App app(config);
      return app.Serve();
    }
    if (*move_store) return gridbase::app::MoveStore(move_options);
    if (*migrate) {
      int n = gridbase::app::App::MigrateOnly(config);
      std::cout << "applied " << n << " migration(s)\n";
      return 0;
    }
    if (*create_user) {
      gridbase::app::App app(config);
      gridbase::services::RegisterInput input;
      input.email = gridbase::services::NormalizeEmail(email);
      if (!gridbase::util::IsValidEmail(input.email)) {
        std::cerr << "gridbase: --email: not a valid e-mail address\n";
        return 2;
      }
      if (password.size() < 8 || password.size() > 256) {
        std::cerr << "gridbase: --password: must be 8 to 256 characters\n";
        return 2;
      }
      input.password = password;
      input.name = name.empty() ? input.email.substr(0, input.email.find('@')) : name;
      input.staff = staff;
      auto user = app.services().users.Register(input, /*enforce_signup_setting=*/false);
      std::cout << "created user " << user.id << " (" << user.email << ")"
                << (user.is_staff ? " [staff]" : "") << "\n";
      return 0;
    }
  } catch (const gridbase::app::ConfigError& e) {
    std::cerr << "gridbase: " << e.what() << "\n";
    return 2;
  } catch (const gridbase::Error& e) {
    std::cerr << "gridbase: " << e.code() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "gridbase: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
