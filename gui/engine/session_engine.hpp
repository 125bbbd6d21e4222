#pragma once

// The Engine over the control layer (a real shoal::Session running in this process on its own
// threads, with the torrent list kept in the state folder). This class only translates: Qt
// values to commands, and the published events to the rows, peers, trackers and pieces the
// views read. Events arrive on the network thread; the wake-up only queues a drain onto the
// GUI thread, so the GUI never waits on the engine.

#include <QTimer>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>

#include "engine/engine.hpp"
#include "session/events.hpp"

namespace shoal::control {
class TorrentControl;
struct TorrentSummary;
}

namespace shoal::gui {

class SessionEngine : public Engine {
    Q_OBJECT
  public:
    // Starts the session; throws std::system_error when it cannot listen, and
    // std::runtime_error (naming it) when the chosen network interface does not exist. The state folder
    // holds resume data and the torrent list (empty: the user's, in the application's data
    // folder); `legacy_store` is where an older client kept its list (empty: where it did).
    SessionEngine(const EngineSettings& settings, const std::string& listen_host,
                  QObject* parent = nullptr, const QString& state_dir = {},
                  const QString& legacy_store = {});
    // Over any implementation of the control layer (tests script one); nothing refreshes on
    // a timer then: the owner calls refresh().
    SessionEngine(std::unique_ptr<control::TorrentControl> control, const EngineSettings& settings,
                  QObject* parent = nullptr);
    ~SessionEngine() override;

    bool supports(Feature feature) const override;
    AddResult add(const AddRequest& request) override;
    QStringList restore() override;
    void pause(TorrentKey key) override;
    void resume(TorrentKey key) override;
    void remove(TorrentKey key, bool with_data) override;
    void recheck(TorrentKey key) override;
    void reannounce(TorrentKey key) override;
    void set_file_priority(TorrentKey key, int file, int priority) override;
    std::vector<int> file_priorities(TorrentKey key) const override;
    QString rename_file(TorrentKey key, int file, const QString& name) override;
    void set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) override;
    std::vector<TrackerSnapshot> trackers(TorrentKey key) const override;
    QString add_tracker(TorrentKey key, const QString& url, int tier) override;
    QString edit_tracker(TorrentKey key, const QString& url, const QString& new_url) override;
    QString remove_tracker(TorrentKey key, const QString& url) override;
    QString set_location(TorrentKey key, const QString& folder, bool move) override;
    void move_in_queue(const std::vector<TorrentKey>& keys, control::QueueMove to) override;
    QString add_web_seed(TorrentKey key, const QString& url) override;
    QString remove_web_seed(TorrentKey key, const QString& url) override;
    std::vector<PeerSnapshot> peers(TorrentKey key) const override;
    std::vector<std::uint8_t> pieces(TorrentKey key, bool* exact) const override;
    EngineSettings settings() const override { return settings_; }
    QString apply_settings(const EngineSettings& settings) override;
    SessionTotals totals() const override;
    void fetch_metadata(const QString& magnet) override;
    void cancel_metadata(const QString& magnet) override;

    std::uint16_t listen_port() const;

  protected:
    // Takes in what the control layer published since the last call (the wake-up queues it).
    void drain();
    control::TorrentControl& control() { return *control_; }

  private:
    // What the views show beyond the row, projected from the event stream.
    struct Tracked {
        std::map<std::string, PeerSnapshot> peers;
        std::vector<TrackerSnapshot> trackers;
        std::vector<std::uint8_t> pieces;
    };

    // Asks the session for the details (peers, trackers, pieces) of what was looked at.
    void request_details();
    // A row for a torrent the control layer has just taken.
    void append(const control::TorrentSummary& summary);
    void apply(TorrentKey key, Tracked& t, const Event& e);
    void apply_details(Tracked& t, const event::Details& details);
    // The controller's trackers as the Trackers tab shows them before the session says more.
    std::vector<TrackerSnapshot> not_yet_contacted(TorrentKey key) const;
    // The result of a tracker command, the list shown at once when it succeeded.
    template <class Result>
    QString tracker_changed(TorrentKey key, const Result& result);

    EngineSettings settings_;
    std::unique_ptr<control::TorrentControl> control_;
    std::map<std::uint32_t, QString> previews_;   // metadata-only fetches for the add dialog
    // Torrents whose peers, trackers or pieces were read since the last details request.
    mutable std::set<TorrentKey> watched_;
    QTimer details_timer_;
    std::map<TorrentKey, Tracked> tracked_;
};

}  // namespace shoal::gui
