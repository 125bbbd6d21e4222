#include "models/files_model.hpp"

#include <QHash>
#include <QTreeView>

#include "metainfo/torrent_info.hpp"

namespace shoal::gui {

QString priority_text(int priority) {
    if (priority < 0)
        return QObject::tr("Mixed");
    if (priority == k_priority_skip)
        return QObject::tr("Do not download");
    if (priority < k_priority_normal)
        return QObject::tr("Low");
    if (priority == k_priority_normal)
        return QObject::tr("Normal");
    return QObject::tr("High");
}

void expand_sensibly(QTreeView* view) {
    const auto* model = qobject_cast<const FilesModel*>(view->model());
    if (model && model->node_count() <= 200) {
        view->expandAll();
    } else {
        view->expandToDepth(0);
    }
}

FilesModel::FilesModel(QObject* parent) : QAbstractItemModel(parent) {
    nodes_.emplace_back();
}

void FilesModel::set_done(const std::vector<std::int64_t>& done_per_file) {
    std::vector<std::int64_t> done(nodes_.size(), 0);
    for (std::size_t f = 0; f < node_of_file_.size() && f < done_per_file.size(); ++f) {
        for (int n = node_of_file_[f]; n > 0; n = nodes_[static_cast<std::size_t>(n)].parent) {
            done[static_cast<std::size_t>(n)] += done_per_file[f];
        }
    }
    const bool first = !progress_known_;
    progress_known_ = true;
    for (std::size_t n = 1; n < nodes_.size(); ++n) {
        if (!first && nodes_[n].done == done[n]) continue;
        nodes_[n].done = done[n];
        const QModelIndex changed = index_of(static_cast<int>(n), progress);
        emit dataChanged(changed, changed, {Qt::DisplayRole});
    }
}

void FilesModel::set_torrent(std::shared_ptr<const TorrentInfo> info, std::vector<int> priorities) {
    beginResetModel();
    progress_known_ = false;
    nodes_.assign(1, Node{});
    node_of_file_.clear();
    priorities_ = std::move(priorities);
    if (info) {
        priorities_.resize(info->files.size(), k_priority_normal);
        node_of_file_.assign(info->files.size(), -1);
        QHash<QPair<int, QString>, int> folders;
        for (std::size_t f = 0; f < info->files.size(); ++f) {
            const FileEntry& entry = info->files[f];
            if (entry.pad)
                continue;
            int parent = 0;
            for (std::size_t c = 0; c < entry.path.size(); ++c) {
                const QString part = QString::fromStdString(entry.path[c]);
                const bool leaf = c + 1 == entry.path.size();
                int node = leaf ? -1 : folders.value({parent, part}, -1);
                if (node < 0) {
                    node = static_cast<int>(nodes_.size());
                    Node n;
                    n.name = part;
                    n.parent = parent;
                    n.row =
                        static_cast<int>(nodes_[static_cast<std::size_t>(parent)].children.size());
                    if (leaf)
                        n.file = static_cast<int>(f);
                    nodes_.push_back(n);
                    nodes_[static_cast<std::size_t>(parent)].children.push_back(node);
                    if (!leaf)
                        folders.insert({parent, part}, node);
                }
                nodes_[static_cast<std::size_t>(node)].size += entry.size;
                parent = node;
            }
            node_of_file_[f] = parent;
        }
    }
    endResetModel();
}

void FilesModel::update_priorities(const std::vector<int>& priorities) {
    if (priorities.size() != priorities_.size())
        return;
    for (std::size_t f = 0; f < priorities.size(); ++f) {
        if (priorities[f] != priorities_[f]) {
            priorities_[f] = priorities[f];
            if (node_of_file_[f] >= 0)
                notify(node_of_file_[f]);
        }
    }
}

void FilesModel::set_rename_handler(std::function<QString(int, const QString&)> handler) {
    rename_ = std::move(handler);
}

int FilesModel::node_of(const QModelIndex& index) const {
    return index.isValid() ? static_cast<int>(index.internalId()) : 0;
}

QModelIndex FilesModel::index_of(int node, int column) const {
    if (node <= 0)
        return {};
    return createIndex(nodes_[static_cast<std::size_t>(node)].row, column, quintptr(node));
}

QModelIndex FilesModel::index(int row, int column, const QModelIndex& parent) const {
    if (!hasIndex(row, column, parent))
        return {};
    const Node& p = nodes_[static_cast<std::size_t>(node_of(parent))];
    return createIndex(row, column, quintptr(p.children[static_cast<std::size_t>(row)]));
}

QModelIndex FilesModel::parent(const QModelIndex& child) const {
    if (!child.isValid())
        return {};
    return index_of(nodes_[static_cast<std::size_t>(node_of(child))].parent, 0);
}

int FilesModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return static_cast<int>(nodes_[static_cast<std::size_t>(node_of(parent))].children.size());
}

