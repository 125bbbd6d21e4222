#pragma once
// Status bar: how the session can be reached (port forwarding, interface), total rates, DHT
// nodes, and free space in the default save folder.

#include <QStatusBar>

#include "engine/engine.hpp"

class QLabel;

namespace shoal::gui {

// One short line: "Port 6881 forwarded (UPnP) · External 203.0.113.1", "Port forwarding
// failed: <why>", "Port forwarding off", "Interface wg0 is down — no traffic"; empty while the
// engine has said nothing.
QString network_summary(const NetworkInfo& network);
// Each part in full, a line each: where it listens, the interface, every protocol's state and
// error, the external address and the port trackers are told.
QString network_details(const NetworkInfo& network);

class StatusBar final : public QStatusBar {
    Q_OBJECT
  public:
    StatusBar(Engine& engine, QWidget* parent = nullptr);
    void refresh();
    // 0: down, 1: up, 2: DHT, 3: free space, 4: network
    QString text_of(int part) const;
    QString network_tooltip() const;

  private:
    void show_network(const NetworkInfo& network);

    Engine& engine_;
    QLabel* down_;
    QLabel* up_;
    QLabel* dht_;
    QLabel* free_;
    QLabel* network_;
};

}  // namespace shoal::gui
