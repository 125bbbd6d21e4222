#pragma once
// SIGTERM (a logout, a shutdown, `kill`), SIGINT (Ctrl-C in a terminal) and SIGHUP (the
// terminal gone) end the desktop client the way its Quit menu does: the event loop returns,
// so the engine saves resume data and tells trackers before the process exits. The handler
// only writes a byte to a socket pair; the event loop reads it and quits. A second signal of
// the same kind takes the default action.

#include <QObject>

class QSocketNotifier;

namespace shoal::gui {

class QuitOnSignals final : public QObject {
    Q_OBJECT
  public:
    // Installs the handlers; one object at a time (the handler writes to its socket pair).
    explicit QuitOnSignals(QObject* parent = nullptr);
    ~QuitOnSignals() override;
    QuitOnSignals(const QuitOnSignals&) = delete;
    QuitOnSignals& operator=(const QuitOnSignals&) = delete;

  private:
    int sockets_[2] = {-1, -1};  // the handler writes to [0], the event loop reads [1]
    QSocketNotifier* notifier_ = nullptr;
};

}  // namespace shoal::gui
