#pragma once
// A scripted control layer: no session behind it. A test sets the summaries as the real layer
// would have them, publishes events, and reads back the commands the front-end sent, so the
// front-end's own projection of the event stream is what runs.

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "control/torrent_control.hpp"

namespace shoal::gui::test {

class FakeControl final : public control::TorrentControl {
  public:
    // The summary the layer would publish for `id` (added by add() or put_restorable()).
    control::TorrentSummary& summary(TorrentId id) { return torrents_.at(id.value).summary; }
    // Queued for the next poll; the front-end is woken as the real layer wakes it.
    void publish(Event event);
    // A torrent that restore() brings back, and a problem it reports.
    TorrentId put_restorable(control::TorrentSummary summary);
    std::vector<Error> restore_problems;
    // Reported by the next poll, as Published::problems; the front-end is woken.
    void report(Error problem);
    // What set_seed_limits() was last given.
    control::SeedLimits seed_limits;
    // What set_rate_limits() was last given (bytes per second); -1 before it is called.
    std::int64_t upload_limit = -1;
    std::int64_t download_limit = -1;
    // Commands received, one line each ("pause 1", "add NAME", ...).
    const std::vector<std::string>& calls() const { return calls_; }
    // The id fetch_metadata() gave the link, if it is still being fetched.
    std::optional<TorrentId> fetching(const std::string& magnet) const;

    std::vector<Error> restore() override;
    Result<TorrentId> add(control::AddTorrent request) override;
    Result<Done> remove(TorrentId id, bool with_data) override;
    // Both change the state as a session would, and say so in an event.
    Result<Done> pause(TorrentId id) override;
    Result<Done> resume(TorrentId id) override;
    Result<Done> resume_now(TorrentId id) override;
    // Moves them in a real queue order; each summary's queue_position follows.
    Result<Done> move_in_queue(const std::vector<TorrentId>& ids, control::QueueMove to) override;
    void set_queue_settings(control::QueueSettings queue) override { queue_settings_ = queue; }
    control::QueueSettings queue_settings() const override { return queue_settings_; }
    Result<Done> recheck(TorrentId id) override { return logged(id, "recheck"); }
    Result<Done> reannounce(TorrentId id) override { return logged(id, "reannounce"); }
    Result<Done> request_details(TorrentId id) override { return logged(id, "details"); }
    Result<Done> set_file_priority(TorrentId id, std::size_t file, int priority) override;
    Result<Done> rename_file(TorrentId id, std::size_t file, const std::string& name) override;
    Result<Done> move_storage(TorrentId id, const std::filesystem::path& dir, bool move) override;
    Result<Done> set_torrent_limits(TorrentId id, std::int64_t up, std::int64_t down) override;
    Result<Done> set_peer_limit(TorrentId id, int peers) override;
    Result<Done> add_tracker(TorrentId id, const std::string& url, int tier) override;
    Result<Done> replace_tracker(TorrentId id, const std::string& url, const std::string& new_url) override;
    Result<Done> remove_tracker(TorrentId id, const std::string& url) override;
    Result<Done> set_trackers(TorrentId id, const control::Tiers& tiers) override;
    Result<Done> add_web_seed(TorrentId id, const std::string& url) override;
    Result<Done> remove_web_seed(TorrentId id, const std::string& url) override;
    void set_seed_limits(control::SeedLimits limits) override { seed_limits = limits; }
    Result<Done> set_torrent_seed_limits(TorrentId id, const control::TorrentSeedLimits& limits) override;
    Result<Done> set_labels(TorrentId id, control::Labels labels) override;
    Result<Done> set_rate_limits(std::int64_t up, std::int64_t down) override {
        upload_limit = up;
        download_limit = down;
        return Done{};
    }
    Result<Done> set_max_peers_per_torrent(int) override { return Done{}; }
    Result<Done> set_max_connections(int) override { return Done{}; }
    Result<TorrentId> fetch_metadata(const std::string& magnet) override;
    void cancel_metadata(TorrentId id) override;

    std::vector<control::TorrentSummary> summaries() const override;
    const control::TorrentSummary* find(TorrentId id) const override;
    control::Tiers trackers(TorrentId id) const override;
    std::vector<std::string> web_seeds(TorrentId id) const override;
    std::vector<int> file_priorities(TorrentId id) const override;
    std::optional<control::TorrentDetails> details(TorrentId id) const override;

    control::Published poll() override;
    void set_wakeup(std::function<void()> wakeup) override { wakeup_ = std::move(wakeup); }
    std::uint16_t listen_port() const override { return 6881; }
    NetworkState network_state() const override { return {}; }
    std::size_t dht_nodes() const override { return 0; }
    void stop() override {}

  private:
    struct Torrent {
        control::TorrentSummary summary;
        control::Tiers tiers;
        std::vector<std::string> web_seeds;
        std::vector<int> priorities;
        bool restorable = false;  // not in the list until restore()
    };
    Torrent* torrent(TorrentId id);
    void number_queue();
    Result<Done> logged(TorrentId id, const std::string& what);
    Result<Done> edited(TorrentId id, const std::string& line,
                        const std::function<Result<Done>(control::Tiers&)>& change);

    std::map<std::uint32_t, Torrent> torrents_;
    std::deque<Event> queued_;
    std::vector<std::string> calls_;
    std::vector<Error> problems_;
    std::vector<control::RemovedTorrent> removed_;  // for the next poll
    std::function<void()> wakeup_;
    std::map<std::uint32_t, std::string> fetches_;
    std::uint32_t next_id_ = 1;
    control::QueueOrder queue_;
    control::QueueSettings queue_settings_;
};

}  // namespace shoal::gui::test
