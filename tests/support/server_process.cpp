#include "support/server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace gbtest {

namespace fs = std::filesystem;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

namespace {

std::string PgAdminUrl() {
  const char* url = std::getenv("GRIDBASE_TEST_PG_URL");
  if (!url || !*url) {
    throw std::runtime_error("GRIDBASE_TEST_STORE=postgresql needs GRIDBASE_TEST_PG_URL (run the tests with `make test`)");
  }
  return url;
}

/// Runs a shell command; returns its exit status and output.
int Shell(const std::string& cmd, std::string* output) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  return ::pclose(p);
}

std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

/// The URL of database `name` on the cluster of the admin URL (same user, host and port).
std::string DatabaseUrl(const std::string& admin, const std::string& name) {
  auto slash = admin.rfind('/');
  return admin.substr(0, slash + 1) + name;
}

}  // namespace

bool UsingPostgres() {
  const char* store = std::getenv("GRIDBASE_TEST_STORE");
  return store && std::string(store) == "postgresql";
}

ServerProcess::ServerProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {
  char tmpl[] = "/tmp/gridbase-test-XXXXXX";
  char* dir = ::mkdtemp(tmpl);
  if (!dir) throw std::runtime_error("mkdtemp failed");
  data_dir_ = dir;
  log_path_ = data_dir_ + "/server.log";
  for (size_t i = 0; i + 1 < extra_args_.size(); ++i) {
    if (extra_args_[i] == "--database-url" && extra_args_[i + 1].rfind("postgres", 0) == 0) {
      database_url_ = extra_args_[i + 1];
    }
    if (extra_args_[i] == "--database-url") explicit_store_ = true;
  }
  if (!explicit_store_ && UsingPostgres()) {
    // A fresh database per server, dropped with it.
    static std::atomic<int> counter{0};
    std::string name = "gbt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                       fs::path(data_dir_).filename().string().substr(std::string("gridbase-test-").size());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string admin = PgAdminUrl(), out;
    if (Shell("psql -X -q " + Quoted(admin) + " -c " + Quoted("CREATE DATABASE " + name), &out) != 0) {
      throw std::runtime_error("cannot create the test database: " + out);
    }
    database_url_ = DatabaseUrl(admin, name);
    owns_database_ = true;
    extra_args_.push_back("--database-url");
    extra_args_.push_back(database_url_);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
  std::error_code ec;
  fs::remove_all(data_dir_, ec);
  if (owns_database_) {
    std::string out, name = database_url_.substr(database_url_.rfind('/') + 1);
    Shell("psql -X -q " + Quoted(PgAdminUrl()) + " -c " + Quoted("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"),
          &out);
  }
}

void ServerProcess::Start() {
  if (port_ == 0) port_ = FreePort();
  std::vector<std::string> args = {GRIDBASE_BINARY, "serve", "--host", "127.0.0.1", "--port",
                                   std::to_string(port_), "--data-dir", data_dir_ + "/data",
                                   "--threads", "2"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  HttpClient client(base_url());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("gridbase exited during start-up:\n" + log());
    }
    try {
      if (client.Get("/api/_health/").status == 200) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("gridbase did not become healthy:\n" + log());
}

void ServerProcess::Terminate() {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
}

int ServerProcess::Wait() {
  if (pid_ <= 0) return 0;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunCli(const std::vector<std::string>& args, std::string* output) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    std::vector<std::string> all = {GRIDBASE_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(pipefd[1]);
  output->clear();
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof(buf))) > 0) output->append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Account SignUp(HttpClient& client, const std::string& name, const std::string& email,
               const std::string& password) {
  auto res = client.Post("/api/user/", boost::json::object{{"name", name},
                                                            {"email", email},
                                                            {"password", password},
                                                            {"authenticate", true}});
  if (res.status != 200) throw std::runtime_error("sign-up failed: " + res.body);
  auto j = res.json().as_object();
  Account a;
  a.id = j.at("user").as_object().at("id").as_int64();
  a.email = std::string(j.at("user").as_object().at("username").as_string());
  a.access = std::string(j.at("access_token").as_string());
  a.refresh = std::string(j.at("refresh_token").as_string());
  return a;
}

std::string UniqueEmail(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "@example.com";
}

std::optional<std::string> RunSql(const std::string& db_file, const std::string& sql) {
  if (db_file.rfind("postgresql://", 0) == 0) {
    std::string output;
    int rc = Shell("psql -X -q -v ON_ERROR_STOP=1 -A -t -F '|' " + Quoted(db_file) + " -c " + Quoted(sql), &output);
    if (rc != 0) return std::nullopt;
    return output;
  }
  std::string file = db_file + ".test.sql";
  {
    std::ofstream out(file);
    out << ".timeout 5000\n" << sql << "\n";
  }
  std::string cmd = "sqlite3 -bail '" + db_file + "' < '" + file + "'";
  std::string output;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  int rc = ::pclose(p);
  std::remove(file.c_str());
  if (rc != 0) return std::nullopt;
  return output;
}

}  // namespace gbtest
