#pragma once
// Tabs describing the selected torrent: General, Trackers, Peers, Content, Speed. Only the
// visible tab is refreshed.

#include <QTabWidget>

#include "engine/engine.hpp"

namespace shoal::gui {

class GeneralTab;
class TrackersTab;
class ContentTab;
class PeersTab;
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
    PeersTab* peers_tab() const { return peers_; }
    SpeedGraph* speed_graph() const { return speed_; }

  private:
    Engine& engine_;
    TorrentKey key_;
    GeneralTab* general_;
    TrackersTab* trackers_;
    PeersTab* peers_;
    ContentTab* content_;
    SpeedGraph* speed_;
};

}  // namespace shoal::gui
