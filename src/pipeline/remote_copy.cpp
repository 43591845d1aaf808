// The remote half of `take_backup`: nothing is read twice. The upload rides the dump's stream
// (pg_dump -> zstd -> AES-GCM -> sha256 -> file + upload), and the remote copy counts only when
// the service's size and ETag match what was sent.
#include "pipeline/remote_copy.hpp"

#include "core/error.hpp"

namespace migsafe::pipeline {

RemoteCopy::RemoteCopy(const config::BackupRemote& config, std::string backup_id,
                       std::unique_ptr<backup::RemoteStore> store,
                       std::unique_ptr<remote::MultipartUpload> upload)
    : config_(config),
      backup_id_(std::move(backup_id)),
      store_(std::move(store)),
      upload_(std::move(upload)),
      start_(std::chrono::steady_clock::now()) {}

RemoteCopy::~RemoteCopy() {
  if (!sealing_.valid()) return;
  try {  // sealed, but the backup failed (or finish never ran): the object must not stay
    store_->discard(sealing_.get().key);
  } catch (...) {
  }
}

void RemoteCopy::fail(const std::string& backup_id, const std::string& cause) const {
  throw Error(Exit::refused, "remote copy of " + backup_id + " to " + store_->url() +
                                 " failed: " + cause +
                                 "; backup.remote.required = true: no verified remote copy, "
                                 "no migration");
}

std::unique_ptr<RemoteCopy> RemoteCopy::start(Context& context, const std::string& file_name,
                                              const std::string& backup_id) {
  const auto& remote = context.pipeline.backup.remote;
  if (!remote) return nullptr;
  if (context.pipeline.backup.format == config::BackupFormat::directory) {
    throw usage_error("backup.remote needs backup.format = \"custom\" (directory-format backups "
                      "are not uploaded yet)");
  }
  auto store = std::make_unique<backup::RemoteStore>(*remote);  // unset variables: exit 2
  try {
    store->client().probe(store->client().location().prefix);
    auto upload = store->start_upload(file_name, backup_id);
    return std::unique_ptr<RemoteCopy>(new RemoteCopy(*remote, backup_id, std::move(store), std::move(upload)));
  } catch (const Error& e) {
    if (remote->required) {
      throw Error(Exit::refused, "remote store " + store->url() + " is not usable: " + e.what() +
                                     "; backup.remote.required = true: no migration");
    }
    std::string message = "no remote copy of " + backup_id + ": " + e.what();
    context.report.warnings.push_back(message);
    context.note("warning: " + message);
    return nullptr;
  }
}

std::function<void(const std::string&, unsigned long long)> RemoteCopy::on_written() {
  return [this](const std::string& checksum, unsigned long long bytes) {
    if (!error_.empty()) return;
    sealing_ = std::async(std::launch::async,
                          [this, checksum, bytes] { return store_->seal(*upload_, checksum, bytes); });
  };
}

util::OutputSink RemoteCopy::sink() {
  return [this](std::string_view chunk) {
    if (!error_.empty()) return;
    try {
      upload_->write(chunk);
    } catch (const Error& e) {
      if (config_.required) fail(backup_id_, e.what());
      error_ = e.what();
      upload_->abort();
    }
  };
}

void RemoteCopy::finish(Context& context, backup::Manifest& m,
                        const std::filesystem::path& manifest_path) {
  StepTimer step(context, "remote copy");
  nlohmann::json out = {{"url", store_->url()},
                        {"key", store_->client().location().key(m.file)}};
  try {
    if (!error_.empty()) throw Error(Exit::refused, error_);
    backup::RemoteStore::Sealed sealed =
        sealing_.valid() ? sealing_.get() : store_->seal(*upload_, m.checksum, m.bytes);
    out = store_->publish(m, manifest_path.parent_path(), sealed.key, sealed.expected_etag,
                          sealed.parts, start_);
    backup::save_manifest(manifest_path, m);
    step.ok(out["key"].get<std::string>() + ", " + std::to_string(out["parts"].get<int>()) +
            " parts, size and ETag verified");
  } catch (const Error& e) {
    out["status"] = "failed";
    out["error"] = e.what();
    m.remote = out;
    backup::save_manifest(manifest_path, m);
    step.failed(e.what());
    if (config_.required) fail(m.backup_id, e.what());
    std::string message = "no remote copy of " + m.backup_id + ": " + e.what();
    context.report.warnings.push_back(message);
    context.note("warning: " + message);
  }
}

void prune_remote_backups(Context& context) {
  const auto& b = context.pipeline.backup;
  if (!b.remote) return;
  StepTimer step(context, "prune remote");
  try {
    backup::RemoteStore remote(*b.remote);
    backup::Store store = remote.read();
    auto doomed = backup::prune_candidates(store, b.keep_last, b.max_age_days,
                                           std::chrono::system_clock::now());
    for (const auto* d : doomed) remote.remove(*d);
    step.ok(std::to_string(doomed.size()) + " removed from " + remote.url() + ", " +
            std::to_string(store.backups.size() - doomed.size()) + " kept");
  } catch (const std::exception& e) {
    context.report.warnings.push_back(std::string("pruning remote backups failed: ") + e.what());
    step.failed(e.what());
  }
}

}  // namespace migsafe::pipeline
