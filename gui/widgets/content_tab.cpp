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
    if (!engine_.supports(Feature::local_files)) {
        open->setEnabled(false);
        open->setToolTip(tr("The files are on the daemon's computer"));
    }
    connect(view_, &QTreeView::customContextMenuRequested, this, &ContentTab::show_menu);
    connect(model_, &FilesModel::priority_changed, this,
            [this](int file, int priority) { engine_.set_file_priority(key_, file, priority); });
    if (engine_.supports(Feature::rename_files)) {
        model_->set_rename_handler([this](int file, const QString& name) {
            return engine_.rename_file(key_, file, name);
        });
    }
}

void ContentTab::show_torrent(TorrentKey key) {
    const TorrentSnapshot* s = engine_.find(key);
    const std::shared_ptr<const TorrentInfo> info = s ? s->info : nullptr;
    if (key != key_ || info != info_) {
        key_ = key;
        info_ = info;
        model_->set_torrent(info, engine_.file_priorities(key));
        expand_sensibly(view_);
    } else {
        model_->update_priorities(engine_.file_priorities(key));
    }
    if (s && s->info) {
        const std::vector<std::int64_t> done = engine_.file_progress(key);
        if (!done.empty())
            model_->set_done(done);
    }
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
    menu.addAction(tr("Open Folder"), this, &ContentTab::open_folder)
        ->setEnabled(engine_.supports(Feature::local_files));
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
