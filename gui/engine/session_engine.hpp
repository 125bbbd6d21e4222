#pragma once

// The Engine over a real shoal::Session running in this process on its own threads.
// Events arrive on the network thread; the wake-up only queues a drain onto the GUI thread,
// so the GUI never waits on the engine.

#include <QTimer>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>

#include "engine/engine.hpp"
#include "session/events.hpp"

namespace shoal {
class Session;
struct AddTorrentParams;
}

namespace shoal::gui {

class SessionEngine final : public Engine {
    Q_OBJECT
  public:
    // Starts the session; throws std::system_error when it cannot listen.
    SessionEngine(const EngineSettings& settings, const std::string& listen_host,
                  QObject* parent = nullptr);
    ~SessionEngine() override;

    bool supports(Feature feature) const override;
    AddResult add(const AddRequest& request) override;
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
    std::vector<PeerSnapshot> peers(TorrentKey key) const override;
    std::vector<std::uint8_t> pieces(TorrentKey key, bool* exact) const override;
    EngineSettings settings() const override { return settings_; }
    QString apply_settings(const EngineSettings& settings) override;
    SessionTotals totals() const override;
    // The engine has no metadata exchange yet: nothing is fetched.
    void fetch_metadata(const QString& magnet) override;
    void cancel_metadata(const QString& magnet) override;

    std::uint16_t listen_port() const;

  private:
    // What the GUI learns about one torrent from the event stream.
    struct Tracked {
        std::optional<TorrentId> id;
        std::map<std::string, PeerSnapshot> peers;
        std::vector<TrackerSnapshot> trackers;
        std::vector<std::uint8_t> pieces;
        std::vector<int> priorities;
        bool was_downloading = false;
        std::vector<std::vector<std::string>> tiers;  // the trackers as the session has them
    };

    void drain();
    // Asks the session for the details (peers, trackers, pieces) of what was looked at.
    void request_details();
    void apply(TorrentKey key, Tracked& t, const Event& e);
    void apply_details(Tracked& t, const event::Details& details);
    AddResult add_magnet(const AddRequest& request);
    // Save folder, paused, sequential and peers, shared by torrents and magnet links; an error
    // message for a peer that is no address and port.
    QString fill_common(const AddRequest& request, AddTorrentParams& params);
    using Tiers = std::vector<std::vector<std::string>>;
    // The tiers as a list the Trackers tab shows before the session has said anything.
    static std::vector<TrackerSnapshot> not_yet_contacted(const Tiers& tiers);
    // Applies `change` to a torrent's tiers and hands them to the session; an error, or empty.
    QString change_trackers(TorrentKey key, const std::function<QString(Tiers&)>& change);

    EngineSettings settings_;
    std::unique_ptr<Session> session_;
    std::map<std::uint32_t, TorrentKey> by_id_;  // engine id to key
    std::map<std::uint32_t, QString> previews_;   // metadata-only fetches for the add dialog
    // Torrents whose peers, trackers or pieces were read since the last details request.
    mutable std::set<TorrentKey> watched_;
    QTimer details_timer_;
    std::map<TorrentKey, Tracked> tracked_;
    std::uint32_t next_key_ = 1;
};

}  // namespace shoal::gui
