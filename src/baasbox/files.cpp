// BaasBox files (baasbox.md §9.8); storage and ACL model: see files.hpp. Messages are
// BaasBox's (`bb: controllers/File.java`), except where §9.6.1 words the grant errors.
#include "baasbox/files.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "baasbox/documents_internal.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace gridbase::baasbox {

namespace json = boost::json;

namespace file_impl {

using doc_impl::AclGrant;

struct FileRow {
  int64_t id = 0;
  std::string uuid;
  int64_t version = 0;
  std::string author;
  int64_t created_ms = 0;
  json::object doc;  // fileName, contentType, contentLength, metadata, attachedData
  std::string file_name;
  std::string content_type;
};

constexpr const char* kFileSelect =
    "SELECT t.id, t.uuid, t.version, bbu.username, t.created_at, t.bb_doc, t.file_name, t.content_type "
    "FROM bb_file t LEFT JOIN bb_user bbu ON bbu.id = t.author_id";

FileRow ReadFileRow(const store::Cursor& c) {
  FileRow f;
  f.id = c.Int(0);
  f.uuid = c.String(1);
  f.version = c.Int(2);
  f.author = c.IsNull(3) ? "" : c.String(3);
  f.created_ms = c.Int(4);
  json::value v = json::parse(c.Text(5));
  if (v.is_object()) f.doc = std::move(v.get_object());
  f.file_name = c.String(6);
  f.content_type = c.String(7);
  return f;
}

/// The file with node id `uuid` if `caller` may read it.
std::optional<FileRow> FindReadable(store::Tx& tx, const Caller& caller, const std::string& uuid) {
  std::optional<FileRow> row;
  {
    auto c = tx.Query(std::string(kFileSelect) + " WHERE t.uuid = ?", uuid);
    if (c->Next()) row = ReadFileRow(*c);
  }
  if (!row || !doc_impl::Allowed(tx, caller, kFileAclTable, row->id, Permission::kRead)) return std::nullopt;
  return row;
}

/// §9.8: @version, id, _creation_date, _author, then the stored keys (no @rid, no @class, as
/// BaasBox's FILE format).
json::object Render(const FileRow& f) {
  json::object o{{"@version", f.version},
                 {"id", f.uuid},
                 {"_creation_date", FormatBbDate(f.created_ms)},
                 {"_author", f.author}};
  for (const auto& [k, v] : f.doc) o[k] = v;
  return o;
}

where::PathTable FilePaths() {
  where::PathTable p;
  p.doc_sql = "t.bb_doc";
  p.system["id"] = where::SystemField{"t.uuid", {}, where::Type::kString};
  p.system["_author"] =
      where::SystemField{"(SELECT bbu2.username FROM bb_user bbu2 WHERE bbu2.id = t.author_id)", {}, where::Type::kString};
  p.system["_creation_date"] = where::SystemField{"t.created_at", {}, where::Type::kDate};
  p.system["@version"] = where::SystemField{"t.version", {}, where::Type::kNumber};
  return p;
}

std::optional<int64_t> UserIdByName(store::Tx& tx, const std::string& name) {
  return tx.QueryInt("SELECT id FROM bb_user WHERE username_ci = ?", util::ToLower(name));
}

std::optional<int64_t> RoleIdByName(store::Tx& tx, const std::string& name) {
  return tx.QueryInt("SELECT id FROM bb_role WHERE name = ?", name);
}

[[noreturn]] void AclError(const std::string& bb_code, const std::string& message) {
  throw BbError(400, message, bb_code);
}

/// The upload's `acl` field (§9.8, bb_codes of §4.3), checked in BaasBox's order: the JSON,
/// each permission key, each users/roles key, the array, then every name. Stricter than
/// BaasBox in one point: a top-level or permission value that is not an object is 40002
/// (BaasBox silently ignored it).
std::vector<AclGrant> ParseUploadAcl(store::Tx& tx, std::string_view text) {
  constexpr const char* kMalformed = "The 'acl' field is malformed";
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) AclError("40002", kMalformed);
  std::vector<AclGrant> grants;
  for (const auto& [key, perms] : v.get_object()) {
    char perm;
    if (key == "read") perm = 'R';
    else if (key == "update") perm = 'U';
    else if (key == "delete") perm = 'D';
    else if (key == "all") perm = 'A';
    else AclError("40003", "The key '" + std::string(key) + "' is invalid. Valid ones are 'read','update','delete','all'");
    if (!perms.is_object()) AclError("40002", kMalformed);
    for (const auto& [kind, names] : perms.get_object()) {
      if (kind != "users" && kind != "roles") {
        AclError("40004", "The key '" + std::string(kind) + "' is invalid. Valid ones are 'users' or 'roles'");
      }
      if (!names.is_array()) AclError("40010", "The '" + std::string(kind) + "' value must be an array");
      for (const auto& e : names.get_array()) {
        std::string name = e.is_string() ? std::string(e.get_string()) : json::serialize(e);
        if (kind == "users") {
          auto id = UserIdByName(tx, name);
          if (!id) AclError("40005", "The user " + name + " does not exists");
          grants.push_back({perm, 'U', *id});
        } else {
          auto id = RoleIdByName(tx, name);
          if (!id) AclError("40006", "The role " + name + " does not exists");
          grants.push_back({perm, 'R', *id});
        }
      }
    }
  }
  return grants;
}

