#pragma once
// What the GUI needs from a BitTorrent engine. The base class keeps the table of torrent
// snapshots that item models read (GUI thread only) and turns each refresh into signals;
// a subclass adapts a real session or fakes one for tests.

#include <QList>
#include <QObject>
#include <QTimer>
#include <unordered_map>
#include <vector>

#include "control/torrent_queue.hpp"
#include "engine/engine_types.hpp"

namespace shoal::gui {

// Things an engine may not do yet; the GUI disables what is missing instead of pretending.
enum class Feature {
    magnet_links,
    reannounce,
    rename_files,
    edit_trackers,
    // Adding and removing a torrent's web seeds (BEP 19).
    edit_web_seeds,
    // A torrent queue (shoald's): torrents wait their turn and can be moved in it.
    queue,
    peer_details,
    alternative_limits,
    runtime_settings,
    dht,
    pex,
    lsd,
    // Listing a magnet link's files in the add dialog before adding it.
    metadata_preview,
    // The torrents' files are on this computer: open their folder, act on them at completion.
    local_files,
    // The preferences are this computer's: kept in the GUI's settings, with the network
    // interface and port forwarding of this machine.
    local_settings,
};

struct AddResult {
    TorrentKey key;
    QString error;  // empty on success
    bool ok() const { return error.isEmpty(); }
};

class Engine : public QObject {
    Q_OBJECT
  public:
    explicit Engine(QObject* parent = nullptr);
    ~Engine() override;

    // The torrent table in the order torrents were added.
    const std::vector<TorrentSnapshot>& torrents() const { return rows_; }
    const TorrentSnapshot* find(TorrentKey key) const;
    int row_of(TorrentKey key) const;

    virtual bool supports(Feature feature) const = 0;
    // Adds and remembers the torrent for the next start (where the engine keeps a list).
    virtual AddResult add(const AddRequest& request) = 0;
    // Brings back the torrents an earlier run kept; what could not be brought back.
    virtual QStringList restore() = 0;
    virtual void pause(TorrentKey key) = 0;
    virtual void resume(TorrentKey key) = 0;
    virtual void remove(TorrentKey key, bool with_data) = 0;
    virtual void recheck(TorrentKey key) = 0;
    virtual void reannounce(TorrentKey key) = 0;
    virtual void set_file_priority(TorrentKey key, int file, int priority) = 0;
    virtual std::vector<int> file_priorities(TorrentKey key) const = 0;
    // Verified bytes per file, indexed like the snapshot's info->files. By default from the
    // pieces; an engine that hears it per file says so directly.
    virtual std::vector<std::int64_t> file_progress(TorrentKey key) const;
    // Renames the file's last path component; an error message, or empty.
    virtual QString rename_file(TorrentKey key, int file, const QString& name) = 0;
    virtual void set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) = 0;
    virtual std::vector<TrackerSnapshot> trackers(TorrentKey key) const = 0;
    virtual QString add_tracker(TorrentKey key, const QString& url, int tier) = 0;
    virtual QString edit_tracker(TorrentKey key, const QString& url, const QString& new_url) = 0;
    virtual QString remove_tracker(TorrentKey key, const QString& url) = 0;
    // Moves the torrent's data to `folder` (on the engine's computer), or with `move` false
    // looks for it there instead; an error message, or empty (a failure may also come later as
    // a problem).
    virtual QString set_location(TorrentKey key, const QString& folder, bool move) = 0;
    // Moves the torrents in the queue as a group. Needs Feature::queue.
    virtual void move_in_queue(const std::vector<TorrentKey>& keys, control::QueueMove to) = 0;
    // A torrent's web seeds (BEP 19); an error message, or empty. Needs Feature::edit_web_seeds.
    virtual QString add_web_seed(TorrentKey key, const QString& url);
    virtual QString remove_web_seed(TorrentKey key, const QString& url);
    virtual std::vector<PeerSnapshot> peers(TorrentKey key) const = 0;
    // One byte per piece, non-zero when verified. `exact` is false when only some are known.
    virtual std::vector<std::uint8_t> pieces(TorrentKey key, bool* exact) const = 0;
    virtual EngineSettings settings() const = 0;
    // Applies what it can now; returns a note for the user about the rest, or empty.
    virtual QString apply_settings(const EngineSettings& settings) = 0;
    virtual SessionTotals totals() const = 0;
    // Starts fetching a magnet link's metadata from peers without adding the torrent, so the
    // add dialog can list its files; metadata_fetched() follows. Needs Feature::metadata_preview.
    virtual void fetch_metadata(const QString& magnet) = 0;
    virtual void cancel_metadata(const QString& magnet) = 0;
    // How the session can be reached now (network_changed() follows each change).
    const NetworkInfo& network() const { return network_; }

    // Publishes the changes gathered since the last refresh (the refresh timer calls it).
    void refresh();
    void start_refresh_timer(int interval_ms);

  signals:
    void torrent_about_to_be_added(int row);
    void torrent_added(int row);
    void torrent_about_to_be_removed(int row);
    void torrent_removed(shoal::gui::TorrentKey key);
    // Rows whose snapshot changed since the last refresh, ascending.
    void torrents_changed(const QList<int>& rows);
    // After each refresh, for views that show more than the table (properties, totals).
    void refreshed();
    // A download finished (not a torrent that was complete when added).
    void torrent_finished(shoal::gui::TorrentKey key);
    void torrent_error(shoal::gui::TorrentKey key, const QString& message);
    // Something the engine could not do that is no one torrent's (state not saved, a stored
    // torrent that could not be restored).
    void problem(const QString& message);
    void metadata_fetched(const QString& magnet, std::shared_ptr<const shoal::TorrentInfo> info);
    // A file has its new name on disk (after rename_file).
    void file_renamed(shoal::gui::TorrentKey key, int file, const QString& name);
    // The user added, edited or removed a tracker; trackers(key) has the new list.
    void trackers_edited(shoal::gui::TorrentKey key);
    // The listening sockets, the interface, port forwarding or the external address changed.
    void network_changed(const shoal::gui::NetworkInfo& network);

  protected:
    TorrentSnapshot& append_row(TorrentSnapshot snapshot);
    void erase_row(TorrentKey key);
    TorrentSnapshot* mutable_find(TorrentKey key);
    void mark_changed(TorrentKey key);
    // Keeps `network` and signals it.
    void set_network(NetworkInfo network);

  private:
    std::vector<TorrentSnapshot> rows_;
    std::unordered_map<TorrentKey, int> index_;
    std::vector<std::uint8_t> dirty_;  // per row: changed since the last refresh
    QTimer refresh_timer_;
    NetworkInfo network_;
};

// Verified bytes per file from the verified pieces (one byte per piece, non-zero when verified).
std::vector<std::int64_t> verified_bytes_per_file(const TorrentInfo& info,
                                                  const std::vector<std::uint8_t>& pieces);

QString human_size(std::int64_t bytes);
QString human_rate(double bytes_per_second);
QString human_duration(double seconds);

}  // namespace shoal::gui

Q_DECLARE_METATYPE(shoal::gui::TorrentKey)
Q_DECLARE_METATYPE(shoal::gui::NetworkInfo)
