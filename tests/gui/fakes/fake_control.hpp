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
    std::vector<control::ControlError> restore_problems;
    // Commands received, one line each ("pause 1", "add NAME", ...).
    const std::vector<std::string>& calls() const { return calls_; }
    // The id fetch_metadata() gave the link, if it is still being fetched.
    std::optional<TorrentId> fetching(const std::string& magnet) const;

    std::vector<control::ControlError> restore() override;
    control::ControlResult<TorrentId> add(control::AddTorrent request) override;
    control::ControlResult<> remove(TorrentId id, bool with_data) override;
    // Both change the state as a session would, and say so in an event.
    control::ControlResult<> pause(TorrentId id) override;
    control::ControlResult<> resume(TorrentId id) override;
    control::ControlResult<> recheck(TorrentId id) override { return logged(id, "recheck"); }
    control::ControlResult<> reannounce(TorrentId id) override { return logged(id, "reannounce"); }
    control::ControlResult<> request_details(TorrentId id) override { return logged(id, "details"); }
    control::ControlResult<> set_file_priority(TorrentId id, std::size_t file, int priority) override;
    control::ControlResult<> rename_file(TorrentId id, std::size_t file, const std::string& name) override;
    control::ControlResult<> set_torrent_limits(TorrentId id, std::int64_t up, std::int64_t down) override;
    control::ControlResult<> add_tracker(TorrentId id, const std::string& url, int tier) override;
    control::ControlResult<> replace_tracker(TorrentId id, const std::string& url, const std::string& new_url) override;
    control::ControlResult<> remove_tracker(TorrentId id, const std::string& url) override;
    control::ControlResult<> set_trackers(TorrentId id, const control::Tiers& tiers) override;
    void set_seed_limits(control::SeedLimits) override {}
    control::ControlResult<> set_rate_limits(std::int64_t, std::int64_t) override { return control::Done{}; }
    control::ControlResult<> set_max_peers_per_torrent(int) override { return control::Done{}; }
    control::ControlResult<> set_max_connections(int) override { return control::Done{}; }
    control::ControlResult<TorrentId> fetch_metadata(const std::string& magnet) override;
    void cancel_metadata(TorrentId id) override;

    std::vector<control::TorrentSummary> summaries() const override;
    const control::TorrentSummary* find(TorrentId id) const override;
    control::Tiers trackers(TorrentId id) const override;
    std::vector<int> file_priorities(TorrentId id) const override;
    std::optional<control::TorrentDetails> details(TorrentId id) const override;

    control::Published poll() override;
    void set_wakeup(std::function<void()> wakeup) override { wakeup_ = std::move(wakeup); }
    std::uint16_t listen_port() const override { return 6881; }
    std::size_t dht_nodes() const override { return 0; }
    void stop() override {}

  private:
    struct Torrent {
        control::TorrentSummary summary;
        control::Tiers tiers;
        std::vector<int> priorities;
        bool restorable = false;  // not in the list until restore()
    };
    Torrent* torrent(TorrentId id);
    control::ControlResult<> logged(TorrentId id, const std::string& what);
    control::ControlResult<> edited(TorrentId id, const std::string& line,
                                    const std::function<control::ControlResult<>(control::Tiers&)>& change);

    std::map<std::uint32_t, Torrent> torrents_;
    std::deque<Event> queued_;
    std::vector<std::string> calls_;
    std::function<void()> wakeup_;
    std::map<std::uint32_t, std::string> fetches_;
    std::uint32_t next_id_ = 1;
};

}  // namespace shoal::gui::test
