#pragma once
// The Trackers tab: each tracker's status, message and next announce, with add, edit, remove.

#include <QWidget>

#include "engine/engine.hpp"

class QTreeView;
class QPushButton;

namespace shoal::gui {

class TrackersModel;

class TrackersTab final : public QWidget {
    Q_OBJECT
  public:
    TrackersTab(Engine& engine, QWidget* parent = nullptr);
    void show_torrent(TorrentKey key);
    TrackersModel* model() const { return model_; }
    QTreeView* view() const { return view_; }

    // The actions behind the buttons; `url` comes from a prompt in the GUI.
    void add_tracker(const QString& url);
    void edit_selected(const QString& new_url);
    void remove_selected();

  private:
    QString selected_url() const;
    void select_url(const QString& url);
    void report(const QString& error);

    Engine& engine_;
    TorrentKey key_;
    TrackersModel* model_;
    QTreeView* view_;
    QPushButton* add_;
    QPushButton* edit_;
    QPushButton* remove_;
};

}  // namespace shoal::gui
