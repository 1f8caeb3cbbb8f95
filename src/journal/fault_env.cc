#include "danhba/journal/fault_env.h"

#include <algorithm>
#include <vector>

namespace danhba::journal {
namespace {

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

}  // namespace

class FaultEnv::File final : public WritableFile {
 public:
  File(FaultEnv& env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override { return env_.FileAppend(path_, *base_, data); }
  Status Sync() override { return env_.FileSync(path_, *base_); }
  Status Close() override { return base_->Close(); }

 private:
  FaultEnv& env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

FaultEnv::FaultEnv(Env& base) : base_(base) {}
FaultEnv::~FaultEnv() = default;

Status FaultEnv::CheckAlive() const {
  if (crashed_) return Transient("simulated crash: the process is gone");
  return Ok();
}

void FaultEnv::ShortWriteNext(std::size_t keep) {
  std::lock_guard lock(mutex_);
  short_write_ = keep;
}

void FaultEnv::SetSyncHook(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  sync_hook_ = std::move(hook);
}

void FaultEnv::SetNow(TimePoint now) {
  SetClock([now] { return now; });
}

void FaultEnv::SetClock(base::Clock clock) {
  std::lock_guard lock(mutex_);
  clock_ = std::move(clock);
}

void FaultEnv::Crash() {
  std::lock_guard lock(mutex_);
  crashed_ = true;
  for (const auto& [path, state] : files_) {
    if (unsynced_created_.contains(path)) continue;
    if (state.size != state.synced_size) (void)base_.Truncate(path, state.synced_size);
  }
  for (const std::string& path : unsynced_created_) (void)base_.RemoveFile(path);
  unsynced_created_.clear();
}

Status FaultEnv::FileAppend(const std::string& path, WritableFile& base, std::string_view data) {
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  ++appends_;
  FileState& state = files_[path];
  if (short_write_) {
    std::size_t keep = std::min(*short_write_, data.size());
    short_write_.reset();
    DANHBA_RETURN_IF_ERROR(base.Append(data.substr(0, keep)));
    state.size += keep;
    return Transient("simulated short write to " + path + ": " + std::to_string(keep) + " of " +
                     std::to_string(data.size()) + " bytes");
  }
  DANHBA_RETURN_IF_ERROR(base.Append(data));
  state.size += data.size();
  return Ok();
}

Status FaultEnv::FileSync(const std::string& path, WritableFile& base) {
  std::function<void()> hook;
  {
    std::lock_guard lock(mutex_);
    hook = sync_hook_;
  }
  if (hook) hook();
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  ++file_syncs_;
  if (fail_syncs_) return Transient("simulated fsync failure on " + path + ": Input/output error");
  DANHBA_RETURN_IF_ERROR(base.Sync());
  FileState& state = files_[path];
  state.synced_size = state.size;
  return Ok();
}

Result<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path) {
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  auto existed = base_.FileExists(path);
  if (!existed) return existed.take_error();
  auto file = base_.NewWritableFile(path);
  if (!file) return file.take_error();
  // Emptying an existing file is not durable until the next sync either; the
  // journal never empties one it needs, so modelling it as durable is enough.
  files_[path] = FileState{};
  if (!*existed) unsynced_created_.insert(path);
  return std::unique_ptr<WritableFile>(
      std::make_unique<File>(*this, path, std::move(file).value()));
}

Result<std::unique_ptr<WritableFile>> FaultEnv::NewAppendableFile(const std::string& path) {
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  auto file = base_.NewAppendableFile(path);
  if (!file) return file.take_error();
  if (!files_.contains(path)) {
    auto data = base_.ReadFile(path);
    if (!data) return data.take_error();
    files_[path] = FileState{data->size(), data->size()};
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<File>(*this, path, std::move(file).value()));
}

Result<std::string> FaultEnv::ReadFile(const std::string& path) {
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  return base_.ReadFile(path);
}

Result<std::string> FaultEnv::ReadRange(const std::string& path, std::uint64_t offset,
                                        std::size_t length) {
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  return base_.ReadRange(path, offset, length);
}

Result<std::vector<std::string>> FaultEnv::ListDir(const std::string& dir) {
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  return base_.ListDir(dir);
}

Result<bool> FaultEnv::FileExists(const std::string& path) {
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  return base_.FileExists(path);
}

Status FaultEnv::CreateDir(const std::string& dir) {
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  return base_.CreateDir(dir);
}

Status FaultEnv::SyncDir(const std::string& dir) {
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  ++dir_syncs_;
  DANHBA_RETURN_IF_ERROR(base_.SyncDir(dir));
  std::erase_if(unsynced_created_, [&](const std::string& path) { return DirOf(path) == dir; });
  return Ok();
}

Status FaultEnv::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  DANHBA_RETURN_IF_ERROR(base_.Rename(from, to));
  if (auto node = files_.extract(from)) {
    node.key() = to;
    files_.insert_or_assign(to, node.mapped());
  } else {
    files_.erase(to);
  }
  if (unsynced_created_.erase(from) > 0) unsynced_created_.insert(to);
  return Ok();
}

Status FaultEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  DANHBA_RETURN_IF_ERROR(base_.RemoveFile(path));
  files_.erase(path);
  unsynced_created_.erase(path);
  return Ok();
}

Status FaultEnv::Truncate(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  DANHBA_RETURN_IF_ERROR(base_.Truncate(path, size));
  if (auto it = files_.find(path); it != files_.end()) it->second = FileState{size, size};
  return Ok();
}

Result<std::unique_ptr<FileLock>> FaultEnv::LockFile(const std::string& path) {
  DANHBA_RETURN_IF_ERROR(CheckAlive());
  return base_.LockFile(path);
}

TimePoint FaultEnv::Now() {
  base::Clock clock;
  {
    std::lock_guard lock(mutex_);
    clock = clock_;
  }
  // Called outside the lock: a test's clock may take locks of its own.
  return clock ? clock() : base_.Now();
}

}  // namespace danhba::journal
