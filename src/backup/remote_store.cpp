// The remote half of the backup store. Listing reads only manifests, which are uploaded after the
// data is verified, so an upload cut short (or a data object without its manifest) is never a
// backup anyone can pick.
#include "backup/remote_store.hpp"

#include <algorithm>
#include <chrono>

#include "core/error.hpp"
#include "remote/credentials.hpp"
#include "util/atomic_file.hpp"
#include "util/file_reader.hpp"
#include "util/sha256.hpp"

namespace migsafe::backup {
namespace fs = std::filesystem;

namespace {

remote::S3Location location_of(const config::BackupRemote& c) {
  try {
    return remote::parse_location(c.url, c.endpoint, c.region, c.force_path_style);
  } catch (const std::invalid_argument& e) {
    throw usage_error(std::string("backup.remote: ") + e.what());
  }
}

bool newer(const StoredBackup& a, const StoredBackup& b) {
  if (a.manifest.created_at != b.manifest.created_at)
    return a.manifest.created_at > b.manifest.created_at;
  return a.manifest.backup_id > b.manifest.backup_id;
}

}  // namespace

std::string object_name(const fs::path& remote_path) { return remote_path.filename().string(); }

RemoteStore::RemoteStore(const config::BackupRemote& c)
    : client_(std::make_unique<remote::S3Client>(
          location_of(c),
          remote::load_credentials({c.access_key_id_env, c.secret_access_key_env,
                                    c.session_token_env}))),
      part_size_(size_t(c.part_size_mib) * 1024 * 1024) {}

Store RemoteStore::read() {
  Store store;
  const auto& loc = client_->location();
  std::string base = loc.url();
  if (!base.empty() && base.back() == '/') base.pop_back();
  store.dir = base;
  for (const auto& object : client_->list_objects(loc.prefix)) {
    std::string name = object.key.substr(loc.prefix.size());
    if (name.find('/') != std::string::npos || name.size() < 6 ||
        name.compare(name.size() - 5, 5, ".json") != 0)
      continue;
    std::string origin = loc.url_of(object.key);
    try {
      auto json = nlohmann::json::parse(client_->get_object(object.key));
      store.backups.push_back(StoredBackup{Manifest::from_json(json, origin), store.dir / name});
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      store.problems.push_back(origin + ": " + e.what());
    }
  }
  std::sort(store.backups.begin(), store.backups.end(), newer);
  return store;
}

std::unique_ptr<remote::MultipartUpload> RemoteStore::start_upload(const std::string& file_name,
                                                                   const std::string& backup_id) {
  return std::make_unique<remote::MultipartUpload>(*client_, client_->location().key(file_name),
                                                   part_size_,
                                                   remote::Metadata{{"migsafe-backup-id", backup_id}});
}

std::string RemoteStore::check(const StoredBackup& b) {
  const auto& m = b.manifest;
  const std::string key = client_->location().key(m.file);
  std::optional<remote::ObjectInfo> head;
  try {
    head = client_->head_object(key);
  } catch (const std::exception& e) {
    return m.backup_id + ": " + e.what();
  }
  if (!head) return m.backup_id + ": " + client_->location().url_of(key) + " is missing";
  if (head->size != m.bytes) {
    return m.backup_id + ": " + client_->location().url_of(key) + " has " +
           std::to_string(head->size) + " bytes, the manifest says " + std::to_string(m.bytes);
  }
  std::string etag = m.remote.is_object() ? m.remote.value("etag", "") : "";
  if (!etag.empty() && head->etag != etag) {
    return m.backup_id + ": " + client_->location().url_of(key) + " changed since it was uploaded (ETag " +
           head->etag + ", uploaded as " + etag + ")";
  }
  return "";
}

nlohmann::json RemoteStore::complete(remote::MultipartUpload& upload, Manifest& m,
                                     const fs::path& local_dir, long long started_ms_ago) {
  auto start = std::chrono::steady_clock::now() - std::chrono::milliseconds(started_ms_ago);
  remote::UploadResult r =
      upload.finish({{"migsafe-checksum", m.checksum}, {"migsafe-bytes", std::to_string(m.bytes)}});
  auto head = client_->head_object(r.key);
  const std::string where = client_->location().url_of(r.key);
  if (!head) throw Error(Exit::refused, where + ": the uploaded object is not there");
  if (head->size != m.bytes || r.bytes != m.bytes) {
    throw Error(Exit::refused, where + " has " + std::to_string(head->size) + " bytes, the backup " +
                                   std::to_string(m.bytes));
  }
  if (head->etag != r.expected_etag) {
    throw Error(Exit::refused, where + ": the object's ETag " + head->etag +
                                   " is not that of the bytes sent (" + r.expected_etag + ")");
  }
  m.remote = {{"url", url()},
              {"key", r.key},
              {"bytes", m.bytes},
              {"etag", head->etag},
              {"parts", r.parts},
              {"status", "verified"},
              {"uploaded_at", iso8601_utc(std::chrono::system_clock::now())},
              {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count()}};
  if (!m.schema_file.empty()) put_file(local_dir / m.schema_file);
  put_manifest(m);  // last: from now on the remote copy is listed
  return m.remote;
}

nlohmann::json RemoteStore::push(const StoredBackup& local) {
  Manifest m = local.manifest;
  if (m.format != "custom")
    throw Error(Exit::refused, m.backup_id + ": format \"" + m.format + "\" cannot be uploaded yet");
  auto upload = start_upload(m.file, m.backup_id);
  util::Sha256 hash;
  try {
    util::FileReader file(local.data_path());
    std::string buffer(1 << 20, '\0');
    while (size_t n = file.read(buffer.data(), buffer.size())) {
      std::string_view chunk(buffer.data(), n);
      hash.update(chunk);
      upload->write(chunk);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(Exit::refused, local.data_path().string() + ": " + e.what());
  }
  if ("sha256:" + hash.hex() != m.checksum) {
    throw Error(Exit::refused, local.data_path().string() +
                                   ": checksum mismatch with its manifest; not uploading it");
  }
  return complete(*upload, m, local.manifest_path.parent_path());
}

void RemoteStore::put_file(const fs::path& path) {
  std::string body;
  try {
    util::FileReader file(path);
    std::string buffer(1 << 16, '\0');
    while (size_t n = file.read(buffer.data(), buffer.size())) body.append(buffer.data(), n);
  } catch (const std::exception& e) {
    throw Error(Exit::refused, "cannot upload " + path.string() + ": " + e.what());
  }
  client_->put_object(client_->location().key(path.filename().string()), body,
                      {{"migsafe-sha256", util::sha256_hex(body)}});
}

void RemoteStore::put_manifest(const Manifest& m) {
  client_->put_object(client_->location().key(m.backup_id + ".json"), m.to_json().dump(2),
                      {{"migsafe-data-bytes", std::to_string(m.bytes)},
                       {"migsafe-data-checksum", m.checksum},
                       {"migsafe-migration-version", m.migration_version}});
}

void RemoteStore::read_data(const StoredBackup& b, const util::OutputSink& sink) {
  client_->get_object(client_->location().key(b.manifest.file), sink);
}

fs::path RemoteStore::download(const StoredBackup& b, const fs::path& dir) {
  const Manifest& m = b.manifest;
  util::AtomicFile data(dir / m.file, 0600);
  util::Sha256 hash;
  read_data(b, [&](std::string_view chunk) {
    hash.update(chunk);
    data.write(chunk);
  });
  std::string actual = "sha256:" + hash.hex();
  if (actual != m.checksum || data.bytes_written() != m.bytes) {
    throw Error(Exit::refused, client_->location().url_of(client_->location().key(m.file)) +
                                   ": checksum mismatch: the manifest says " + m.checksum + " (" +
                                   std::to_string(m.bytes) + " bytes), the object has " + actual +
                                   " (" + std::to_string(data.bytes_written()) +
                                   " bytes); not using it");
  }
  if (!m.schema_file.empty()) {
    util::AtomicFile schema(dir / m.schema_file, 0600);
    client_->get_object(client_->location().key(m.schema_file),
                        [&](std::string_view chunk) { schema.write(chunk); });
    schema.commit();
  }
  data.commit();
  const fs::path manifest_path = dir / (m.backup_id + ".json");
  save_manifest(manifest_path, m);
  return manifest_path;
}

void RemoteStore::remove(const StoredBackup& b) {
  const auto& loc = client_->location();
  client_->delete_object(loc.key(b.manifest.file));
  if (!b.manifest.schema_file.empty()) client_->delete_object(loc.key(b.manifest.schema_file));
  client_->delete_object(loc.key(b.manifest.backup_id + ".json"));
}

}  // namespace migsafe::backup
