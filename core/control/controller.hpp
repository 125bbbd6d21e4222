#pragma once
// The command layer over a Session: the torrent list and its persistence in the state folder,
// validated commands with typed errors, tracker editing, seed limits, and snapshots kept
// current from the session's event stream. Front-ends (desktop, command line, a remote-control
// daemon) hold one and add no rules of their own.
//
// Not thread-safe: call it from one thread. The wake-up runs on the network thread and should
// only make that thread call poll().

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "util/result.hpp"
#include "control/seed_rules.hpp"
#include "control/stored_torrent.hpp"
#include "control/torrent_list_store.hpp"
#include "control/torrent_queue.hpp"
#include "control/torrent_control.hpp"
#include "session/session.hpp"

namespace shoal::control {

struct ControllerSettings {
    // `session.state_dir` is the one state folder: resume data and the torrent list.
    SessionSettings session;
    // Keep the torrent list in the state folder (a one-shot command-line run does not).
    bool keep_torrent_list = true;
    // The desktop client's old list, read once when the state folder has none (empty: none).
    std::filesystem::path legacy_desktop_store;
    SeedLimits seed_limits;
    SeedLimitAction seed_limit_action = SeedLimitAction::pause;
    // Off unless a front-end turns it on.
    QueueSettings queue;
    // The clock seed times are measured with; tests move it by hand.
    std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
};

class Controller final : public TorrentControl {
public:
    // Starts the session; throws std::system_error when it cannot listen.
    explicit Controller(ControllerSettings settings);
    ~Controller() override;
    Controller(const Controller&) = delete;
    Controller& operator=(const Controller&) = delete;

    // Adds every torrent of the saved list (migrating the desktop client's old list first);
    // what could not be restored, each with why. The others are restored regardless.
    std::vector<Error> restore() override;
    // The same in steps, so that a front-end can answer requests meanwhile: begin_restore()
    // migrates the old list if there is one; each restore_some() lists, reads or restores up
    // to `count` saved records, adds what could not be restored to `problems`, and returns true once
    // every torrent is back. Until then the queue's rules wait, and only what reads (the
    // summaries, poll()) is meant to be called between steps.
    void begin_restore(std::vector<Error>& problems);
    bool restore_some(std::size_t count, std::vector<Error>& problems);
    bool restoring() const { return restoring_.has_value(); }

    Result<TorrentId> add(AddTorrent request) override;
    Result<Done> remove(TorrentId id, bool with_data) override;
    Result<Done> pause(TorrentId id) override;
    // With a queue, the torrent may wait its turn (queued in its summary).
    Result<Done> resume(TorrentId id) override;
    Result<Done> resume_now(TorrentId id) override;
    Result<Done> move_in_queue(const std::vector<TorrentId>& ids, QueueMove to) override;
    void set_queue_settings(QueueSettings queue) override;
    QueueSettings queue_settings() const override { return settings_.queue; }
    Result<Done> recheck(TorrentId id) override;
    Result<Done> reannounce(TorrentId id) override;
    // A Details event for the torrent follows.
    Result<Done> request_details(TorrentId id) override;
    Result<Done> set_file_priority(TorrentId id, std::size_t file, int priority) override;
    // Checked now; the file has its new name once a FileRenamed event says so.
    Result<Done> rename_file(TorrentId id, std::size_t file, const std::string& name) override;
    Result<Done> move_storage(TorrentId id, const std::filesystem::path& dir, bool move) override;
    Result<Done> set_torrent_limits(TorrentId id, std::int64_t upload, std::int64_t download) override;
    Result<Done> set_peer_limit(TorrentId id, int peers) override;
    Result<Done> add_tracker(TorrentId id, const std::string& url, int tier) override;
    Result<Done> replace_tracker(TorrentId id, const std::string& url, const std::string& new_url) override;
    Result<Done> remove_tracker(TorrentId id, const std::string& url) override;
    Result<Done> set_trackers(TorrentId id, const Tiers& tiers) override;
    Result<Done> add_web_seed(TorrentId id, const std::string& url) override;
    Result<Done> remove_web_seed(TorrentId id, const std::string& url) override;
    void set_seed_limits(SeedLimits limits) override { settings_.seed_limits = limits; }
    Result<Done> set_torrent_seed_limits(TorrentId id, const TorrentSeedLimits& limits) override;
    Result<Done> set_labels(TorrentId id, Labels labels) override;
    Result<Done> set_rate_limits(std::int64_t upload, std::int64_t download) override;
    Result<Done> set_max_peers_per_torrent(int peers) override;
    Result<Done> set_max_connections(int connections) override;
    // Fetches a magnet link's metadata without adding the torrent (MetadataReceived follows,
    // with the returned id); cancel_metadata ends it early.
    Result<TorrentId> fetch_metadata(const std::string& magnet) override;
    void cancel_metadata(TorrentId id) override;

    // The torrents in the order they were added.
    std::vector<TorrentSummary> summaries() const override;
    const TorrentSummary* find(TorrentId id) const override;
    // The trackers as the user last set them (the torrent's own until then).
    Tiers trackers(TorrentId id) const override;
    std::vector<std::string> web_seeds(TorrentId id) const override;
    std::vector<int> file_priorities(TorrentId id) const override;
    std::optional<TorrentDetails> details(TorrentId id) const override;

