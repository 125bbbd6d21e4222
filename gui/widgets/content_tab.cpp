#include "widgets/content_tab.hpp"

#include <QDesktopServices>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QPushButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>

#include "metainfo/torrent_info.hpp"
#include "models/files_model.hpp"

namespace shoal::gui {

ContentTab::ContentTab(Engine& engine, QWidget* parent)
    : QWidget(parent), engine_(engine), model_(new FilesModel(this)), view_(new QTreeView(this)) {
    view_->setModel(model_);
    view_->setUniformRowHeights(true);
    view_->setContextMenuPolicy(Qt::CustomContextMenu);
    view_->setEditTriggers(QAbstractItemView::EditKeyPressed);
    view_->header()->resizeSection(FilesModel::name, 360);
    view_->header()->resizeSection(FilesModel::size, 90);
    auto* open =
        new QPushButton(QIcon(QStringLiteral(":/icons/folder.svg")), tr("Open Folder"), this);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(open);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(view_, 1);
    layout->addLayout(buttons);

    connect(open, &QPushButton::clicked, this, &ContentTab::open_folder);
    connect(view_, &QTreeView::customContextMenuRequested, this, &ContentTab::show_menu);
    connect(model_, &FilesModel::priority_changed, this,
            [this](int file, int priority) { engine_.set_file_priority(key_, file, priority); });
    if (engine_.supports(Feature::rename_files)) {
        model_->set_rename_handler([this](int file, const QString& name) {
            return engine_.rename_file(key_, file, name);
        });
    }
}

std::vector<std::int64_t> verified_bytes_per_file(const TorrentInfo& info, const std::vector<std::uint8_t>& pieces) {
    std::vector<std::int64_t> out(info.files.size(), 0);
    if (info.piece_length <= 0)
        return out;
    for (std::size_t f = 0; f < info.files.size(); ++f) {
        const FileEntry& file = info.files[f];
        const std::int64_t end = file.offset + file.size;
        for (std::int64_t p = file.offset / info.piece_length; p * info.piece_length < end; ++p) {
            if (static_cast<std::size_t>(p) >= pieces.size() || !pieces[static_cast<std::size_t>(p)])
                continue;
            const std::int64_t from = std::max(file.offset, p * info.piece_length);
            const std::int64_t to = std::min(end, (p + 1) * info.piece_length);
            out[f] += to - from;
        }
    }
    return out;
}

void ContentTab::show_torrent(TorrentKey key) {
    const TorrentSnapshot* s = engine_.find(key);
    if (key != key_) {
        key_ = key;
        model_->set_torrent(s ? s->info : nullptr, engine_.file_priorities(key));
        expand_sensibly(view_);
    } else {
        model_->update_priorities(engine_.file_priorities(key));
    }
    if (s && s->info)
        model_->set_done(verified_bytes_per_file(*s->info, engine_.pieces(key, nullptr)));
}

void ContentTab::show_menu(const QPoint& pos) {
    const QModelIndex index = view_->indexAt(pos);
    if (!index.isValid())
        return;
    QMenu menu(this);
    QMenu* priority = menu.addMenu(tr("Priority"));
    for (int p : {k_priority_skip, k_priority_low, k_priority_normal, k_priority_high}) {
        priority->addAction(priority_text(p), this, [this, index, p] {
            for (const QModelIndex& i : view_->selectionModel()->selectedRows()) {
                model_->set_priority(i, p);
            }
            if (!view_->selectionModel()->isRowSelected(index.row(), index.parent())) {
                model_->set_priority(index, p);
            }
        });
    }
    QAction* rename = menu.addAction(tr("Rename…"), this, [this, index] {
        view_->edit(index.siblingAtColumn(FilesModel::name));
    });
    rename->setEnabled(engine_.supports(Feature::rename_files) &&
                       index.data(FilesModel::file_role).toInt() >= 0);
    menu.addAction(tr("Open Folder"), this, &ContentTab::open_folder);
    menu.exec(view_->viewport()->mapToGlobal(pos));
}

void ContentTab::open_folder() const {
    const TorrentSnapshot* s = engine_.find(key_);
    if (!s)
        return;
    QString folder = s->save_dir;
    const QModelIndex current = view_->currentIndex();
    if (current.isValid()) {
        QString relative = model_->relative_path(current);
        if (current.data(FilesModel::file_role).toInt() >= 0)
            relative = relative.section(QLatin1Char('/'), 0, -2);
        if (!relative.isEmpty())
            folder = QDir(folder).filePath(relative);
    }
    QDesktopServices::openUrl(QUrl::fromLocalFile(folder));
}

}  // namespace shoal::gui