int FilesModel::columnCount(const QModelIndex&) const {
    return column_count;
}

void FilesModel::collect_files(int node, std::vector<int>& out) const {
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    if (n.file >= 0)
        out.push_back(n.file);
    for (int c : n.children)
        collect_files(c, out);
}

int FilesModel::folder_priority(int node) const {
    std::vector<int> files;
    collect_files(node, files);
    if (files.empty())
        return k_priority_normal;
    const int first = priorities_[static_cast<std::size_t>(files[0])];
    for (int f : files) {
        if (priorities_[static_cast<std::size_t>(f)] != first)
            return -1;
    }
    return first;
}

Qt::CheckState FilesModel::check_state(int node) const {
    std::vector<int> files;
    collect_files(node, files);
    int wanted = 0;
    for (int f : files)
        wanted += priorities_[static_cast<std::size_t>(f)] > 0 ? 1 : 0;
    if (wanted == 0)
        return Qt::Unchecked;
    return wanted == static_cast<int>(files.size()) ? Qt::Checked : Qt::PartiallyChecked;
}

QVariant FilesModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const int id = node_of(index);
    const Node& n = nodes_[static_cast<std::size_t>(id)];
    switch (role) {
        case Qt::DisplayRole:
        case Qt::EditRole:
            if (index.column() == name)
                return n.name;
            if (index.column() == size)
                return human_size(n.size);
            if (index.column() == priority) {
                return priority_text(n.file >= 0 ? priorities_[static_cast<std::size_t>(n.file)]
                                                 : folder_priority(id));
            }
            if (index.column() == progress && progress_known_) {
                const double part = n.size > 0 ? static_cast<double>(n.done) / static_cast<double>(n.size) : 1.0;
                return QStringLiteral("%1%").arg(part * 100, 0, 'f', 1);
            }
            return {};
        case Qt::CheckStateRole:
            if (index.column() == name)
                return check_state(id);
            return {};
        case Qt::TextAlignmentRole:
            if (index.column() == size)
                return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
            return {};
        case file_role:
            return n.file;
        default:
            return {};
    }
}

void FilesModel::notify(int node) {
    // The node, everything under it and every folder above it may show a new state.
    for (int up = node; up > 0; up = nodes_[static_cast<std::size_t>(up)].parent) {
        emit dataChanged(index_of(up, 0), index_of(up, column_count - 1));
    }
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    if (n.children.empty())
        return;
    emit dataChanged(index_of(n.children.front(), 0),
                     index_of(n.children.back(), column_count - 1));
    for (int c : n.children) {
        if (!nodes_[static_cast<std::size_t>(c)].children.empty())
            notify(c);
    }
}

void FilesModel::set_priority(const QModelIndex& index, int priority) {
    const int node = node_of(index);
    if (node <= 0)
        return;
    std::vector<int> files;
    collect_files(node, files);
    for (int f : files) {
        if (priorities_[static_cast<std::size_t>(f)] == priority)
            continue;
        priorities_[static_cast<std::size_t>(f)] = priority;
        emit priority_changed(f, priority);
    }
    notify(node);
}

bool FilesModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || index.column() != name)
        return false;
    const int node = node_of(index);
    if (role == Qt::CheckStateRole) {
        const bool on = value.value<Qt::CheckState>() != Qt::Unchecked;
        set_priority(index, on ? k_priority_normal : k_priority_skip);
        return true;
    }
    if (role == Qt::EditRole && rename_) {
        Node& n = nodes_[static_cast<std::size_t>(node)];
        const QString text = value.toString().trimmed();
        if (n.file < 0 || text.isEmpty() || text == n.name)
            return false;
        if (!rename_(n.file, text).isEmpty())
            return false;
        n.name = text;
        emit dataChanged(index, index);
        return true;
    }
    return false;
}

Qt::ItemFlags FilesModel::flags(const QModelIndex& index) const {
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == name) {
        f |= Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate;
        if (rename_ && nodes_[static_cast<std::size_t>(node_of(index))].file >= 0)
            f |= Qt::ItemIsEditable;
    }
    return f;
}

QVariant FilesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case name:
            return tr("Name");
        case size:
            return tr("Size");
        case priority:
            return tr("Priority");
        case progress:
            return tr("Progress");
        default:
            return {};
    }
}

QString FilesModel::relative_path(const QModelIndex& index) const {
    QStringList parts;
    for (int n = node_of(index); n > 0; n = nodes_[static_cast<std::size_t>(n)].parent) {
        parts.prepend(nodes_[static_cast<std::size_t>(n)].name);
    }
    return parts.join(QLatin1Char('/'));
}

}  // namespace shoal::gui
