#pragma once
// BaasBox files (baasbox.md §9.8): upload with attachedData and an ACL, raw download, details,
// criteria listing, attached data, extracted text, delete and per-file grants. No HTTP here:
// docapi/files_api.cpp parses the multipart body and calls these with the authenticated Caller.
//
// Storage (migration 13): `bb_file` holds one row per file — uuid (the BaasBox `id`, also in
// bb_node with kind 'file' so ids stay unique across documents, links and files), author,
// creation time, @version, file name, content type, length, and `bb_doc`: the JSON text
// {"fileName","contentType","contentLength","metadata","attachedData"} that is both what the
// details answer shows and what `where` paths walk (§8.6). The bytes live in
// `bb_file_content(file_id, data)` as base64url text, so several stateless nodes over one
// PostgreSQL serve every file, and listing or reading details never reads the content.
// Grants are bb_acl rows under the reserved table id 0 (kFileAclTable): the same A/R/U/D sets,
// role inheritance and administrator/backoffice bypass as documents (§9.6.2).
// Every operation runs in one store transaction: a refused request changes nothing.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "baasbox/common.hpp"
#include "baasbox/criteria.hpp"
#include "store/store.hpp"

namespace gridbase::baasbox {

/// bb_acl.table_id of file grants (no Baserow table has id 0).
inline constexpr int64_t kFileAclTable = 0;

/// One uploaded file as the multipart body gave it (§9.8 POST /file).
struct FileUpload {
  std::string file_name;
  std::string content_type;  // the part's Content-Type ("" when absent)
  std::string_view data;
  std::optional<std::string> attached_data;  // the `attachedData` form field (JSON text)
  std::optional<std::string> acl;            // the `acl` form field (JSON text)
};

/// What GET /file/{id} sends.
struct FileBytes {
  std::string file_name;
  std::string content_type;
  std::string data;
};

class FileService {
 public:
  explicit FileService(store::Store& store, int64_t max_records = kDefaultMaxRecords);

  /// POST /file → the file JSON (201). ACL errors carry bb_codes 40002–40006/40010 (§4.3);
  /// 400 «attachedData is not valid JSON» for a malformed attachedData field.
  boost::json::object Create(const Caller& caller, const FileUpload& upload);
  /// GET /file/{id}: 404 «{id} file was not found» (missing or unreadable).
  FileBytes Download(const Caller& caller, const std::string& id);
  /// GET /file/details/{id}: 404 «{id} file was not found».
  boost::json::object Details(const Caller& caller, const std::string& id);
  /// GET /file/details + criteria (§7): the readable files, or [{"count": N}].
  boost::json::array List(const Caller& caller, const Criteria& criteria);
  /// GET /file/attachedData/{id}: 404 «{id} file was not found».
  boost::json::value AttachedData(const Caller& caller, const std::string& id);
  /// GET /file/content/{id}: the extracted text — the content itself for text/* files, ""
  /// otherwise (no Tika). 404 «The file {id} was not found».
  std::string ExtractedText(const Caller& caller, const std::string& id);
  /// DELETE /file/{id}: 404 «{id} file not found»; 403 «You have not the right to delete {id}».
  void Delete(const Caller& caller, const std::string& id);
  /// PUT (grant) / DELETE …/{action}/user/{u} or …/role/{r} (§9.6.1 applied to files).
  void SetGrant(const Caller& caller, const std::string& id, const std::string& action, bool to_role,
                const std::string& name, bool grant);

 private:
  store::Store& store_;
  int64_t max_records_;
};

/// A file as a link node shows it (§5.3: the details JSON), when `caller` may read it.
std::optional<boost::json::object> ReadableFileJson(store::Tx& tx, const Caller& caller, const std::string& uuid);

/// The content type stored for an upload: the part's own type when it names one, else a guess
/// from the file name's extension, else application/octet-stream.
std::string ResolveContentType(std::string_view part_type, std::string_view file_name);

}  // namespace gridbase::baasbox
