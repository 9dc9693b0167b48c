// Command line and durability: flags, exit codes, migrate, create-user, acknowledged writes
// surviving SIGKILL, graceful shutdown.
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

TEST(CliTest, VersionAndBadFlags) {
  std::string out;
  EXPECT_EQ(RunCli({"--version"}, &out), 0);
  EXPECT_EQ(out.rfind("gridbase ", 0), 0u) << out;
  EXPECT_EQ(RunCli({"serve", "--no-such-flag"}, &out), 2);
  EXPECT_NE(out.find("--no-such-flag"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(RunCli({"serve", "--port", "notaport"}, &out), 2) << out;
  EXPECT_EQ(RunCli({}, &out), 2) << out;
}

TEST(CliTest, UnusableDataDirExitsWithTwo) {
  std::string out;
  EXPECT_EQ(RunCli({"serve", "--data-dir", "/proc/gridbase-cannot-exist", "--port", "0"}, &out), 2);
  EXPECT_NE(out.find("data dir"), std::string::npos) << out;
  EXPECT_EQ(RunCli({"migrate", "--data-dir", "/tmp", "--database-url", "postgresql://gridbase@127.0.0.1:1/x"}, &out), 2);
  EXPECT_NE(out.find("cannot connect to PostgreSQL"), std::string::npos) << out;
  EXPECT_EQ(RunCli({"migrate", "--data-dir", "/tmp", "--database-url", "mysql://localhost/x"}, &out), 2);
  EXPECT_NE(out.find("unsupported URL"), std::string::npos) << out;
}

TEST(CliTest, MigrateAndCreateUser) {
  char tmpl[] = "/tmp/gridbase-cli-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string out;
  ASSERT_EQ(RunCli({"migrate", "--data-dir", dir}, &out), 0) << out;
  EXPECT_NE(out.find("applied 15 migration(s)"), std::string::npos) << out;
  ASSERT_EQ(RunCli({"migrate", "--data-dir", dir}, &out), 0) << out;
  EXPECT_NE(out.find("applied 0 migration(s)"), std::string::npos) << out;
  ASSERT_EQ(RunCli({"create-user", "--data-dir", dir, "--email", "Admin@Example.com", "--password", "admin-password"}, &out), 0) << out;
  EXPECT_NE(out.find("admin@example.com) [staff]"), std::string::npos) << out;
  EXPECT_EQ(RunCli({"create-user", "--data-dir", dir, "--email", "admin@example.com", "--password", "admin-password"}, &out), 1);
  EXPECT_NE(out.find("ERROR_EMAIL_ALREADY_EXISTS"), std::string::npos) << out;
  EXPECT_EQ(RunCli({"create-user", "--data-dir", dir, "--email", "x@example.com", "--password", "short"}, &out), 2);
  // The secret key was generated once, with owner-only permissions.
  struct stat st{};
  ASSERT_EQ(::stat((dir + "/secret_key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::filesystem::remove_all(dir);
}

TEST(DurabilityTest, AcknowledgedWritesSurviveSigkill) {
  ServerProcess server({"--secret-key", kTestSecret});
  server.Start();
  HttpClient c(server.base_url());
  auto a = SignUp(c, "Durable", UniqueEmail("durable"));
  std::vector<std::string> names;
  for (int i = 0; i < 25; ++i) {
    std::string name = "ws-" + std::to_string(i);
    auto res = c.Post("/api/workspaces/", json::object{{"name", name}}, {a.auth()});
    ASSERT_EQ(res.status, 200) << res.body;
    names.push_back(name);
  }
  ASSERT_EQ(c.Patch("/api/user/account/", json::object{{"first_name", "Renamed"}}, {a.auth()}).status, 200);
  server.Kill();
  server.Start();
  HttpClient c2(server.base_url());
  auto list = c2.Get("/api/workspaces/", {a.auth()});
  ASSERT_EQ(list.status, 200) << list.body;
  auto arr = list.json().as_array();
  ASSERT_EQ(arr.size(), names.size() + 1);
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(arr[i + 1].as_object().at("name"), json::value(names[i]));
  }
  auto v = c2.Post("/api/user/token-verify/", json::object{{"refresh_token", a.refresh}});
  EXPECT_EQ(v.json().as_object().at("user").as_object().at("first_name"), json::value("Renamed"));
  EXPECT_EQ(server.Stop(), 0) << server.log();
}

TEST(DurabilityTest, SigtermFinishesInFlightWorkAndExitsCleanly) {
  ServerProcess server({"--secret-key", kTestSecret});
  server.Start();
  // A request whose body is still arriving when SIGTERM comes must still be answered.
  std::string body = R"({"email":"nobody@example.com","password":"some-password"})";
  int fd = ConnectRaw(server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendRaw(fd, "POST /api/user/token-auth/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.Terminate();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(SendRaw(fd, body.substr(10)));
  bool closed = false;
  std::string out = ReadUntilClose(fd, 5000, &closed);
  ::close(fd);
  EXPECT_EQ(out.rfind("HTTP/1.1 401", 0), 0u) << out;
  EXPECT_NE(out.find("ERROR_INVALID_CREDENTIALS"), std::string::npos) << out;
  EXPECT_TRUE(closed);
  EXPECT_EQ(server.Wait(), 0) << server.log();
  EXPECT_NE(server.log().find("gridbase stopped"), std::string::npos);
}

}  // namespace
}  // namespace gbtest
