#pragma once
// A torrent's files as a folder tree with a checkbox and a priority per file; folders show
// the combined state of what they hold. Used by the Content tab and the add-torrent dialog.

#include <QAbstractItemModel>
#include <functional>
#include <memory>
#include <vector>

#include "engine/engine.hpp"

class QTreeView;

namespace shoal::gui {

class FilesModel final : public QAbstractItemModel {
    Q_OBJECT
  public:
    enum Column { name, size, priority, progress, column_count };
    enum Role { file_role = Qt::UserRole + 1 };  // file index, or -1 for a folder

    explicit FilesModel(QObject* parent = nullptr);

    void set_torrent(std::shared_ptr<const TorrentInfo> info, std::vector<int> priorities);
    // Takes priorities the engine reports, touching only the rows that differ.
    void update_priorities(const std::vector<int>& priorities);
    const std::vector<int>& priorities() const { return priorities_; }
    // Verified bytes per file (indexed like the torrent's files); the progress column stays
    // empty until this is called, and only rows that changed are signalled.
    void set_done(const std::vector<std::int64_t>& done_per_file);
    std::size_t node_count() const { return nodes_.size() - 1; }
    // Sets the priority of every file under `index` (the file itself, or a folder's).
    void set_priority(const QModelIndex& index, int priority);
    // Called for a rename; returns an error message or empty. Unset: names are read-only.
    void set_rename_handler(std::function<QString(int file, const QString& name)> handler);
    // The path relative to the save folder, '/'-separated.
    QString relative_path(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  signals:
    void priority_changed(int file, int priority);

  private:
    struct Node {
        QString name;
        int parent = -1;
        int row = 0;  // position among the parent's children
        int file = -1;
        std::int64_t size = 0;
        std::int64_t done = 0;  // verified bytes of the file, or of the folder's files
        std::vector<int> children;
    };

    bool progress_known_ = false;
    int node_of(const QModelIndex& index) const;
    QModelIndex index_of(int node, int column) const;
    Qt::CheckState check_state(int node) const;
    int folder_priority(int node) const;  // -1 when mixed
    void collect_files(int node, std::vector<int>& out) const;
    void notify(int node);

    std::vector<Node> nodes_;  // nodes_[0] is the invisible root
    std::vector<int> priorities_;
    std::vector<int> node_of_file_;
    std::function<QString(int, const QString&)> rename_;
};

QString priority_text(int priority);

// Opens a small file tree fully and a large one only to its top folders.
void expand_sensibly(QTreeView* view);

}  // namespace shoal::gui
