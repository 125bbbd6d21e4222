#include "widgets/trackers_tab.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

#include "models/trackers_model.hpp"

namespace shoal::gui {

TrackersTab::TrackersTab(Engine& engine, QWidget* parent)
    : QWidget(parent),
      engine_(engine),
      model_(new TrackersModel(this)),
      view_(new QTreeView(this)),
      add_(new QPushButton(tr("Add…"), this)),
      edit_(new QPushButton(tr("Edit…"), this)),
      remove_(new QPushButton(tr("Remove"), this)) {
    view_->setModel(model_);
    view_->setRootIsDecorated(false);
    view_->setUniformRowHeights(true);
    view_->header()->resizeSection(TrackersModel::tier, 40);
    view_->header()->resizeSection(TrackersModel::url, 300);
    view_->header()->resizeSection(TrackersModel::status, 110);
    view_->header()->resizeSection(TrackersModel::peers, 50);
    view_->header()->resizeSection(TrackersModel::message, 220);
    auto* buttons = new QVBoxLayout;
    for (auto* b : {add_, edit_, remove_})
        buttons->addWidget(b);
    buttons->addStretch();
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(view_, 1);
    layout->addLayout(buttons);

    const bool editable = engine_.supports(Feature::edit_trackers);
    for (auto* b : {add_, edit_, remove_}) {
        b->setEnabled(editable);
        if (!editable)
            b->setToolTip(tr("The engine cannot change a torrent's trackers yet"));
    }
    connect(add_, &QPushButton::clicked, this, [this] {
        const QString url = QInputDialog::getText(this, tr("Add tracker"), tr("Announce URL:"));
        if (!url.trimmed().isEmpty())
            add_tracker(url.trimmed());
    });
    connect(edit_, &QPushButton::clicked, this, [this] {
        const QString old = selected_url();
        if (old.isEmpty())
            return;
        const QString url = QInputDialog::getText(this, tr("Edit tracker"), tr("Announce URL:"),
                                                  QLineEdit::Normal, old);
        if (!url.trimmed().isEmpty())
            edit_selected(url.trimmed());
    });
    connect(remove_, &QPushButton::clicked, this, &TrackersTab::remove_selected);
}

void TrackersTab::show_torrent(TorrentKey key) {
    key_ = key;
    model_->set_trackers(engine_.trackers(key));
}

QString TrackersTab::selected_url() const {
    const QModelIndex current = view_->currentIndex();
    return current.isValid() ? model_->url_at(current.row()) : QString();
}

void TrackersTab::report(const QString& error) {
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Trackers"), error);
    model_->set_trackers(engine_.trackers(key_));
}

void TrackersTab::add_tracker(const QString& url) {
    int tier = 0;
    for (const auto& t : model_->rows())
        tier = std::max(tier, t.tier + 1);
    report(engine_.add_tracker(key_, url, tier));
}

void TrackersTab::edit_selected(const QString& new_url) {
    const QString url = selected_url();
    if (url.isEmpty())
        return;
    report(engine_.edit_tracker(key_, url, new_url));
    // The edited tracker is a new row to the model; keep it the selected one.
    select_url(new_url);
}

void TrackersTab::select_url(const QString& url) {
    for (int row = 0; row < model_->rowCount(); ++row) {
        if (model_->url_at(row) == url)
            view_->setCurrentIndex(model_->index(row, 0));
    }
}

void TrackersTab::remove_selected() {
    const QString url = selected_url();
    if (!url.isEmpty())
        report(engine_.remove_tracker(key_, url));
}

}  // namespace shoal::gui
