#pragma once
// The open descriptors of torrents' files, bounded for the whole process. When the pool is
// full the least recently used descriptor is let go, and a file is opened again the next time
// it is read or written. A descriptor is lent out for each read or write and is closed only
// once no loan is outstanding, so a number can never be closed, handed to another file by the
// system, and then written through by a read or write that was already under way.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>

namespace shoal {

class FilePool {
public:
    // A file: the storage that owns it (from new_owner()) and its index in the torrent.
    struct Key {
        std::uint64_t owner = 0;
        std::size_t file = 0;
        auto operator<=>(const Key&) const = default;
    };
    enum class Mode { read, write };  // a descriptor open for writing serves reads too

    // One open descriptor on loan: the pool cannot close it while the handle lives. Hold it
    // only for the read or write at hand.
    class Handle {
    public:
        Handle() = default;
        Handle(Handle&& other) noexcept;
        Handle& operator=(Handle&& other) noexcept;
        ~Handle();
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;

        explicit operator bool() const { return descriptor_ != nullptr; }
        int fd() const;

    private:
        friend class FilePool;
        struct Descriptor;
        Handle(FilePool* pool, std::shared_ptr<Descriptor> descriptor);
        void release();

        FilePool* pool_ = nullptr;
        std::shared_ptr<Descriptor> descriptor_;
    };

    // At most `capacity` descriptors are kept open (plus, briefly, those on loan past it).
    explicit FilePool(std::size_t capacity);
    ~FilePool();
    FilePool(const FilePool&) = delete;
    FilePool& operator=(const FilePool&) = delete;

    // The process's pool, which every session and torrent shares: the limit on open files is
    // the process's, so pools per session or per torrent would add up past it. It keeps a
    // quarter of the soft RLIMIT_NOFILE as it is on first use, between 16 and 256, and leaves
    // the rest to sockets.
    static FilePool& shared();
    static std::size_t default_capacity();

    std::uint64_t new_owner();

    // The descriptor of `key`, opened through `open` (a descriptor, or -1 with errno set) when
    // the pool holds none in `mode`. When the process is out of descriptors the pool lets half
    // of its own go and tries once more. An empty handle, errno set, if the open failed.
    Handle acquire(Key key, Mode mode, const std::function<int()>& open);
    // Forgets `key`'s descriptor and waits until no loan of it is outstanding: it is closed
    // when this returns. The caller keeps new acquires of `key` out meanwhile, and holds no
    // handle itself.
    void close(Key key);
    // The same for every file of `owner`.
    void close_all(std::uint64_t owner);

    std::size_t capacity() const { return capacity_; }
    // Descriptors open now: those kept, and those let go but still on loan.
    std::size_t open_descriptors() const;

private:
    using Entries = std::list<std::shared_ptr<Handle::Descriptor>>;  // most recently used first

    Handle lend(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Handle::Descriptor>& d);
    void returned(const Key& key);
    // Drops the entry of `key` from the cache (not from the loans); the caller closes it.
    std::shared_ptr<Handle::Descriptor> forget(const Key& key);
    void shed(std::size_t count);

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable returned_;
    Entries lru_;
    std::map<Key, Entries::iterator> index_;
    std::map<Key, int> loans_;  // outstanding handles per file, kept or let go
    std::uint64_t next_owner_ = 1;
    std::atomic<std::size_t> open_{0};
};

}  // namespace shoal
