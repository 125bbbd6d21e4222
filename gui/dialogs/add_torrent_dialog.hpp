#pragma once
// Asks where and how to add a torrent file or magnet link: save folder, which files, start
// paused, skip the hash check, sequential order.

#include <QDialog>

#include "engine/engine.hpp"

class QCheckBox;
class QLabel;
class QLineEdit;
class QTreeView;

namespace shoal::gui {

class FilesModel;

class AddTorrentDialog final : public QDialog {
    Q_OBJECT
  public:
    AddTorrentDialog(Engine& engine, const QString& save_dir, QWidget* parent = nullptr);
    ~AddTorrentDialog() override;

    // Reads a .torrent file; on failure the dialog shows why and returns false.
    bool load_file(const QString& path);
    bool load_magnet(const QString& uri);
    // Shows a magnet link's files once its metadata arrived.
    void metadata_received(std::shared_ptr<const TorrentInfo> info);

    AddRequest request() const;
    QString error() const { return error_; }

    QLineEdit* save_dir_edit() const { return save_dir_; }
    QCheckBox* paused_box() const { return paused_; }
    QCheckBox* skip_check_box() const { return skip_check_; }
    QCheckBox* sequential_box() const { return sequential_; }
    FilesModel* files() const { return files_; }
    QTreeView* files_view() const { return view_; }

  private:
    void show_info();

    Engine& engine_;
    bool fetching_ = false;
    std::shared_ptr<const TorrentInfo> info_;
    QByteArray bytes_;
    QString magnet_;
    QString error_;
    QLabel* title_;
    QLineEdit* save_dir_;
    FilesModel* files_;
    QTreeView* view_;
    QLabel* note_;
    QCheckBox* paused_;
    QCheckBox* skip_check_;
    QCheckBox* sequential_;
};

}  // namespace shoal::gui
