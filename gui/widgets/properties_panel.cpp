#include "widgets/properties_panel.hpp"

#include "widgets/content_tab.hpp"
#include "widgets/general_tab.hpp"
#include "widgets/peers_tab.hpp"
#include "widgets/speed_graph.hpp"
#include "widgets/trackers_tab.hpp"

namespace shoal::gui {

PropertiesPanel::PropertiesPanel(Engine& engine, QWidget* parent)
    : QTabWidget(parent),
      engine_(engine),
      general_(new GeneralTab(this)),
      trackers_(new TrackersTab(engine, this)),
      peers_(new PeersTab(engine, this)),
      content_(new ContentTab(engine, this)),
      speed_(new SpeedGraph(this)) {
    addTab(general_, tr("General"));
    addTab(trackers_, tr("Trackers"));
    addTab(peers_, tr("Peers"));
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
            peers_->show_torrent(key_);
            break;
        case content:
            content_->show_torrent(key_);
            break;
        default:
            break;
    }
}

}  // namespace shoal::gui
