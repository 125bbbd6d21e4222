#pragma once
// Tabs describing the selected torrent: General, Trackers, Peers, Content, Speed. Only the
// visible tab is refreshed.

#include <QTabWidget>

#include "engine/engine.hpp"

class QTreeView;
class QLabel;

namespace shoal::gui {

class GeneralTab;
class TrackersTab;
class ContentTab;
class PeersModel;
class SpeedGraph;

class PropertiesPanel final : public QTabWidget {
    Q_OBJECT
  public:
    enum Tab { general, trackers, peers, content, speed };

    PropertiesPanel(Engine& engine, QWidget* parent = nullptr);
    void show_torrent(TorrentKey key);
    TorrentKey torrent() const { return key_; }
    void refresh();

    GeneralTab* general_tab() const { return general_; }
    TrackersTab* trackers_tab() const { return trackers_; }
    ContentTab* content_tab() const { return content_; }
    PeersModel* peers_model() const { return peers_model_; }
    SpeedGraph* speed_graph() const { return speed_; }

  private:
    Engine& engine_;
    TorrentKey key_;
    GeneralTab* general_;
    TrackersTab* trackers_;
    QWidget* peers_page_;
    PeersModel* peers_model_;
    QTreeView* peers_view_;
    ContentTab* content_;
    SpeedGraph* speed_;
};

}  // namespace shoal::gui