    // Takes in the session's events, keeps snapshots and the saved list current, applies
    // the seed limits; what happened, for the front-end to show.
    Published poll() override;
    void set_wakeup(std::function<void()> wakeup) override { session_.set_wakeup(std::move(wakeup)); }

    std::uint16_t listen_port() const override { return session_.listen_port(); }
    // "0.0.0.0:6881 and [::]:6881"
    std::string listening_on() const { return session_.listening_on(); }
    NetworkState network_state() const override { return session_.network_state(); }
    std::size_t dht_nodes() const override { return session_.dht_nodes(); }
    // Saves resume data and stops the session; called by the destructor too.
    void stop() override;

private:
    // What the torrent's record holds beyond its summary (the id, the folders, the limits, the
    // labels) and `Entry::priorities`: save() puts a StoredTorrent together from the three, so
    // that a library of thousands of torrents does not keep each of those twice.
    struct Record {
        // What most torrents' records leave empty, made when one is not.
        struct Rare {
            std::string magnet;
            std::map<std::size_t, std::string> file_names;
            std::optional<std::vector<Tier>> trackers;
            std::optional<std::vector<std::string>> web_seeds;
        };

        std::string metainfo;  // StoredTorrent::metainfo: empty once written
        bool metainfo_saved = false;
        bool paused = false;
        // The record keeps `Entry::priorities` (else none: all normal).
        bool own_priorities = false;
        std::optional<std::int64_t> queue_position;
        std::unique_ptr<Rare> rare;  // null: all of it empty

        Rare& rare_made() {
            if (!rare) rare = std::make_unique<Rare>();
            return *rare;
        }
        const std::optional<std::vector<Tier>>& trackers() const { return rare ? rare->trackers : none_trackers; }
        const std::optional<std::vector<std::string>>& web_seeds() const {
            return rare ? rare->web_seeds : none_web_seeds;
        }
        static inline const std::optional<std::vector<Tier>> none_trackers;
        static inline const std::optional<std::vector<std::string>> none_web_seeds;
    };

    struct Entry {
        TorrentSummary summary;
        Record stored;
        Tiers tiers;
        // One a file, or empty while every file is normal (a library's thousands of files
        // would otherwise hold one each).
        std::vector<int> priorities;
        std::unique_ptr<event::Details> last_details;  // null until asked for (most never are)
        std::optional<std::chrono::steady_clock::time_point> finished_at;
        // For the idle limit: the upload count last seen, and when it last grew.
        std::int64_t uploaded_seen = 0;
        std::chrono::steady_clock::time_point uploaded_at;
        QueueTrack queue;
    };

    Entry* entry(TorrentId id);
    const Entry* entry(TorrentId id) const;
    // File priorities go from 0 (skipped) to 7; this is a file's until it is given another.
    static constexpr int k_normal_priority = 4;
    // One a file: the entry's own, else all normal (none while the files are not known).
    static std::vector<int> priorities_of(const Entry& e);
    // Starts the torrent and lists it; the caller saves its record if it is new.
    Result<TorrentId> add_checked(StoredTorrent stored, std::shared_ptr<const TorrentInfo> info,
                                  AddTorrentParams params);
    Result<Done> change_trackers(TorrentId id, const std::function<Result<Done>(Tiers&)>& change);
    Result<Done> change_web_seeds(TorrentId id, const std::function<Result<Done>(std::vector<std::string>&)>& change);
    // Writes the record (and the .torrent file the first time), then lets go of the file's bytes.
    void save(Entry& e);
    void apply(Entry& e, const Event& event);
    void check_seed_limits(Published& out);
    bool persistent() const { return list_.has_value(); }
    // The queue (controller_queue.cpp): who runs and who waits, and the positions kept.
    void apply_queue();
    QueueWant queue_want(const Entry& e) const;
    void note_queue_activity();
    void join_queue(Entry& e);
    void leave_queue(TorrentId id);
    void order_restored_queue();
    // Each summary's queue_position; with `save_changed`, the records whose position changed.
    void number_queue(bool save_changed);
    std::int64_t next_queue_position() const;

    ControllerSettings settings_;
    Session session_;
    std::optional<TorrentListStore> list_;
    // Between begin_restore() and the last step: the records read so far, then restored.
    struct RestoreProgress {
        explicit RestoreProgress(const TorrentListStore& list) : lister(list) {}
        TorrentListStore::RecordFiles lister;
        bool listed = false;
        std::vector<std::filesystem::path> files;
        std::size_t files_read = 0;
        std::vector<StoredTorrent> records;  // oldest first once every file is read
        std::size_t restored = 0;
    };
    std::optional<RestoreProgress> restoring_;
    void restore_one(StoredTorrent stored, std::vector<Error>& problems);
    std::map<TorrentId, Entry> entries_;
    QueueOrder queue_;
    // The entries' stored.id, against duplicates (views of the entries' own strings, which
    // std::map keeps in place).
    std::unordered_set<std::string_view> store_ids_;
    std::vector<Error> pending_problems_;
    std::vector<RemovedTorrent> removed_;  // for the next poll
    bool stopped_ = false;
};

}  // namespace shoal::control
