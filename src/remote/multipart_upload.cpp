// The upload half of the backup stream: pg_dump -> zstd -> AES-GCM -> (sha256, file, this). Parts
// go up while the dump goes on; a failure is kept and thrown into the writer at its next write, so
// the dump stops instead of running to the end for nothing.
#include "remote/multipart_upload.hpp"

#include "core/error.hpp"

namespace migsafe::remote {

MultipartUpload::MultipartUpload(S3Client& client, std::string key, size_t part_size,
                                 Metadata metadata)
    : client_(client), key_(std::move(key)), part_size_(part_size), metadata_(std::move(metadata)) {
  filling_.reserve(part_size_);
}

MultipartUpload::~MultipartUpload() { abort(); }

void MultipartUpload::rethrow_failure() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failure_) std::rethrow_exception(failure_);
}

void MultipartUpload::start_thread() {
  upload_id_ = client_.create_multipart(key_, metadata_);
  thread_ = std::thread([this] { upload_loop(); });
}

void MultipartUpload::upload_loop() {
  int number = 0;
  while (true) {
    std::string part;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return pending_.has_value() || closing_; });
      if (!pending_) return;
      part = std::move(*pending_);
      pending_.reset();
      changed_.notify_all();
    }
    try {
      std::string etag = client_.upload_part(key_, upload_id_, ++number, part);
      std::lock_guard<std::mutex> lock(mutex_);
      etags_.push_back(etag);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
      closing_ = true;
      pending_.reset();
      changed_.notify_all();
      return;
    }
  }
}

void MultipartUpload::hand_over() {
  part_md5s_.push_back(md5_raw(filling_));
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !pending_.has_value() || failure_; });
  if (failure_) std::rethrow_exception(failure_);
  pending_ = std::move(filling_);
  changed_.notify_all();
  lock.unlock();
  filling_ = std::string();
  filling_.reserve(part_size_);
}

void MultipartUpload::write(std::string_view chunk) {
  if (done_) throw Error(Exit::refused, "upload of " + client_.location().url_of(key_) + " already ended");
  rethrow_failure();
  bytes_ += chunk.size();
  while (!chunk.empty()) {
    size_t n = std::min(chunk.size(), part_size_ - filling_.size());
    filling_.append(chunk.substr(0, n));
    chunk.remove_prefix(n);
    if (filling_.size() == part_size_) {
      if (!thread_.joinable()) start_thread();
      hand_over();
    }
  }
}

UploadResult MultipartUpload::finish(const Metadata& final_metadata) {
  UploadResult out;
  out.key = key_;
  out.bytes = bytes_;
  try {
    if (!thread_.joinable()) {  // smaller than one part: one PUT
      Metadata all = metadata_;
      all.insert(final_metadata.begin(), final_metadata.end());
      out.expected_etag = to_hex(md5_raw(filling_));
      out.etag = client_.put_object(key_, filling_, all);
      done_ = true;
      return out;
    }
    if (!filling_.empty()) hand_over();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
      changed_.notify_all();
    }
    thread_.join();
    rethrow_failure();
    out.parts = int(etags_.size());
    out.expected_etag = multipart_etag(part_md5s_);
    out.etag = client_.complete_multipart(key_, upload_id_, etags_);
    done_ = true;
    return out;
  } catch (...) {
    abort();
    throw;
  }
}

void MultipartUpload::abort() noexcept {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
      pending_.reset();
      changed_.notify_all();
    }
    thread_.join();
  }
  if (!done_ && !upload_id_.empty()) client_.abort_multipart(key_, upload_id_);
  done_ = true;
  filling_ = std::string();
}

}  // namespace migsafe::remote
