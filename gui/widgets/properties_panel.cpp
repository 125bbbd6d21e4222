#include "widgets/properties_panel.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

#include "models/peers_model.hpp"
#include "widgets/content_tab.hpp"
#include "widgets/general_tab.hpp"
#include "widgets/speed_graph.hpp"
#include "widgets/trackers_tab.hpp"

namespace shoal::gui {

PropertiesPanel::PropertiesPanel(Engine& engine, QWidget* parent)
    : QTabWidget(parent),
      engine_(engine),
      general_(new GeneralTab(this)),
      trackers_(new TrackersTab(engine, this)),
      peers_page_(new QWidget(this)),
      peers_model_(new PeersModel(this)),
      peers_view_(new QTreeView(peers_page_)),
      content_(new ContentTab(engine, this)),
      speed_(new SpeedGraph(this)) {
    peers_view_->setModel(peers_model_);
    peers_view_->setRootIsDecorated(false);
    peers_view_->setUniformRowHeights(true);
    peers_view_->setSortingEnabled(false);
    peers_view_->header()->resizeSection(PeersModel::address, 200);
    peers_view_->header()->resizeSection(PeersModel::client, 170);
    auto* peers_layout = new QVBoxLayout(peers_page_);
    peers_layout->setContentsMargins(0, 0, 0, 0);
    peers_layout->addWidget(peers_view_);
    if (!engine.supports(Feature::peer_details)) {
        auto* note = new QLabel(tr("The engine reports each peer's address and client; flags, "
                                   "progress and rates are not available yet."),
                                peers_page_);
        note->setWordWrap(true);
        peers_layout->addWidget(note);
    }

    addTab(general_, tr("General"));
    addTab(trackers_, tr("Trackers"));
    addTab(peers_page_, tr("Peers"));
    addTab(content_, tr("Content"));
    addTab(speed_, tr("Speed"));
    connect(this, &QTabWidget::currentChanged, this, &PropertiesPanel::refresh);
    connect(&engine, &Engine::refreshed, this, [this] {
        const SessionTotals t = engine_.totals();
        speed_->add_sample(t.down_rate, t.up_rate);
        refresh();
    });
    setEnabled(false);
}

void PropertiesPanel::show_torrent(TorrentKey key) {
    key_ = key;
    setEnabled(engine_.find(key) != nullptr);
    refresh();
}

void PropertiesPanel::refresh() {
    const TorrentSnapshot* s = engine_.find(key_);
    if (!s)
        setEnabled(false);
    switch (currentIndex()) {
        case general:
            general_->show_torrent(engine_, s);
            break;
        case trackers:
            trackers_->show_torrent(key_);
            break;
        case peers:
            peers_model_->set_peers(engine_.peers(key_));
            break;
        case content:
            content_->show_torrent(key_);
            break;
        default:
            break;
    }
}

}  // namespace shoal::gui
