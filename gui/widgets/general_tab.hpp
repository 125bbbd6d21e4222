#pragma once
// The General tab: piece bar, transfer figures, and what the torrent file says.

#include <QLabel>
#include <QWidget>
#include <map>

#include "engine/engine.hpp"

class QFormLayout;

namespace shoal::gui {

class PieceBar;

class GeneralTab final : public QWidget {
    Q_OBJECT
  public:
    explicit GeneralTab(QWidget* parent = nullptr);
    void show_torrent(const Engine& engine, const TorrentSnapshot* snapshot);
    QString field_text(const QString& field) const;

  private:
    QLabel* add_field(QFormLayout* form, const QString& label);

    PieceBar* pieces_;
    std::map<QString, QLabel*> fields_;
};

}  // namespace shoal::gui
