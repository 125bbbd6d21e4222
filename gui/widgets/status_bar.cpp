#include "widgets/status_bar.hpp"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QStorageInfo>

namespace shoal::gui {

StatusBar::StatusBar(Engine& engine, QWidget* parent)
    : QStatusBar(parent),
      engine_(engine),
      down_(new QLabel(this)),
      up_(new QLabel(this)),
      dht_(new QLabel(this)),
      free_(new QLabel(this)) {
    for (QLabel* l : {free_, dht_, down_, up_})
        addPermanentWidget(l);
    connect(&engine, &Engine::refreshed, this, &StatusBar::refresh);
    refresh();
}

void StatusBar::refresh() {
    const SessionTotals t = engine_.totals();
    const EngineSettings settings = engine_.settings();
    auto limit = [](std::int64_t v) {
        return v > 0 ? QStringLiteral(" [%1]").arg(human_rate(static_cast<double>(v))) : QString();
    };
    const bool alt = settings.use_alt_limits;
    down_->setText(tr("↓ %1%2").arg(human_rate(t.down_rate),
                                    limit(alt ? settings.alt_down_limit : settings.down_limit)));
    up_->setText(tr("↑ %1%2").arg(human_rate(t.up_rate),
                                  limit(alt ? settings.alt_up_limit : settings.up_limit)));
    dht_->setText(t.dht_nodes < 0 ? tr("DHT: off") : tr("DHT: %1 nodes").arg(t.dht_nodes));
    // The save folder is made with the first download; until then its nearest existing
    // parent lives on the same file system.
    QString folder = QDir::cleanPath(QDir(settings.default_save_dir).absolutePath());
    while (!QFileInfo::exists(folder) && folder != QFileInfo(folder).absolutePath())
        folder = QFileInfo(folder).absolutePath();
    const QStorageInfo storage(folder);
    free_->setText(storage.isValid()
                       ? tr("Free space: %1").arg(human_size(storage.bytesAvailable()))
                       : tr("Free space: unknown"));
}

QString StatusBar::text_of(int part) const {
    const QLabel* labels[] = {down_, up_, dht_, free_};
    return part >= 0 && part < 4 ? labels[part]->text() : QString();
}

}  // namespace shoal::gui
