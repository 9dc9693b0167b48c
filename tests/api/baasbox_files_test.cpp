// API tests of BaasBox files (baasbox.md §9.8): multipart upload with attachedData and acl,
// raw download (token in the query string as the JS SDK sends it, download=true), details,
// attachedData, extracted text, criteria listing, delete, per-file grants with role
// inheritance and the admin bypass, every error of those routes, and the body limit.
#include <optional>

#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

constexpr const char* kBoundary = "----gbFormBoundary7MA4YWxkTrZu0gW";
constexpr const char* kNotMultipart =
    "missing data: is the body multipart/form-data? Check if it contains boundaries too! ";

struct FormPart {
  std::string name;
  std::string value;
  std::optional<std::string> file_name;
  std::string content_type;
};

std::string Multipart(const std::vector<FormPart>& parts) {
  std::string out;
  for (const auto& p : parts) {
    out += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (p.file_name) out += "; filename=\"" + *p.file_name + "\"";
    out += "\r\n";
    if (!p.content_type.empty()) out += "Content-Type: " + p.content_type + "\r\n";
    out += "\r\n" + p.value + "\r\n";
  }
  return out + "--" + kBoundary + "--\r\n";
}

FormPart FilePart(const std::string& file_name, const std::string& bytes, const std::string& type = "") {
  return FormPart{"file", bytes, file_name, type};
}

std::string AllBytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}

class BaasBoxFilesTest : public BbTest {
 protected:
  HttpResponse UploadRaw(const std::string& token, const std::string& body,
                         const std::string& content_type = std::string("multipart/form-data; boundary=") + kBoundary) {
    auto c = bb();
    return c.Request("POST", "/file", body, {kAppHeader, Session(token), "Content-Type: " + content_type});
  }
  HttpResponse Upload(const std::string& token, const std::vector<FormPart>& parts) {
    return UploadRaw(token, Multipart(parts));
  }
  /// Uploads and returns the file JSON.
  json::object Store(const std::string& token, const std::vector<FormPart>& parts) {
    auto data = ExpectOk(Upload(token, parts), 201, "upload");
    if (!data.is_object()) return {};
    return data.as_object();
  }
  std::string Id(const json::object& file) { return std::string(file.at("id").as_string()); }
  int64_t CountFiles(const std::string& token) {
    auto c = bb();
    auto data = ExpectOk(c.Get("/file/details?count=true", As(token)), 200, "count");
    return data.at(0).at("count").as_int64();
  }
};