bool Blank(std::string_view s) { return util::Trim(s).empty(); }

/// A Content-Type value safe to store and send back: printable ASCII, `type/subtype` tokens.
bool ValidMediaType(std::string_view t) {
  if (t.empty() || t.size() > 255) return false;
  for (char c : t)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  std::string_view media = util::Trim(t.substr(0, t.find(';')));
  size_t slash = media.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == media.size()) return false;
  for (char c : media) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$&^_.+-/").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return media.find('/', slash + 1) == std::string_view::npos;
}

bool IsText(std::string_view content_type) { return util::ToLower(content_type).rfind("text/", 0) == 0; }

}  // namespace file_impl

std::optional<json::object> ReadableFileJson(store::Tx& tx, const Caller& caller, const std::string& uuid) {
  auto row = file_impl::FindReadable(tx, caller, uuid);
  if (!row) return std::nullopt;
  return file_impl::Render(*row);
}

std::string ResolveContentType(std::string_view part_type, std::string_view file_name) {
  using namespace file_impl;
  std::string_view given = util::Trim(part_type);
  if (ValidMediaType(given) && !util::IEquals(util::Trim(given.substr(0, given.find(';'))), "application/octet-stream"))
    return std::string(given);
  static const std::pair<const char*, const char*> kByExtension[] = {
      {"txt", "text/plain"},        {"html", "text/html"},          {"htm", "text/html"},
      {"css", "text/css"},          {"csv", "text/csv"},            {"md", "text/markdown"},
      {"js", "text/javascript"},    {"json", "application/json"},   {"xml", "application/xml"},
      {"pdf", "application/pdf"},   {"zip", "application/zip"},     {"gz", "application/gzip"},
      {"png", "image/png"},         {"jpg", "image/jpeg"},          {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},         {"webp", "image/webp"},         {"svg", "image/svg+xml"},
      {"bmp", "image/bmp"},         {"ico", "image/vnd.microsoft.icon"}, {"mp3", "audio/mpeg"},
      {"wav", "audio/wav"},         {"ogg", "audio/ogg"},           {"mp4", "video/mp4"},
      {"webm", "video/webm"},       {"mov", "video/quicktime"},
  };
  size_t dot = file_name.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext = util::ToLower(file_name.substr(dot + 1));
    for (const auto& [e, type] : kByExtension)
      if (ext == e) return type;
  }
  return "application/octet-stream";
}

FileService::FileService(store::Store& store, int64_t max_records) : store_(store), max_records_(max_records) {}

