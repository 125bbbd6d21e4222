#include "session/torrent_files.hpp"

#include <boost/asio/post.hpp>

#include "metainfo/rename.hpp"
#include "storage/move_files.hpp"

namespace shoal {

namespace asio = boost::asio;

TorrentFiles::TorrentFiles(TorrentId id, std::shared_ptr<const TorrentInfo> info, std::filesystem::path save_dir,
                           DiskPool& disk, asio::io_context::executor_type executor, const ResumeStore& resume,
                           OnError on_error)
    : id_(id),
      info_(std::move(info)),
      disk_(disk),
      executor_(std::move(executor)),
      resume_(resume),
      on_error_(std::move(on_error)),
      save_dir_(save_dir.string()) {}

TorrentFiles::~TorrentFiles() { alive_.end(); }

const std::shared_ptr<TorrentStorage>& TorrentFiles::storage() {
    if (!storage_) storage_ = std::make_shared<TorrentStorage>(save_dir_, *info_);
    return storage_;
}

void TorrentFiles::check(bool use_resume, std::function<void(disk_jobs::DataCheck)> done) {
    const ResumeStore* resume = use_resume && resume_.enabled() ? &resume_ : nullptr;
    disk_.post([id = id_, alive = alive_.watch(), info = info_, save_dir = save_dir(), resume, executor = executor_,
                done = std::move(done)] {
        auto check = disk_jobs::check_data(id, *info, save_dir, resume);
        asio::post(executor, [alive, done, check = std::move(check)] {
            if (*alive) done(check);
        });
    });
}

asio::awaitable<std::vector<std::string>> TorrentFiles::read_blocks(std::vector<wire::BlockRequest> blocks) {
    auto read = [info = info_, storage = storage(), blocks = std::move(blocks)] {
        return disk_jobs::read_blocks(*info, *storage, blocks);
    };
    return on_disk<std::vector<std::string>>(disk_, executor_, std::move(read));
}

Result<bool> TorrentFiles::rename(std::size_t file, const std::string& name) {
    auto renamed = with_file_renamed(*info_, file, name);
    if (!renamed) return renamed.error();
    if (auto moved = storage()->rename_on_disk(file, renamed->files[file].path); !moved) return moved.error();
    earlier_infos_.push_back(info_);
    info_ = std::make_shared<const TorrentInfo>(std::move(*renamed));
    auto renamed_storage = std::make_shared<TorrentStorage>(save_dir_, *info_);
    storage_->hand_over_unflushed(*renamed_storage);
    storage_ = std::move(renamed_storage);
    saved_resume_.reset();  // the resume file names the old path
    return true;
}

void TorrentFiles::move_storage(std::filesystem::path to, std::function<void(Result<bool>)> done) {
    disk_.post([this, alive = alive_.watch(), executor = executor_, info = info_, storage = storage_, from = save_dir(),
                to = std::move(to), done = std::move(done)]() mutable {
        if (storage) storage->close_files();
        auto moved = move_files(*info, from, to);
        asio::post(executor, [this, alive, to = std::move(to), done = std::move(done), moved = std::move(moved)] {
            if (!*alive) return;
            if (moved) set_save_dir(to);
            done(moved);
        });
    });
}

void TorrentFiles::set_save_dir(std::filesystem::path to) {
    if (resume_enabled()) {
        disk_.post([resume = &resume_, info = info_, old_dir = save_dir()] { resume->remove(*info, old_dir); });
    }
    saved_resume_.reset();  // nothing is saved for the new folder yet
    save_dir_ = to.string();
    if (!storage_) return;
    auto moved_storage = std::make_shared<TorrentStorage>(save_dir_, *info_);
    // A renamed file keeps its unflushed pages; the next flush reaches them at the new path.
    storage_->hand_over_unflushed(*moved_storage);
    storage_ = std::move(moved_storage);
}

void TorrentFiles::save_resume(std::string have, std::int64_t up, std::int64_t down) {
    if (!resume_enabled()) return;
    SavedResume next{std::move(have), up, down};
    if (saved_resume_ == next) return;
    saved_resume_ = next;
    // Queued behind the writes already posted; one still running when the files are stamped
    // changes a time, and then the next start checks the files instead of trusting them.
    // The pieces' data is flushed to disk before the resume data vouches for them. `this` is
    // touched only back on the network thread, while `alive` says it still exists.
    disk_.post([this, alive = alive_.watch(), executor = executor_, resume = &resume_, info = info_, storage = storage_,
                save_dir = save_dir(), next = std::move(next)]() mutable {
        // No storage: nothing was written, so nothing waits to be flushed.
        auto saved = resume->save(*info, save_dir, std::move(next.have), next.uploaded, next.downloaded,
                                  [&] { return storage ? storage->flush() : Result<bool>(true); });
        if (saved) return;
        asio::post(executor, [this, alive, message = "cannot save resume data: " + saved.error().message] {
            if (!*alive) return;
            saved_resume_.reset();  // tried again at the next save
            on_error_(message);
        });
    });
}

void TorrentFiles::resume_matches(std::string have, std::int64_t uploaded, std::int64_t downloaded) {
    saved_resume_ = SavedResume{std::move(have), uploaded, downloaded};
}

void TorrentFiles::forget_resume() {
    forgotten_ = true;
    disk_.post([resume = &resume_, info = info_, save_dir = save_dir()] { resume->remove(*info, save_dir); });
}

void TorrentFiles::delete_files(std::function<void()> done) {
    // Writes stop at once; the files go once the reads and writes under way are done. The
    // job holds the torrent's info too, which the storage refers to.
    storage()->forbid_writes();
    disk_.post([info = info_, storage = storage_, executor = executor_, done = std::move(done)] {
        storage->remove_files();
        asio::post(executor, done);
    });
}

}  // namespace shoal
