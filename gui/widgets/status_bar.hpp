#pragma once
// Status bar: total rates, DHT nodes, and free space in the default save folder.

#include <QStatusBar>

#include "engine/engine.hpp"

class QLabel;

namespace shoal::gui {

class StatusBar final : public QStatusBar {
    Q_OBJECT
  public:
    StatusBar(Engine& engine, QWidget* parent = nullptr);
    void refresh();
    QString text_of(int part) const;  // 0: down, 1: up, 2: DHT, 3: free space

  private:
    Engine& engine_;
    QLabel* down_;
    QLabel* up_;
    QLabel* dht_;
    QLabel* free_;
};

}  // namespace shoal::gui
