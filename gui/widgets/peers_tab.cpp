#include "widgets/peers_tab.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

#include "models/peers_model.hpp"

namespace shoal::gui {

namespace {

bool is_web_seed(const QString& address) {
    return address.startsWith(QStringLiteral("http://")) || address.startsWith(QStringLiteral("https://"));
}

}  // namespace

PeersTab::PeersTab(Engine& engine, QWidget* parent)
    : QWidget(parent),
      engine_(engine),
      model_(new PeersModel(this)),
      view_(new QTreeView(this)),
      add_(new QPushButton(tr("Add web seed…"), this)),
      remove_(new QPushButton(tr("Remove web seed"), this)) {
    view_->setModel(model_);
    view_->setRootIsDecorated(false);
    view_->setUniformRowHeights(true);
    view_->setSortingEnabled(false);
    view_->header()->resizeSection(PeersModel::address, 200);
    view_->header()->resizeSection(PeersModel::client, 170);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view_);
    if (!engine.supports(Feature::peer_details)) {
        auto* note = new QLabel(tr("The engine reports each peer's address and client; flags, "
                                   "progress and rates are not available yet."),
                                this);
        note->setWordWrap(true);
        layout->addWidget(note);
    }
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add_);
    buttons->addWidget(remove_);
    buttons->addStretch();
    layout->addLayout(buttons);

    const bool editable = engine_.supports(Feature::edit_web_seeds);
    add_->setEnabled(editable);
    remove_->setEnabled(false);
    if (!editable) {
        for (auto* b : {add_, remove_})
            b->setToolTip(tr("This engine cannot change a torrent's web seeds"));
    }
    connect(add_, &QPushButton::clicked, this, [this] {
        const QString url = QInputDialog::getText(this, tr("Add web seed"),
                                                  tr("URL of an HTTP or HTTPS server holding the torrent's files:"));
        if (!url.trimmed().isEmpty())
            add_web_seed(url.trimmed());
    });
    connect(remove_, &QPushButton::clicked, this, &PeersTab::remove_selected_web_seed);
    connect(view_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this, editable] {
        remove_->setEnabled(editable && !selected_web_seed().isEmpty());
    });
}

void PeersTab::show_torrent(TorrentKey key) {
    key_ = key;
    model_->set_peers(engine_.peers(key));
    remove_->setEnabled(engine_.supports(Feature::edit_web_seeds) && !selected_web_seed().isEmpty());
}

void PeersTab::select_row(int row) { view_->setCurrentIndex(model_->index(row, 0)); }

QString PeersTab::selected_web_seed() const {
    const QModelIndex current = view_->currentIndex();
    if (!current.isValid() || current.row() >= static_cast<int>(model_->rows().size()))
        return {};
    const QString address = model_->rows()[static_cast<std::size_t>(current.row())].address;
    return is_web_seed(address) ? address : QString();
}

void PeersTab::report(const QString& error) {
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Web seeds"), error);
    model_->set_peers(engine_.peers(key_));
}

void PeersTab::add_web_seed(const QString& url) { report(engine_.add_web_seed(key_, url)); }

void PeersTab::remove_selected_web_seed() {
    const QString url = selected_web_seed();
    if (!url.isEmpty())
        report(engine_.remove_web_seed(key_, url));
}

}  // namespace shoal::gui
