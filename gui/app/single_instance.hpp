#pragma once
// One window per user: a second `shoal FILE.torrent` or `shoal 'magnet:...'` hands its
// arguments to the running one over a local socket and exits.

#include <QObject>
#include <QStringList>

class QLocalServer;

namespace shoal::gui {

class SingleInstance final : public QObject {
    Q_OBJECT
  public:
    explicit SingleInstance(QString name, QObject* parent = nullptr);
    // True when a running instance took the arguments.
    bool send_to_running(const QStringList& arguments, int timeout_ms = 1000) const;
    // Becomes the running instance; false when the name cannot be claimed.
    bool listen();

    // One instance per user and profile: a Shoal started with another home (another data
    // folder) is an instance of its own, not a caller of the first.
    static QString default_name();

  signals:
    void arguments_received(const QStringList& arguments);

  private:
    QString name_;
    QLocalServer* server_ = nullptr;
};

}  // namespace shoal::gui
