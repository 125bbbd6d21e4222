#pragma once
// The Content tab: the torrent's file tree with checkboxes and priorities, rename, open folder.

#include <QWidget>

#include "engine/engine.hpp"

class QTreeView;

namespace shoal::gui {

class FilesModel;

class ContentTab final : public QWidget {
    Q_OBJECT
  public:
    ContentTab(Engine& engine, QWidget* parent = nullptr);
    void show_torrent(TorrentKey key);
    FilesModel* model() const { return model_; }
    QTreeView* view() const { return view_; }

  private:
    void show_menu(const QPoint& pos);
    void open_folder() const;

    Engine& engine_;
    TorrentKey key_;
    // The description shown: a magnet link's arrives later, a daemon's file list after the row.
    std::shared_ptr<const TorrentInfo> info_;
    FilesModel* model_;
    QTreeView* view_;
};

}  // namespace shoal::gui
