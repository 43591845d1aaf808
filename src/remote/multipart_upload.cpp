// The upload half of the backup stream: pg_dump -> zstd -> AES-GCM -> (sha256, file, this). Parts
// go up while the dump goes on; a failure is kept and thrown into the writer at its next write, so
// the dump stops instead of running to the end for nothing.
#include "remote/multipart_upload.hpp"

#include <algorithm>
#include <atomic>

#include "core/error.hpp"

namespace migsafe::remote {

MultipartUpload::MultipartUpload(S3Client& client, std::string key, size_t part_size,
                                 Metadata metadata, int concurrency)
    : client_(client),
      key_(std::move(key)),
      part_size_(part_size),
      metadata_(std::move(metadata)),
      concurrency_(std::max(1, concurrency)) {
  filling_.reserve(part_size_);
}

MultipartUpload::~MultipartUpload() { abort(); }

void MultipartUpload::rethrow_failure() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failure_) std::rethrow_exception(failure_);
}

void MultipartUpload::start_threads() {
  upload_id_ = client_.create_multipart(key_, metadata_);
  for (int i = 0; i < concurrency_; ++i) threads_.emplace_back([this] { upload_loop(); });
}

void MultipartUpload::upload_loop() {
  std::unique_ptr<S3Client> client;
  while (true) {
    std::pair<int, std::string> part;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return pending_.has_value() || closing_; });
      if (!pending_) return;
      part = std::move(*pending_);
      pending_.reset();
      changed_.notify_all();
    }
    try {
      if (!client) client = client_.clone();
      std::string etag = client->upload_part(key_, upload_id_, part.first, part.second);
      std::lock_guard<std::mutex> lock(mutex_);
      if (etags_.size() < size_t(part.first)) etags_.resize(size_t(part.first));
      etags_[size_t(part.first) - 1] = etag;
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
      closing_ = true;
      pending_.reset();
      changed_.notify_all();
      return;
    }
  }
}

void MultipartUpload::hand_over() {
  part_md5s_.push_back(md5_raw(filling_));
  const int number = int(part_md5s_.size());
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !pending_.has_value() || failure_; });
  if (failure_) std::rethrow_exception(failure_);
  pending_.emplace(number, std::move(filling_));
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
      if (threads_.empty()) start_threads();
      hand_over();
    }
  }
}

UploadResult MultipartUpload::finish(const Metadata& final_metadata) {
  UploadResult out;
  out.key = key_;
  out.bytes = bytes_;
  try {
    if (threads_.empty()) {  // smaller than one part: one PUT
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
    for (auto& t : threads_) t.join();
    threads_.clear();
    rethrow_failure();
    if (etags_.size() != part_md5s_.size())
      throw Error(Exit::refused, "upload of " + client_.location().url_of(key_) + ": a part is missing");
    for (const auto& etag : etags_)
      if (etag.empty())
        throw Error(Exit::refused, "upload of " + client_.location().url_of(key_) + ": a part is missing");
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
  if (!threads_.empty()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
      pending_.reset();
      changed_.notify_all();
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  if (!done_ && !upload_id_.empty()) client_.abort_multipart(key_, upload_id_);
  done_ = true;
  filling_ = std::string();
}

std::string rewrite_metadata(S3Client& client, const std::string& key, unsigned long long size,
                             size_t part_size, const Metadata& metadata, int concurrency) {
  const int parts = int((size + part_size - 1) / part_size);
  const std::string upload_id = client.create_multipart(key, metadata);
  std::vector<std::string> etags(size_t(std::max(parts, 0)));
  std::atomic<int> next{0};
  std::mutex mutex;
  std::exception_ptr failure;
  auto copy_parts = [&] {
    try {
      auto own = client.clone();
      for (int i = next++; i < parts; i = next++) {
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (failure) return;
        }
        unsigned long long first = (unsigned long long)i * part_size;
        unsigned long long last = std::min(size, first + part_size) - 1;
        etags[size_t(i)] = own->upload_part_copy(key, upload_id, i + 1, key, first, last);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::min(std::max(1, concurrency), parts); ++t) threads.emplace_back(copy_parts);
  for (auto& t : threads) t.join();
  try {
    if (failure) std::rethrow_exception(failure);
    if (parts == 0) throw Error(Exit::refused, client.location().url_of(key) + " is empty");
    return client.complete_multipart(key, upload_id, etags);
  } catch (...) {
    client.abort_multipart(key, upload_id);
    throw;
  }
}

}  // namespace migsafe::remote