json::object FileService::Create(const Caller& caller, const FileUpload& upload) {
  using namespace file_impl;
  if (caller.anonymous()) throw BbError(401, "Missing both Session Token and Authorization info");
  return store_.WriteResult([&](store::Tx& tx) {
    std::vector<AclGrant> grants;
    if (upload.acl && !Blank(*upload.acl)) grants = ParseUploadAcl(tx, *upload.acl);
    json::value attached = json::object{};
    if (upload.attached_data && !Blank(*upload.attached_data)) {
      boost::system::error_code ec;
      attached = json::parse(*upload.attached_data, ec);
      if (ec) throw BbError(400, "attachedData is not valid JSON");
    }
    const std::string content_type = ResolveContentType(upload.content_type, upload.file_name);
    const auto length = static_cast<int64_t>(upload.data.size());
    json::object doc{{"fileName", upload.file_name},
                     {"contentType", content_type},
                     {"contentLength", length},
                     {"metadata", json::object{}},
                     {"attachedData", std::move(attached)}};
    const std::string uuid = util::NewUuid();
    int64_t id = *tx.QueryInt(
        "INSERT INTO bb_file (uuid, author_id, created_at, version, file_name, content_type, content_length, bb_doc) "
        "VALUES (?, ?, ?, 1, ?, ?, ?, ?) RETURNING id",
        uuid, caller.user_id, doc_impl::NowMs(), upload.file_name, content_type, length, json::serialize(doc));
    tx.Exec("INSERT INTO bb_file_content (file_id, data) VALUES (?, ?)", id, util::Base64UrlEncode(upload.data));
    tx.Exec("INSERT INTO bb_node (uuid, kind, table_id, row_id) VALUES (?, 'file', ?, ?)", uuid, kFileAclTable, id);
    doc_impl::AddGrant(tx, kFileAclTable, id, 'A', 'U', caller.user_id);
    for (const auto& g : grants) doc_impl::AddGrant(tx, kFileAclTable, id, g.perm, g.kind, g.principal);
    return Render(*FindReadable(tx, caller, uuid));
  });
}

FileBytes FileService::Download(const Caller& caller, const std::string& id) {
  using namespace file_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    auto row = FindReadable(tx, caller, id);
    if (!row) throw BbError(404, id + " file was not found");
    auto encoded = tx.QueryText("SELECT data FROM bb_file_content WHERE file_id = ?", row->id);
    auto bytes = encoded ? util::Base64UrlDecode(*encoded) : std::nullopt;
    if (!bytes) throw std::runtime_error("the content of file " + id + " is missing or corrupt");
    return FileBytes{row->file_name, row->content_type, std::move(*bytes)};
  });
}

json::object FileService::Details(const Caller& caller, const std::string& id) {
  using namespace file_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    auto row = FindReadable(tx, caller, id);
    if (!row) throw BbError(404, id + " file was not found");
    return Render(*row);
  });
}

json::value FileService::AttachedData(const Caller& caller, const std::string& id) {
  using namespace file_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    auto row = FindReadable(tx, caller, id);
    if (!row) throw BbError(404, id + " file was not found");
    const auto* v = row->doc.if_contains("attachedData");
    return v ? *v : json::value(json::object{});
  });
}

std::string FileService::ExtractedText(const Caller& caller, const std::string& id) {
  using namespace file_impl;
  return store_.ReadResult([&](store::Tx& tx) {
    auto row = FindReadable(tx, caller, id);
    if (!row) throw BbError(404, "The file " + id + " was not found");
    if (!IsText(row->content_type)) return std::string();
    auto encoded = tx.QueryText("SELECT data FROM bb_file_content WHERE file_id = ?", row->id);
    auto bytes = encoded ? util::Base64UrlDecode(*encoded) : std::nullopt;
    if (!bytes) throw std::runtime_error("the content of file " + id + " is missing or corrupt");
    return std::move(*bytes);
  });
}

