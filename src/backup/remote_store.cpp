// The remote half of the backup store. Listing reads only manifests, which are uploaded after the
// data is verified, so an upload cut short (or a data object without its manifest) is never a
// backup anyone can pick.
#include "backup/remote_store.hpp"

#include <algorithm>
#include <chrono>
#include <functional>

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

// "sha256:<hex>" -> "<hex>".
std::string hex_of(const std::string& checksum) {
  const std::string tag = "sha256:";
  return checksum.rfind(tag, 0) == 0 ? checksum.substr(tag.size()) : checksum;
}

}  // namespace

std::string metadata_mismatch(const remote::Metadata& metadata, const std::string& where,
                              unsigned long long bytes, const std::string& sha256_hex) {
  auto sha = metadata.find(kMetaSha256);
  auto size = metadata.find(kMetaBytes);
  if (sha == metadata.end() || size == metadata.end()) {
    return where + " carries no " + kMetaSha256 + "/" + kMetaBytes +
           " metadata: it was not uploaded by migsafe, or was replaced since";
  }
  if (sha->second != sha256_hex || size->second != std::to_string(bytes)) {
    return where + ": checksum mismatch with its metadata: the metadata says sha256:" + sha->second +
           " (" + size->second + " bytes), expected sha256:" + sha256_hex + " (" +
           std::to_string(bytes) + " bytes)";
  }
  return "";
}

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
      auto json = nlohmann::json::parse(get_checked(object.key));
      store.backups.push_back(StoredBackup{Manifest::from_json(json, origin), store.dir / name});
    } catch (const Error& e) {
      if (e.code() != Exit::refused || std::string(e.what()).find(origin) != 0) throw;
      store.problems.push_back(e.what());  // the manifest object fails its own metadata
    } catch (const std::exception& e) {
      store.problems.push_back(origin + ": " + e.what());
    }
  }
  std::sort(store.backups.begin(), store.backups.end(), newer);
  return store;
}

std::unique_ptr<remote::MultipartUpload> RemoteStore::start_upload(const std::string& file_name,
                                                                   const std::string& backup_id,
                                                                   const std::string& checksum,
                                                                   unsigned long long bytes) {
  remote::Metadata metadata{{"migsafe-backup-id", backup_id}};
  if (!checksum.empty()) {
    metadata[kMetaSha256] = hex_of(checksum);
    metadata[kMetaBytes] = std::to_string(bytes);
  }
  return std::make_unique<remote::MultipartUpload>(*client_, client_->location().key(file_name),
                                                   part_size_, std::move(metadata));
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
  std::string meta = metadata_mismatch(head->metadata, client_->location().url_of(key), m.bytes,
                                       hex_of(m.checksum));
  return meta.empty() ? "" : m.backup_id + ": " + meta;
}

nlohmann::json RemoteStore::complete(remote::MultipartUpload& upload, Manifest& m,
                                     const fs::path& local_dir, long long started_ms_ago) {
  auto start = std::chrono::steady_clock::now() - std::chrono::milliseconds(started_ms_ago);
  Sealed sealed = seal(upload, m.checksum, m.bytes);
  return publish(m, local_dir, sealed.key, sealed.expected_etag, sealed.parts, start);
}

RemoteStore::Sealed RemoteStore::seal(remote::MultipartUpload& upload, const std::string& checksum,
                                      unsigned long long bytes) {
  const remote::Metadata integrity{{kMetaSha256, hex_of(checksum)},
                                   {kMetaBytes, std::to_string(bytes)}};
  remote::UploadResult r = upload.finish(integrity);
  if (r.bytes != bytes) {
    discard(r.key);
    throw Error(Exit::refused, client_->location().url_of(r.key) + ": " + std::to_string(r.bytes) +
                                   " bytes sent, the backup has " + std::to_string(bytes));
  }
  if (r.parts > 0 && !upload.metadata().count(kMetaSha256)) {
    // The parts went up before the hash was known: the service copies the object onto itself
    // with the metadata (no byte goes up twice); on failure the object goes, as it has no manifest.
    remote::Metadata all = upload.metadata();
    all.insert(integrity.begin(), integrity.end());
    try {
      remote::rewrite_metadata(*client_, r.key, r.bytes, part_size_, all);
    } catch (...) {
      discard(r.key);
      throw;
    }
  }
  return Sealed{r.key, r.expected_etag, r.parts};
}

nlohmann::json RemoteStore::publish(Manifest& m, const fs::path& local_dir, const std::string& key,
                                    const std::string& expected_etag, int parts,
                                    std::chrono::steady_clock::time_point start) {
  const std::string where = client_->location().url_of(key);
  auto head = client_->head_object(key);
  if (!head) throw Error(Exit::refused, where + ": the uploaded object is not there");
  if (head->size != m.bytes) {
    throw Error(Exit::refused, where + " has " + std::to_string(head->size) + " bytes, the backup " +
                                   std::to_string(m.bytes));
  }
  if (head->etag != expected_etag) {
    throw Error(Exit::refused, where + ": the object's ETag " + head->etag +
                                   " is not that of the bytes sent (" + expected_etag + ")");
  }
  std::string meta = metadata_mismatch(head->metadata, where, m.bytes, hex_of(m.checksum));
  if (!meta.empty()) throw Error(Exit::refused, meta);
  m.remote = {{"url", url()},
              {"key", key},
              {"bytes", m.bytes},
              {"etag", head->etag},
              {"parts", parts},
              {"status", "verified"},
              {"uploaded_at", iso8601_utc(std::chrono::system_clock::now())},
              {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count()}};
  if (!m.schema_file.empty()) put_file(local_dir / m.schema_file);
  put_manifest(m);  // last: from now on the remote copy is listed
  return m.remote;
}

