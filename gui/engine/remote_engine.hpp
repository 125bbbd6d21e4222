#pragma once
// The Engine over a Transmission RPC endpoint (a shoald, or any daemon speaking the RPC):
// the torrent list polled about once a second (the whole list first, then only what changed,
// with the ids the daemon removed), session-stats for the totals, session-get for the
// settings, and the detail fields (files, peers, trackers) of what the views look at. Every
// action is an RPC call; what needs this computer (its files, its network settings) is not
// offered (supports()). Connection problems reach the GUI through problem(), and polling goes
// on until the daemon answers again.

#include <QTimer>
#include <QUrl>
#include <map>
#include <memory>
#include <set>

#include "engine/engine.hpp"
#include "engine/rpc_client.hpp"

class QJsonArray;
class QJsonObject;

namespace shoal::gui {

class RemoteEngine final : public Engine {
    Q_OBJECT
  public:
    // Starts polling at once. `url` as RpcClient takes it; a user name in the URL is used
    // when `user` is empty.
    RemoteEngine(const QUrl& url, const QString& user, const QString& password,
                 QObject* parent = nullptr, int poll_interval_ms = 1000);
    ~RemoteEngine() override;

    // "host:port", as the window title and the dialogs name the daemon.
    QString daemon_name() const;
    QUrl url() const { return client_.url(); }
    QString user() const { return client_.user(); }
    void set_credentials(const QString& user, const QString& password);
    RpcClient& client() { return client_; }
    // True once the daemon answered; false again after a failure until it answers.
    bool connected() const { return connected_; }
    // The last connection problem, or empty.
    QString connection_problem() const { return problem_; }
    // Polls now (the timer polls too).
    void poll();

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
    std::vector<std::int64_t> file_progress(TorrentKey key) const override;
    QString rename_file(TorrentKey key, int file, const QString& name) override;
    void set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) override;
    std::vector<TrackerSnapshot> trackers(TorrentKey key) const override;
    QString set_location(TorrentKey key, const QString& folder, bool move) override;
    void move_in_queue(const std::vector<TorrentKey>& keys, control::QueueMove to) override;
    QString add_tracker(TorrentKey key, const QString& url, int tier) override;
    QString edit_tracker(TorrentKey key, const QString& url, const QString& new_url) override;
    QString remove_tracker(TorrentKey key, const QString& url) override;
    std::vector<PeerSnapshot> peers(TorrentKey key) const override;
    std::vector<std::uint8_t> pieces(TorrentKey key, bool* exact) const override;
    EngineSettings settings() const override { return settings_; }
    QString apply_settings(const EngineSettings& settings) override;
    SessionTotals totals() const override { return totals_; }
    void fetch_metadata(const QString& magnet) override;
    void cancel_metadata(const QString& magnet) override;

  signals:
    // The daemon wants a user name and password (a 401); set_credentials() answers it.
    void credentials_needed();
    // The daemon answered after a failure, or for the first time.
    void connection_restored();

  private:
    // What the views show beyond the row, from the detail fields.
    struct Remote {
        std::int64_t id = 0;  // the daemon's torrent id
        std::vector<int> priorities;
        std::vector<std::int64_t> done;
        std::vector<PeerSnapshot> peers;
        std::vector<TrackerSnapshot> trackers;
        std::map<QString, int> tracker_ids;  // announce URL -> the daemon's tracker id
        std::vector<QString> file_paths;     // as the daemon names them, for renames
        std::vector<std::uint8_t> pieces;    // one byte per piece, from `pieces`; empty: unknown
        bool has_files = false;
        bool was_downloading = false;
    };

    void poll_torrents();
    void poll_details();
    void take_torrents(const QJsonObject& arguments, bool full_list);
    void take_torrent(const QJsonObject& t);
    void take_details(const QJsonObject& t);
    void take_settings(const QJsonObject& arguments);
    // Calls a torrent method on one torrent, then polls so the row shows the result.
    void torrent_call(TorrentKey key, const QString& method, QJsonObject arguments = {});
    // The daemon's id of a torrent's tracker, or -1.
    int tracker_id(TorrentKey key, const QString& url) const;
    void failed(const QString& message);
    void answered();
    // What torrent-add cannot carry, sent once the daemon has named the new torrent, one call
    // after another, then checked (remote_engine_add.cpp).
    struct AddFollowUp;
    void rename_added(std::shared_ptr<AddFollowUp> follow, std::size_t next);
    void set_added_trackers(std::shared_ptr<AddFollowUp> follow);
    void check_added(std::shared_ptr<AddFollowUp> follow);
    void finish_added(const AddFollowUp& follow);
    Remote* remote_of(TorrentKey key);
    const Remote* remote_of(TorrentKey key) const;

    RpcClient client_;
    QTimer poll_timer_;
    bool torrents_in_flight_ = false;
    bool details_in_flight_ = false;
    bool stats_in_flight_ = false;
    bool settings_in_flight_ = false;
    bool have_settings_ = false;
    bool have_full_list_ = false;
    bool connected_ = false;
    int polls_ = 0;
    QString problem_;
    EngineSettings settings_;
    SessionTotals totals_;
    std::uint32_t next_key_ = 1;
    std::map<std::int64_t, TorrentKey> keys_;  // the daemon's id -> ours
    std::map<TorrentKey, Remote> remote_;
    std::set<std::int64_t> need_files_;  // ids whose file list is still to be fetched
    // Torrents whose peers, trackers or files were read since the last details poll.
    mutable std::set<TorrentKey> watched_;
};

}  // namespace shoal::gui