TEST_F(BaasBoxFilesTest, UploadDownloadDetailsAttachedDataContentDelete) {
  auto c = bb();
  const std::string name = Unique("filer");
  const std::string user = SignUp(name);
  auto created = Upload(user, {FormPart{"attachedData", R"({"title":"greeting","n":2})", {}, ""},
                               FilePart("hello.txt", "Hello, files", "text/plain")});
  auto file = ExpectOk(created, 201);
  ASSERT_TRUE(file.is_object()) << created.body;
  const std::string id(file.at("id").as_string());
  EXPECT_EQ(file.at("@version"), 1);
  EXPECT_EQ(file.at("_author"), json::value(name));
  EXPECT_TRUE(file.at("_creation_date").is_string());
  EXPECT_EQ(file.at("fileName"), "hello.txt");
  EXPECT_EQ(file.at("contentType"), "text/plain");
  EXPECT_EQ(file.at("contentLength"), 12);
  EXPECT_EQ(file.at("metadata"), json::object{});
  EXPECT_EQ(file.at("attachedData"), J(R"({"title":"greeting","n":2})"));
  EXPECT_FALSE(file.as_object().contains("@rid"));
  // Key order of §9.8.
  std::vector<std::string> keys;
  for (const auto& kv : file.as_object()) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"@version", "id", "_creation_date", "_author", "fileName", "contentType",
                                            "contentLength", "metadata", "attachedData"}));

  // Raw bytes with the stored Content-Type, not enveloped; no Content-Disposition by default.
  auto got = c.Get("/file/" + id, As(user));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "Hello, files");
  EXPECT_EQ(got.header("content-type"), "text/plain");
  EXPECT_EQ(got.header("content-disposition"), "");
  EXPECT_EQ(got.header("access-control-allow-origin"), "*");
  // Uploaded HTML or SVG must not run script in this origin.
  EXPECT_EQ(got.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(got.header("content-security-policy"), "sandbox");
  // The JS SDK: the token in the query string, no headers at all.
  auto js = c.Get("/file/" + id + "?X-BB-SESSION=" + user);
  EXPECT_EQ(js.status, 200) << js.body;
  EXPECT_EQ(js.body, "Hello, files");
  auto download = c.Get("/file/" + id + "?download=true", As(user));
  EXPECT_EQ(download.body, "Hello, files");
  EXPECT_EQ(download.header("content-disposition"), "attachment; filename=\"hello.txt\"");
  EXPECT_EQ(c.Get("/file/" + id + "?download=false", As(user)).header("content-disposition"), "");

  // Details, attachedData, extracted text.
  EXPECT_EQ(ExpectOk(c.Get("/file/details/" + id, As(user))), file);
  EXPECT_EQ(ExpectOk(c.Get("/file/attachedData/" + id, As(user))), J(R"({"title":"greeting","n":2})"));
  auto text = c.Get("/file/content/" + id, As(user));
  EXPECT_EQ(text.status, 200);
  EXPECT_EQ(text.body, "Hello, files");
  EXPECT_EQ(text.header("content-type"), "text/plain; charset=utf-8");

  // Binary content survives byte for byte; a non-text file has no extracted text; a file name
  // with spaces and non-ASCII is URL-encoded in Content-Disposition (as BaasBox's URLEncoder).
  const std::string bytes = AllBytes() + AllBytes();
  auto bin = Store(user, {FilePart("my pic \xC3\xA9.png", bytes, "image/png")});
  const std::string bin_id = Id(bin);
  EXPECT_EQ(bin.at("contentLength"), 512);
  EXPECT_EQ(bin.at("attachedData"), json::object{});  // default
  auto raw = c.Get("/file/" + bin_id + "?download=TRUE", As(user));
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.body, bytes);
  EXPECT_EQ(raw.header("content-type"), "image/png");
  EXPECT_EQ(raw.header("content-disposition"), "attachment; filename=\"my+pic+%C3%A9.png\"");
  auto none = c.Get("/file/content/" + bin_id, As(user));
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "");
  // Image resizing is not offered: an image answers 501 (not the original in its place);
  // resizing anything else is BaasBox's 400.
  ExpectBbError(c.Get("/file/" + bin_id + "?sizeId=0", As(user)), 501,
                "Image resizing (sizeId, resize) is not available on this server");
  ExpectBbError(c.Get("/file/" + bin_id + "?resize=%3C%3D60px", As(user)), 501,
                "Image resizing (sizeId, resize) is not available on this server");
  ExpectBbError(c.Get("/file/" + id + "?sizeId=1", As(user)), 400,
                "The id " + id + "is not an image and cannot be resize");
  ExpectBbError(c.Get("/file/" + id + "?resize=50%25", As(user)), 400,
                "The id " + id + "is not an image and cannot be resize");

  // Content types: the part's own, else guessed from the extension, else octet-stream.
  EXPECT_EQ(Store(user, {FilePart("a.json", "{}")}).at("contentType"), "application/json");
  EXPECT_EQ(Store(user, {FilePart("b.PNG", "x", "application/octet-stream")}).at("contentType"), "image/png");
  EXPECT_EQ(Store(user, {FilePart("noext", "x")}).at("contentType"), "application/octet-stream");
  const std::string pdf = Id(Store(user, {FilePart("doc.pdf", "%PDF-1.4")}));
  auto pdf_raw = c.Get("/file/" + pdf, As(user));
  EXPECT_EQ(pdf_raw.header("content-type"), "application/pdf");
  EXPECT_EQ(pdf_raw.header("content-security-policy"), "");  // browsers show no PDF in a sandbox
  EXPECT_EQ(Store(user, {FilePart("c.txt", "x", "text/x-custom; charset=utf-8")}).at("contentType"),
            "text/x-custom; charset=utf-8");
  // An empty file is a file.
  EXPECT_EQ(Store(user, {FilePart("empty.txt", "")}).at("contentLength"), 0);

  // Delete, then every route answers its 404.
  EXPECT_EQ(ExpectOk(c.Delete("/file/" + id, As(user))), json::value(""));
  ExpectBbError(c.Get("/file/" + id, As(user)), 404, id + " file was not found");
  ExpectBbError(c.Get("/file/details/" + id, As(user)), 404, id + " file was not found");
  ExpectBbError(c.Get("/file/attachedData/" + id, As(user)), 404, id + " file was not found");
  ExpectBbError(c.Get("/file/content/" + id, As(user)), 404, "The file " + id + " was not found");
  ExpectBbError(c.Delete("/file/" + id, As(user)), 404, id + " file not found");
  ExpectBbError(c.Put("/file/" + id + "/read/role/registered", json::object{}, As(user)), 404,
                id + " file was not found");
  ExpectBbError(c.Get("/file/nope", As(user)), 404, "nope file was not found");
}

