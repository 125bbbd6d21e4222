#pragma once
// The GUI's own list of torrents, so that all of them come back after a restart: a copy of
// each .torrent file and one JSON index (save folder, paused, priorities, added on, ...)
// in a folder (QStandardPaths::AppDataLocation by default).

#include <QJsonObject>
#include <QString>
#include <vector>

#include "engine/engine_types.hpp"

namespace shoal::gui {

class TorrentStore {
  public:
    explicit TorrentStore(QString folder);

    // Saves the request (copying the .torrent); returns the entry's id, empty on failure.
    QString add(const AddRequest& request);
    void remove(const QString& id);
    void set_paused(const QString& id, bool paused);
    void set_priorities(const QString& id, const std::vector<int>& priorities);
    void set_file_name(const QString& id, int file, const QString& name);
    void set_trackers(const QString& id, const std::vector<TrackerSnapshot>& trackers);
    // Every saved torrent as a request to re-add (the engine checks the data again);
    // entries whose file is unreadable are reported in `problems`.
    std::vector<std::pair<QString, AddRequest>> load(QStringList* problems) const;
    const QString& folder() const { return folder_; }

  private:
    void write_index() const;
    QString index_path() const;

    QString folder_;
    QJsonObject entries_;  // id -> entry
};

// The id the store gives a torrent: its v1 (else v2) info-hash in hex, or the magnet's.
QString store_id(const AddRequest& request);

}  // namespace shoal::gui
