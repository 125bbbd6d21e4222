#pragma once
// The real SessionEngine over a scripted control layer (FakeControl), with helpers tests and
// the GUI benchmark use: torrents with given figures, simulated seconds, a log of the commands
// the GUI sent. Everything the views show passes through SessionEngine's own projection.

#include <QStringList>
#include <set>

#include "engine/session_engine.hpp"
#include "fake_control.hpp"

namespace shoal::gui {

struct FakeTorrent {
    QString name;
    std::vector<std::int64_t> file_sizes{1 << 20};
    TorrentStatus status = TorrentStatus::downloading;
    double progress = 0;
    double down_rate = 0;
    double up_rate = 0;
    int seeds = 0;
    int peers = 0;
    QString error;
    QString save_dir = QStringLiteral("/tmp");
};

// A TorrentInfo with the given files (under a folder when there is more than one).
std::shared_ptr<const TorrentInfo> make_fake_info(const QString& name,
                                                  const std::vector<std::int64_t>& file_sizes);

class FakeEngine final : public SessionEngine {
    Q_OBJECT
  public:
    explicit FakeEngine(QObject* parent = nullptr);

    // A torrent with these figures, its peers, trackers and pieces published as details.
    TorrentKey add_fake(const FakeTorrent& spec);
    // One simulated second: downloads advance by their rate, every torrent's statistics are
    // published. step() also publishes the refresh.
    // With `vary_rates`, every transfer's rates also move by up to 20%, as in a real swarm,
    // so a list sorted by speed reorders.
    void simulate_second(bool vary_rates = false);
    void step();
    // Commands received, one line each ("pause 3", "add NAME paused=1 ...").
    const QStringList& calls() const { return calls_; }
    void clear_calls() { calls_.clear(); }
    std::vector<AddRequest> added;  // every accepted add() request, in order

    // Everything is supported unless a test says otherwise (to see the GUI without it).
    void set_supported(Feature feature, bool supported);
    bool supports(Feature feature) const override;
    AddResult add(const AddRequest& request) override;
    void pause(TorrentKey key) override;
    void resume(TorrentKey key) override;
    void remove(TorrentKey key, bool with_data) override;
    void recheck(TorrentKey key) override;
    void reannounce(TorrentKey key) override;
    void set_file_priority(TorrentKey key, int file, int priority) override;
    QString rename_file(TorrentKey key, int file, const QString& name) override;
    void set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) override;
    QString add_tracker(TorrentKey key, const QString& url, int tier) override;
    QString edit_tracker(TorrentKey key, const QString& url, const QString& new_url) override;
    QString remove_tracker(TorrentKey key, const QString& url) override;
    QString set_location(TorrentKey key, const QString& folder, bool move) override;
    void move_in_queue(const std::vector<TorrentKey>& keys, control::QueueMove to) override;
    QString add_web_seed(TorrentKey key, const QString& url) override;
    QString remove_web_seed(TorrentKey key, const QString& url) override;
    // Details listing the torrent's web seeds (as FakeControl keeps them) and no peer, as the
    // session sends once a second.
    void publish_web_seeds(TorrentKey key);
    QString apply_settings(const EngineSettings& settings) override;
    SessionTotals totals() const override;
    void fetch_metadata(const QString& magnet) override;
    void cancel_metadata(const QString& magnet) override;
    // The session's network state changed: published as its NetworkStatus event and taken in
    // through SessionEngine's projection, as a real session's would be.
    void publish_network(const NetworkState& state);
    // Answers a fetch_metadata() as peers would.
    void deliver_metadata(const QString& magnet, std::shared_ptr<const TorrentInfo> info);

  private:
    test::FakeControl& fake() { return static_cast<test::FakeControl&>(control()); }
    void log(const QString& line) { calls_.push_back(line); }

    QStringList calls_;
    std::uint32_t noise_ = 12345;
    std::set<Feature> unsupported_;
};

}  // namespace shoal::gui