TEST_F(BaasBoxFilesTest, UploadErrorsChangeNothing) {
  auto c = bb();
  const std::string user = SignUp(Unique("uperr"));
  const std::string other = Unique("uperr_other");
  SignUp(other);
  auto file = FilePart("x.txt", "x");
  auto with_acl = [&](const std::string& acl) { return Upload(user, {file, FormPart{"acl", acl, {}, ""}}); };

  // Not multipart at all, multipart without a (valid) boundary, a malformed body.
  ExpectBbError(c.Post("/file", json::object{{"a", 1}}, As(user)), 400, kNotMultipart);
  ExpectBbError(c.Request("POST", "/file", "", As(user)), 400, kNotMultipart);
  ExpectBbError(UploadRaw(user, Multipart({file}), "multipart/form-data"), 400, kNotMultipart);
  ExpectBbError(UploadRaw(user, "no delimiter here"), 400, kNotMultipart);
  std::string truncated = Multipart({file});
  truncated.resize(truncated.size() - 10);
  ExpectBbError(UploadRaw(user, truncated), 400, kNotMultipart);
  // Multipart without a file part: none, only fields, or a file input left empty.
  ExpectBbError(UploadRaw(user, std::string("--") + kBoundary + "--\r\n"), 400, "missing the file data in the body payload");
  ExpectBbError(Upload(user, {FormPart{"attachedData", "{}", {}, ""}}), 400, "missing the file data in the body payload");
  ExpectBbError(Upload(user, {FormPart{"file", "", std::string(""), "application/octet-stream"}}), 400,
                "missing the file data in the body payload");

  // The acl field (bb_codes of §4.3).
  ExpectBbError(with_acl("{not json"), 400, "The 'acl' field is malformed", "40002");
  ExpectBbError(with_acl("[]"), 400, "The 'acl' field is malformed", "40002");
  ExpectBbError(with_acl(R"({"read":["bob"]})"), 400, "The 'acl' field is malformed", "40002");
  ExpectBbError(with_acl(R"({"write":{"users":[]}})"), 400,
                "The key 'write' is invalid. Valid ones are 'read','update','delete','all'", "40003");
  ExpectBbError(with_acl(R"({"read":{"groups":[]}})"), 400,
                "The key 'groups' is invalid. Valid ones are 'users' or 'roles'", "40004");
  ExpectBbError(with_acl(R"({"read":{"users":["no_such_user_x"]}})"), 400, "The user no_such_user_x does not exists",
                "40005");
  ExpectBbError(with_acl(R"({"all":{"roles":["no_such_role_x"]}})"), 400, "The role no_such_role_x does not exists",
                "40006");
  ExpectBbError(with_acl(R"({"read":{"users":")" + other + R"("}})"), 400, "The 'users' value must be an array",
                "40010");
  // A valid entry before the bad one does not save anything either.
  ExpectBbError(with_acl(R"({"read":{"users":[")" + other + R"("]},"update":{"roles":["nope_role"]}})"), 400,
                "The role nope_role does not exists", "40006");
  ExpectBbError(Upload(user, {file, FormPart{"attachedData", "{broken", {}, ""}}), 400, "attachedData is not valid JSON");

  // Nothing was stored by the refused uploads.
  EXPECT_EQ(CountFiles(user), 0);

  // Authentication (§2.3, access class USER).
  ExpectBbError(c.Request("POST", "/file", Multipart({file}),
                          {kAppHeader, std::string("Content-Type: multipart/form-data; boundary=") + kBoundary}),
                401, "Missing both Session Token and Authorization info");
  ExpectBbError(c.Get("/file/details", {kAppHeader}), 401, "Missing both Session Token and Authorization info");
  ExpectBbError(c.Get("/file/whatever?X-BB-SESSION=not-a-token"), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  // Basic auth works as for every USER route.
  auto basic = c.Request("POST", "/file", Multipart({file}),
                         {kAppHeader, Basic("admin", kAdminPassword),
                          std::string("Content-Type: multipart/form-data; boundary=") + kBoundary});
  ExpectOk(basic, 201);
}

TEST_F(BaasBoxFilesTest, GrantsRolesAndAdminBypass) {
  auto c = bb();
  const std::string owner_name = Unique("fowner");
  const std::string reader_name = Unique("freader");
  const std::string third_name = Unique("fthird");
  const std::string owner = SignUp(owner_name);
  const std::string reader = SignUp(reader_name);
  const std::string third = SignUp(third_name);
  const std::string id = Id(Store(owner, {FilePart("secret.txt", "top secret")}));
  const std::string base = "/file/" + id;

  // Nobody but the author (and administrators) sees it.
  ExpectBbError(c.Get(base, As(reader)), 404, id + " file was not found");
  ExpectBbError(c.Get("/file/details/" + id, As(reader)), 404, id + " file was not found");
  ExpectBbError(c.Get("/file/attachedData/" + id, As(reader)), 404, id + " file was not found");
  ExpectBbError(c.Get("/file/content/" + id, As(reader)), 404, "The file " + id + " was not found");
  ExpectBbError(c.Delete(base, As(reader)), 404, id + " file not found");
  ExpectBbError(c.Put(base + "/read/user/" + reader_name, json::object{}, As(reader)), 404, id + " file was not found");
  EXPECT_EQ(CountFiles(reader), 0);

  // Grant errors.
  ExpectBbError(c.Put(base + "/write/user/" + reader_name, json::object{}, As(owner)), 400, "write is not a valid action");
  ExpectBbError(c.Put(base + "/read/user/nobody_x", json::object{}, As(owner)), 404, "user nobody_x not found");
  ExpectBbError(c.Put(base + "/read/role/norole_x", json::object{}, As(owner)), 404, "role norole_x not found");

  // read to a user (action case-insensitive): reads, but may neither delete nor re-grant.
  EXPECT_EQ(ExpectOk(c.Put(base + "/READ/user/" + reader_name, json::object{}, As(owner))), json::value(""));
  EXPECT_EQ(c.Get(base, As(reader)).body, "top secret");
  EXPECT_EQ(ExpectOk(c.Get("/file/details/" + id, As(reader))).at("@version"), 2);  // a grant advances @version
  EXPECT_EQ(CountFiles(reader), 1);
  ExpectBbError(c.Delete(base, As(reader)), 403, "You have not the right to delete " + id);
  ExpectBbError(c.Put(base + "/read/user/" + third_name, json::object{}, As(reader)), 403,
                "You have not the right to modify " + id);
  ExpectBbError(c.Get(base, As(third)), 404, id + " file was not found");  // the refused grant changed nothing
  // update lets the reader grant; delete lets it delete.
  ExpectOk(c.Put(base + "/update/user/" + reader_name, json::object{}, As(owner)));
  ExpectOk(c.Put(base + "/read/user/" + third_name, json::object{}, As(reader)));
  EXPECT_EQ(c.Get(base, As(third)).status, 200);
  ExpectOk(c.Delete(base + "/read/user/" + third_name, As(owner)));
  ExpectOk(c.Delete(base + "/read/user/" + third_name, As(owner)));  // revoking an absent grant is fine
  ExpectBbError(c.Get(base, As(third)), 404, id + " file was not found");

  // Role inheritance (§2.4): a grant to `anonymous` reaches every registered user.
  ExpectOk(c.Put(base + "/read/role/anonymous", json::object{}, As(owner)));
  EXPECT_EQ(c.Get(base, As(third)).body, "top secret");
  ExpectOk(c.Delete(base + "/read/role/anonymous", As(owner)));
  ExpectOk(c.Put(base + "/read/role/registered", json::object{}, As(owner)));
  EXPECT_EQ(c.Get(base, As(third)).body, "top secret");
  ExpectOk(c.Delete(base + "/read/role/registered", As(owner)));
  ExpectBbError(c.Get(base, As(third)), 404, id + " file was not found");

  // ACL given at upload time: read to a user, all to a role.
  const std::string acl = R"({"read":{"users":[")" + reader_name + R"("]},"all":{"roles":["registered"]}})";
  const std::string shared = Id(Store(owner, {FilePart("s.txt", "shared"), FormPart{"acl", acl, {}, ""}}));
  EXPECT_EQ(c.Get("/file/" + shared, As(reader)).body, "shared");
  EXPECT_EQ(c.Get("/file/" + shared, As(third)).body, "shared");
  ExpectOk(c.Delete("/file/" + shared, As(third)));  // `all` via registered includes delete

  // Administrators bypass the ACL.
  const std::string admin = AdminToken();
  EXPECT_EQ(c.Get(base, As(admin)).body, "top secret");
  EXPECT_GE(CountFiles(admin), 1);
  ExpectOk(c.Put(base + "/delete/user/" + third_name, json::object{}, As(admin)));
  // delete without read: still invisible, so 404.
  ExpectBbError(c.Delete(base, As(third)), 404, id + " file not found");
  ExpectOk(c.Delete(base, As(admin)));
  ExpectBbError(c.Get(base, As(owner)), 404, id + " file was not found");
}

TEST_F(BaasBoxFilesTest, DetailsListTakesCriteria) {
  auto c = bb();
  const std::string user = SignUp(Unique("flister"));
  const std::string other = SignUp(Unique("flister_other"));
  Store(other, {FilePart("other.txt", "o")});
  for (int i = 1; i <= 3; ++i) {
    Store(user, {FilePart("f" + std::to_string(i) + (i == 3 ? ".png" : ".txt"), std::string(i, 'x')),
                 FormPart{"attachedData", R"({"n":)" + std::to_string(i) + R"(,"tag":"t)" + std::to_string(i % 2) + "\"}",
                          {}, ""}});
  }
  auto all = ExpectOk(c.Get("/file/details", As(user)));
  ASSERT_TRUE(all.is_array());
  ASSERT_EQ(all.as_array().size(), 3u) << all;  // the other user's file is not readable
  EXPECT_EQ(all.at(0).at("fileName"), "f1.txt");

  auto names = [&](const std::string& query) {
    std::vector<std::string> out;
    auto data = ExpectOk(c.Get("/file/details?" + query, As(user)), 200, query.c_str());
    if (!data.is_array()) return out;
    for (const auto& f : data.as_array()) out.emplace_back(f.at("fileName").as_string());
    return out;
  };
  EXPECT_EQ(names("where=attachedData.n%20%3E%20%3F&params=1"), (std::vector<std::string>{"f2.txt", "f3.png"}));
  EXPECT_EQ(names("where=contentType%3D%27text%2Fplain%27"), (std::vector<std::string>{"f1.txt", "f2.txt"}));
  EXPECT_EQ(names("where=contentLength%20%3C%202"), (std::vector<std::string>{"f1.txt"}));
  EXPECT_EQ(names("where=fileName%20like%20%27f%25.png%27"), (std::vector<std::string>{"f3.png"}));
  EXPECT_EQ(names("where=attachedData.tag%3D%3F&params=t1&orderBy=fileName%20desc"),
            (std::vector<std::string>{"f3.png", "f1.txt"}));
  EXPECT_EQ(names("orderBy=contentLength%20desc&page=0&recordsPerPage=2"), (std::vector<std::string>{"f3.png", "f2.txt"}));
  EXPECT_EQ(names("page=1&recordsPerPage=2"), (std::vector<std::string>{"f3.png"}));
  auto count = ExpectOk(c.Get("/file/details?count=true&where=attachedData.n%3E%3D2", As(user)));
  EXPECT_EQ(count, J(R"([{"count":2}])"));
  auto projected = ExpectOk(c.Get("/file/details?fields=fileName&where=attachedData.n%3D3", As(user)));
  EXPECT_EQ(projected, J(R"([{"fileName":"f3.png"}])"));
  // Criteria errors are 400 (§7.6) and the ACL fields are not queryable.
  auto bad = c.Get("/file/details?where=fileName%20%3D%3D%3D", As(user));
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto hidden = c.Get("/file/details?where=_allow%20is%20not%20null", As(user));
  EXPECT_EQ(hidden.status, 400) << hidden.body;
}

