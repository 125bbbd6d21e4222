#pragma once
// The Content tab: the torrent's file tree with checkboxes and priorities, rename, open folder.

#include <QWidget>

#include "engine/engine.hpp"

class QTreeView;

namespace shoal::gui {

class FilesModel;

// The verified bytes of each file, from which pieces are verified.
std::vector<std::int64_t> verified_bytes_per_file(const TorrentInfo& info, const std::vector<std::uint8_t>& pieces);

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
    FilesModel* model_;
    QTreeView* view_;
};

}  // namespace shoal::gui
