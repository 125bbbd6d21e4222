#pragma once
// The Peers tab: the selected torrent's peers and web seeds, with web seeds added and removed
// here (where the engine can).

#include <QWidget>

#include "engine/engine.hpp"

class QPushButton;
class QTreeView;

namespace shoal::gui {

class PeersModel;

class PeersTab final : public QWidget {
    Q_OBJECT
  public:
    PeersTab(Engine& engine, QWidget* parent = nullptr);
    void show_torrent(TorrentKey key);
    PeersModel* model() const { return model_; }
    // Adds a web seed to the torrent shown; a refusal is said in a message box.
    void add_web_seed(const QString& url);
    // Removes the selected row's web seed, if the selected row is one.
    void remove_selected_web_seed();
    void select_row(int row);
    QPushButton* remove_button() const { return remove_; }

  private:
    // The selected row's URL when it is a web seed's; empty otherwise.
    QString selected_web_seed() const;
    void report(const QString& error);

    Engine& engine_;
    TorrentKey key_;
    PeersModel* model_;
    QTreeView* view_;
    QPushButton* add_;
    QPushButton* remove_;
};

}  // namespace shoal::gui
