#include "storage/file_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

namespace shoal {

struct FilePool::Handle::Descriptor {
    Descriptor(int fd, bool writable, Key key, std::atomic<std::size_t>& open)
        : fd(fd), writable(writable), key(key), open(open) {
        ++open;
    }
    ~Descriptor() {
        ::close(fd);
        --open;
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;

    const int fd;
    const bool writable;
    const Key key;
    std::atomic<std::size_t>& open;
};

FilePool::Handle::Handle(FilePool* pool, std::shared_ptr<Descriptor> descriptor)
    : pool_(pool), descriptor_(std::move(descriptor)) {}

FilePool::Handle::Handle(Handle&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), descriptor_(std::move(other.descriptor_)) {}

FilePool::Handle& FilePool::Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        release();
        pool_ = std::exchange(other.pool_, nullptr);
        descriptor_ = std::move(other.descriptor_);
    }
    return *this;
}

FilePool::Handle::~Handle() { release(); }

int FilePool::Handle::fd() const { return descriptor_ ? descriptor_->fd : -1; }

void FilePool::Handle::release() {
    if (!descriptor_) return;
    const int saved = errno;
    const Key key = descriptor_->key;
    // A descriptor the pool let go while it was on loan is closed here, before the loan is
    // counted back, so whoever waits in close() finds it closed.
    descriptor_.reset();
    std::exchange(pool_, nullptr)->returned(key);
    errno = saved;
}

FilePool::FilePool(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

FilePool::~FilePool() = default;

std::size_t FilePool::default_capacity() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 256;
    return std::clamp<std::size_t>(static_cast<std::size_t>(limit.rlim_cur / 4), 16, 256);
}

FilePool& FilePool::shared() {
    // Never destroyed: storages may be released by threads still running at exit.
    static FilePool* pool = new FilePool(default_capacity());
    return *pool;
}

std::uint64_t FilePool::new_owner() {
    std::lock_guard lock(mutex_);
    return next_owner_++;
}

std::size_t FilePool::open_descriptors() const { return open_.load(); }

FilePool::Handle FilePool::lend(std::unique_lock<std::mutex>&, const std::shared_ptr<Handle::Descriptor>& d) {
    ++loans_[d->key];
    return Handle(this, d);
}

void FilePool::returned(const Key& key) {
    {
        std::lock_guard lock(mutex_);
        auto it = loans_.find(key);
        if (it != loans_.end() && --it->second == 0) loans_.erase(it);
    }
    returned_.notify_all();
}

std::shared_ptr<FilePool::Handle::Descriptor> FilePool::forget(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    auto d = std::move(*it->second);
    lru_.erase(it->second);
    index_.erase(it);
    return d;
}

void FilePool::shed(std::size_t count) {
    std::vector<std::shared_ptr<Handle::Descriptor>> closing;  // closed after the lock is let go
    std::lock_guard lock(mutex_);
    while (count-- > 0 && !lru_.empty()) closing.push_back(forget(lru_.back()->key));
}

FilePool::Handle FilePool::acquire(Key key, Mode mode, const std::function<int()>& open) {
    std::vector<std::shared_ptr<Handle::Descriptor>> closing;  // closed after the lock is let go
    {
        std::unique_lock lock(mutex_);
        if (auto it = index_.find(key); it != index_.end()) {
            auto& d = *it->second;
            if (mode == Mode::read || d->writable) {
                lru_.splice(lru_.begin(), lru_, it->second);
                return lend(lock, d);
            }
            // Open for reading only: replaced below by a descriptor that can write.
        }
    }
    // Opened without the lock: a slow open of one file holds up no other.
    int fd = open();
    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        std::size_t kept = 0;
        {
            std::lock_guard lock(mutex_);
            kept = lru_.size();
        }
        shed(kept / 2 + 1);
        fd = open();
    }
    if (fd < 0) return {};
    auto opened = std::make_shared<Handle::Descriptor>(fd, mode == Mode::write, key, open_);
    std::unique_lock lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
        // Another thread opened the file meanwhile: keep whichever serves both.
        if ((*it->second)->writable || !opened->writable) {
            closing.push_back(std::move(opened));
            lru_.splice(lru_.begin(), lru_, it->second);
            return lend(lock, *it->second);
        }
        closing.push_back(forget(key));
    }
    lru_.push_front(opened);
    index_[key] = lru_.begin();
    while (lru_.size() > capacity_) closing.push_back(forget(lru_.back()->key));
    return lend(lock, opened);
}

void FilePool::close(Key key) {
    std::shared_ptr<Handle::Descriptor> closing;
    std::unique_lock lock(mutex_);
    closing = forget(key);
    returned_.wait(lock, [&] { return !loans_.contains(key); });
    lock.unlock();
}

void FilePool::close_all(std::uint64_t owner) {
    std::vector<std::shared_ptr<Handle::Descriptor>> closing;
    std::unique_lock lock(mutex_);
    const Key first{owner, 0};
    for (auto it = index_.lower_bound(first); it != index_.end() && it->first.owner == owner;) {
        closing.push_back(std::move(*it->second));
        lru_.erase(it->second);
        it = index_.erase(it);
    }
    returned_.wait(lock, [&] {
        auto it = loans_.lower_bound(first);
        return it == loans_.end() || it->first.owner != owner;
    });
    lock.unlock();
}

}  // namespace shoal
