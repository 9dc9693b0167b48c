// API tests of links whose node is a user (baasbox.md §5.3: a user node renders as a profile,
// §5.2, with the sections the caller may see) or a file (its details, §9.8).
#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

class BaasBoxLinksTest : public BbTest {};

TEST_F(BaasBoxLinksTest, AUserNodeRendersAsTheProfileTheCallerMaySee) {
  std::string admin = AdminToken();
  std::string col = Unique("linkusers");
  auto c = bb();
  ExpectOk(c.Post("/admin/collection/" + col, json::object{}, As(admin)), 201);
  std::string owner_name = Unique("linkowner");
  std::string owner = SignUp(owner_name);
  auto me = ExpectOk(c.Put("/me",
                           J(R"({"visibleByTheUser":{"phone":"123"},"visibleByRegisteredUsers":{"city":"Rome"},)"
                             R"("visibleByAnonymousUsers":{"nick":"o"},"visibleByFriends":{"x":1}})"),
                           As(owner)));
  std::string owner_id(me.at("id").as_string());
  auto doc = ExpectOk(c.Post("/document/" + col, J(R"({"title":"owned"})"), As(owner)));
  std::string doc_id(doc.at("id").as_string());

  auto link = ExpectOk(c.Post("/link/" + doc_id + "/owner/" + owner_id, json::object{}, As(owner)));
  std::string link_id(link.at("id").as_string());
  // The owner sees its whole profile.
  const auto& in = link.at("in").as_object();
  EXPECT_EQ(in.at("user").at("name"), json::value(owner_name)) << link;
  EXPECT_EQ(in.at("id"), json::value(owner_id));
  EXPECT_EQ(in.at("visibleByTheUser").at("phone"), "123") << link;
  EXPECT_EQ(in.at("visibleByRegisteredUsers").at("city"), "Rome");
  EXPECT_EQ(link.at("out").at("title"), "owned");

  // Another registered user, granted the document, sees the registered and anonymous sections only.
  std::string other_name = Unique("linkother");
  std::string other = SignUp(other_name);
  ExpectOk(c.Put("/document/" + col + "/" + doc_id + "/read/user/" + other_name, json::object{}, As(owner)));
  auto seen = ExpectOk(c.Get("/link/" + link_id, As(other)));
  const auto& in2 = seen.at("in").as_object();
  EXPECT_EQ(in2.at("user").at("name"), json::value(owner_name)) << seen;
  EXPECT_FALSE(in2.contains("visibleByTheUser")) << seen;
  EXPECT_FALSE(in2.contains("visibleByFriends")) << seen;
  EXPECT_EQ(in2.at("visibleByRegisteredUsers").at("city"), "Rome") << seen;
  EXPECT_EQ(in2.at("visibleByAnonymousUsers").at("nick"), "o") << seen;
}

TEST_F(BaasBoxLinksTest, AFileNodeRendersAsItsDetailsWhenReadable) {
  std::string admin = AdminToken();
  std::string col = Unique("linkfiles");
  auto c = bb();
  ExpectOk(c.Post("/admin/collection/" + col, json::object{}, As(admin)), 201);
  std::string owner = SignUp(Unique("fileowner"));
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
  auto up = c.Request("POST", "/file", body,
                      {kAppHeader, Session(owner), "Content-Type: multipart/form-data; boundary=XyZ"});
  auto file = ExpectOk(up, 201);
  std::string file_id(file.at("id").as_string());
  auto doc = ExpectOk(c.Post("/document/" + col, J(R"({"title":"with attachment"})"), As(owner)));
  std::string doc_id(doc.at("id").as_string());

  auto link = ExpectOk(c.Post("/link/" + doc_id + "/attachment/" + file_id, json::object{}, As(owner)));
  std::string link_id(link.at("id").as_string());
  EXPECT_EQ(link.at("in").at("id"), json::value(file_id)) << link;
  EXPECT_EQ(link.at("in").at("fileName"), "note.txt") << link;
  EXPECT_EQ(link.at("in").at("contentLength"), 5) << link;
  auto listed = ExpectOk(c.Get("/link?where=in.fileName%3D%27note.txt%27", As(owner)));
  ASSERT_EQ(listed.as_array().size(), 1u) << listed;

  // A user who cannot read the file sees a null end; granting read shows it.
  std::string other_name = Unique("fileother");
  std::string other = SignUp(other_name);
  ExpectOk(c.Put("/document/" + col + "/" + doc_id + "/read/user/" + other_name, json::object{}, As(owner)));
  EXPECT_TRUE(ExpectOk(c.Get("/link/" + link_id, As(other))).at("in").is_null());
  ExpectOk(c.Put("/file/" + file_id + "/read/user/" + other_name, json::object{}, As(owner)));
  EXPECT_EQ(ExpectOk(c.Get("/link/" + link_id, As(other))).at("in").at("fileName"), "note.txt");
  // Deleting the file deletes the link.
  ExpectOk(c.Delete("/file/" + file_id, As(owner)));
  ExpectBbError(c.Get("/link/" + link_id, As(owner)), 404, "The link " + link_id + " was not found");
}

}  // namespace
}  // namespace gbtest::bb