TEST_F(BaasBoxFilesTest, EveryNodeOverOneDatabaseServesEveryFile) {
  if (!UsingPostgres()) GTEST_SKIP() << "several processes over one database: PostgreSQL only";
  ServerProcess second(WithArgs(ServerArgs(), {"--database-url", server_->database_url()}));
  second.Start();
  HttpClient c2(second.base_url() + "/baasbox");
  const std::string name = Unique("fnodes");
  const std::string token = SignUp(name);
  const std::string bytes = AllBytes();
  const std::string id = Id(Store(token, {FilePart("n.bin", bytes)}));
  // Sessions belong to one process; Basic works on any node.
  auto got = c2.Get("/file/" + id, {kAppHeader, Basic(name, "pw")});
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, bytes);
  ExpectOk(c2.Delete("/file/" + id, {kAppHeader, Basic(name, "pw")}));
  ExpectBbError(bb().Get("/file/" + id, As(token)), 404, id + " file was not found");
  EXPECT_EQ(second.Stop(), 0) << second.log();
}

// The server's body limit applies to uploads: an oversized body gets the surface's 413
// envelope, and nothing is stored.
class BaasBoxFilesLimitTest : public BbTest {
 protected:
  static void SetUpTestSuite() { StartServer(WithArgs(ServerArgs(), {"--body-limit-kb", "4"})); }
};

TEST_F(BaasBoxFilesLimitTest, OversizedUploadIsRefused) {
  auto c = bb();
  const std::string user = SignUp(Unique("flimit"));
  const std::string type = std::string("Content-Type: multipart/form-data; boundary=") + kBoundary;
  auto big = c.Request("POST", "/file", Multipart({FilePart("big.bin", std::string(8 * 1024, 'b'))}),
                       {kAppHeader, Session(user), type});
  ExpectBbError(big, 413, "Request body too large.");
  auto small = c.Request("POST", "/file", Multipart({FilePart("small.bin", std::string(1024, 's'))}),
                         {kAppHeader, Session(user), type});
  EXPECT_EQ(small.status, 201) << small.body;
  auto list = ExpectOk(c.Get("/file/details", {kAppHeader, Session(user)}));
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.as_array().size(), 1u);
  EXPECT_EQ(list.at(0).at("fileName"), "small.bin");
}

}  // namespace
}  // namespace gbtest::bb