json::array FileService::List(const Caller& caller, const Criteria& criteria) {
  using namespace file_impl;
  auto paths = FilePaths();
  CheckCriteriaSyntax(criteria, paths.hidden);
  std::optional<where::Where> bound;
  if (!criteria.where.empty()) bound = where::ParseAndBind(criteria.where, criteria.params, doc_impl::NowMs());
  return store_.ReadResult([&](store::Tx& tx) {
    where::SqlParams params;
    std::string cond = "1 = 1";
    std::string acl = doc_impl::AclCondition(caller, kFileAclTable, "t.id", "AR", params);
    if (!acl.empty()) cond += " AND " + acl;
    if (bound) {
      auto user = where::Compile(*bound, tx.dialect(), paths);
      cond += " AND (" + user.text + ")";
      params.insert(params.end(), user.params.begin(), user.params.end());
    }
    if (criteria.count) {
      auto values = types::BindValues(params);
      auto c = tx.QueryV("SELECT COUNT(*) FROM bb_file t WHERE " + cond, values);
      c->Next();
      return json::array{json::object{{"count", c->Int(0)}}};
    }
    Paging paging = PagingOf(criteria, max_records_);
    std::string sql = std::string(kFileSelect) + " WHERE " + cond + " ORDER BY t.id";
    const bool in_memory = NeedsInMemory(criteria);
    if (!in_memory) sql += SqlPaging(paging, max_records_, tx.dialect().postgres(), params);
    auto values = types::BindValues(params);
    std::vector<FileRow> rows;
    {
      auto c = tx.QueryV(sql, values);
      while (c->Next()) rows.push_back(ReadFileRow(*c));
    }
    if (!in_memory) {
      CheckResultCap(rows.size(), max_records_);
      json::array out;
      for (const auto& f : rows) out.push_back(Render(f));
      return out;
    }
    std::vector<CriteriaRow> candidates;
    for (auto& f : rows) {
      CriteriaRow r;
      r.system = json::object{{"id", f.uuid},
                              {"_author", f.author},
                              {"_creation_date", FormatBbDate(f.created_ms)},
                              {"@version", f.version}};
      r.out = Render(f);
      r.doc = std::move(f.doc);
      candidates.push_back(std::move(r));
    }
    return ApplyInMemory(std::move(candidates), criteria, max_records_, paths.hidden);
  });
}

void FileService::Delete(const Caller& caller, const std::string& id) {
  using namespace file_impl;
  store_.Write([&](store::Tx& tx) {
    auto row = FindReadable(tx, caller, id);
    if (!row) throw BbError(404, id + " file not found");
    if (!doc_impl::Allowed(tx, caller, kFileAclTable, row->id, Permission::kDelete)) {
      throw BbError(403, "You have not the right to delete " + id);
    }
    tx.Exec("DELETE FROM bb_file_content WHERE file_id = ?", row->id);
    tx.Exec("DELETE FROM bb_file WHERE id = ?", row->id);
    tx.Exec("DELETE FROM bb_acl WHERE table_id = ? AND row_id = ?", kFileAclTable, row->id);
    tx.Exec("DELETE FROM bb_node WHERE uuid = ?", row->uuid);
    doc_impl::DeleteLinksOf(tx, row->uuid);
  });
}

void FileService::SetGrant(const Caller& caller, const std::string& id, const std::string& action, bool to_role,
                           const std::string& name, bool grant) {
  using namespace file_impl;
  const std::string a = util::ToLower(action);
  char perm;
  if (a == "read") perm = 'R';
  else if (a == "update") perm = 'U';
  else if (a == "delete") perm = 'D';
  else if (a == "all") perm = 'A';
  else throw BbError(400, action + " is not a valid action");
  store_.Write([&](store::Tx& tx) {
    std::optional<int64_t> principal = to_role ? RoleIdByName(tx, name) : UserIdByName(tx, name);
    if (!principal) throw BbError(404, (to_role ? "role " : "user ") + name + " not found");
    auto row = FindReadable(tx, caller, id);
    if (!row) throw BbError(404, id + " file was not found");
    if (!doc_impl::Allowed(tx, caller, kFileAclTable, row->id, Permission::kUpdate)) {
      throw BbError(403, "You have not the right to modify " + id);
    }
    const char kind = to_role ? 'R' : 'U';
    if (grant) {
      doc_impl::AddGrant(tx, kFileAclTable, row->id, perm, kind, *principal);
    } else {
      tx.Exec("DELETE FROM bb_acl WHERE table_id = ? AND row_id = ? AND perm = ? AND principal_kind = ? AND "
              "principal_id = ?",
              kFileAclTable, row->id, std::string(1, perm), std::string(1, kind), *principal);
    }
    tx.Exec("UPDATE bb_file SET version = version + 1 WHERE id = ?", row->id);
  });
}

}  // namespace gridbase::baasbox