void RemoteStore::discard(const std::string& key) noexcept {
  try {
    client_->delete_object(key);
  } catch (...) {
  }
}

nlohmann::json RemoteStore::push(const StoredBackup& local) {
  Manifest m = local.manifest;
  if (m.format != "custom")
    throw Error(Exit::refused, m.backup_id + ": format \"" + m.format + "\" cannot be uploaded yet");
  const auto start = std::chrono::steady_clock::now();
  const fs::path path = local.data_path();
  const std::string key = client_->location().key(m.file);
  const std::string mismatch =
      path.string() + ": checksum mismatch with its manifest; not uploading it";
  if (m.bytes > kSinglePutMax) {
    // The manifest gives the sha256 before the first byte, so the object gets its metadata at
    // once; the bytes read must still hash to it, or the upload is abandoned.
    auto upload = start_upload(m.file, m.backup_id, m.checksum, m.bytes);
    util::Sha256 hash;
    try {
      util::FileReader file(path);
      std::string buffer(1 << 20, '\0');
      while (size_t n = file.read(buffer.data(), buffer.size())) {
        std::string_view chunk(buffer.data(), n);
        hash.update(chunk);
        upload->write(chunk);
      }
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(Exit::refused, path.string() + ": " + e.what());
    }
    if ("sha256:" + hash.hex() != m.checksum) throw Error(Exit::refused, mismatch);
    return complete(*upload, m, local.manifest_path.parent_path());
  }
  // One PUT streamed from the file, signed with the manifest's sha256: the service itself refuses
  // bytes that hash otherwise, and this side hashes what it read too (sha256 for the manifest,
  // MD5 for the ETag). Each attempt reads the file from its start.
  std::unique_ptr<util::Sha256> sha;
  std::unique_ptr<remote::Md5> md5;
  std::function<util::InputSource()> open = [&] {
    sha = std::make_unique<util::Sha256>();
    md5 = std::make_unique<remote::Md5>();
    util::FileReader file(path);
    return util::InputSource([file, &sha, &md5](char* buffer, size_t capacity) mutable {
      size_t n = file.read(buffer, capacity);
      sha->update(buffer, n);
      md5->update(buffer, n);
      return n;
    });
  };
  try {
    client_->put_object_from(key, m.bytes, hex_of(m.checksum), open,
                             {{"migsafe-backup-id", m.backup_id},
                              {kMetaSha256, hex_of(m.checksum)},
                              {kMetaBytes, std::to_string(m.bytes)}});
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(Exit::refused, path.string() + ": " + e.what());
  }
  if ("sha256:" + sha->hex() != m.checksum) {
    discard(key);
    throw Error(Exit::refused, mismatch);
  }
  try {
    return publish(m, local.manifest_path.parent_path(), key, remote::to_hex(md5->raw()), 0, start);
  } catch (...) {
    discard(key);
    throw;
  }
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
  put_object(client_->location().key(path.filename().string()), body);
}

void RemoteStore::put_manifest(const Manifest& m) {
  put_object(client_->location().key(m.backup_id + ".json"), m.to_json().dump(2),
             {{"migsafe-data-bytes", std::to_string(m.bytes)},
              {"migsafe-data-checksum", m.checksum},
              {"migsafe-migration-version", m.migration_version}});
}

void RemoteStore::put_object(const std::string& key, const std::string& body,
                             remote::Metadata extra) {
  extra[kMetaSha256] = util::sha256_hex(body);
  extra[kMetaBytes] = std::to_string(body.size());
  client_->put_object(key, body, extra);
}

std::string RemoteStore::get_checked(const std::string& key) {
  remote::Metadata metadata;
  std::string body = client_->get_object(key, &metadata);
  std::string problem = metadata_mismatch(metadata, client_->location().url_of(key), body.size(),
                                          util::sha256_hex(body));
  if (!problem.empty()) throw Error(Exit::refused, problem);
  return body;
}

std::string RemoteStore::read_data(const StoredBackup& b, const util::OutputSink& sink) {
  const std::string key = client_->location().key(b.manifest.file);
  remote::Metadata metadata = client_->get_object(key, sink);
  return metadata_mismatch(metadata, client_->location().url_of(key), b.manifest.bytes,
                           hex_of(b.manifest.checksum));
}

fs::path RemoteStore::download(const StoredBackup& b, const fs::path& dir) {
  const Manifest& m = b.manifest;
  util::AtomicFile data(dir / m.file, 0600);
  util::Sha256 hash;
  // A stream that is itself wrong says so first; a right stream under wrong metadata after.
  const std::string metadata_problem = read_data(b, [&](std::string_view chunk) {
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
  if (!metadata_problem.empty()) throw Error(Exit::refused, metadata_problem + "; not using it");
  if (!m.schema_file.empty()) {
    util::AtomicFile schema(dir / m.schema_file, 0600);
    schema.write(get_checked(client_->location().key(m.schema_file)));
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
