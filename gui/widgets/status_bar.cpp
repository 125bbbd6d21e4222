#include "widgets/status_bar.hpp"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QStorageInfo>

namespace shoal::gui {

namespace {

const PortMappingInfo* first_in(const NetworkInfo& n, const QString& state) {
    for (const auto& m : n.port_mapping) {
        if (m.state == state)
            return &m;
    }
    return nullptr;
}

}  // namespace

QString network_summary(const NetworkInfo& n) {
    if (!n.known)
        return {};
    if (!n.interface.isEmpty() && !n.interface_up)
        return QObject::tr("Interface %1 is down — no traffic").arg(n.interface);
    QString text;
    if (n.port_mapping.empty()) {
        text = QObject::tr("Port forwarding off");
    } else if (const PortMappingInfo* mapped = first_in(n, QStringLiteral("mapped"))) {
        QStringList protocols;
        for (const auto& m : n.port_mapping) {
            if (m.state == QStringLiteral("mapped") && m.external_port == mapped->external_port)
                protocols << m.protocol;
        }
        text = QObject::tr("Port %1 forwarded (%2)").arg(mapped->external_port).arg(protocols.join(QStringLiteral(", ")));
    } else if (first_in(n, QStringLiteral("discovering"))) {
        text = QObject::tr("Port forwarding: looking for the router");
    } else if (const PortMappingInfo* failed = first_in(n, QStringLiteral("failed"))) {
        text = failed->error.isEmpty() ? QObject::tr("Port forwarding failed")
                                       : QObject::tr("Port forwarding failed: %1").arg(failed->error);
    } else {
        text = QObject::tr("Port forwarding off");
    }
    if (!n.external_address.isEmpty())
        text += QObject::tr(" · External %1").arg(n.external_address);
    if (!n.interface.isEmpty())
        text = n.interface + QStringLiteral(" · ") + text;
    return text;
}

QString network_details(const NetworkInfo& n) {
    if (!n.known)
        return {};
    QStringList lines;
    lines << QObject::tr("Listening on %1").arg(n.listening_on.isEmpty() ? QObject::tr("nothing") : n.listening_on);
    if (n.interface.isEmpty()) {
        lines << QObject::tr("Interface: any");
    } else if (n.interface_up) {
        lines << QObject::tr("Interface: %1 only (up)").arg(n.interface);
    } else {
        lines << QObject::tr("Interface: %1 only, down%2 — nothing is sent, by no other route either")
                     .arg(n.interface, n.interface_problem.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(n.interface_problem));
    }
    if (n.port_mapping.empty())
        lines << QObject::tr("Port forwarding: off");
    for (const auto& m : n.port_mapping) {
        QString line = m.protocol + QStringLiteral(": ");
        if (m.state == QStringLiteral("mapped")) {
            line += QObject::tr("forwarded %1:%2").arg(m.external_address.isEmpty() ? QObject::tr("?") : m.external_address)
                        .arg(m.external_port);
        } else if (m.state == QStringLiteral("discovering")) {
            line += QObject::tr("looking for the router");
        } else if (m.state == QStringLiteral("failed")) {
            line += m.error.isEmpty() ? QObject::tr("failed") : QObject::tr("failed — %1").arg(m.error);
        } else {
            line += m.state;
        }
        lines << line;
    }
    lines << QObject::tr("External address: %1")
                 .arg(n.external_address.isEmpty() ? QObject::tr("not known yet") : n.external_address);
    if (n.announce_port > 0)
        lines << QObject::tr("Trackers and the DHT are told port %1").arg(n.announce_port);
    return lines.join('\n');
}

StatusBar::StatusBar(Engine& engine, QWidget* parent)
    : QStatusBar(parent),
      engine_(engine),
      down_(new QLabel(this)),
      up_(new QLabel(this)),
      dht_(new QLabel(this)),
      free_(new QLabel(this)),
      network_(new QLabel(this)) {
    for (QLabel* l : {network_, free_, dht_, down_, up_})
        addPermanentWidget(l);
    connect(&engine, &Engine::refreshed, this, &StatusBar::refresh);
    connect(&engine, &Engine::network_changed, this, &StatusBar::show_network);
    show_network(engine.network());
    refresh();
}

void StatusBar::show_network(const NetworkInfo& network) {
    const QString text = network_summary(network);
    network_->setText(text);
    network_->setToolTip(network_details(network));
    network_->setVisible(!text.isEmpty());
}

QString StatusBar::network_tooltip() const {
    return network_->toolTip();
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
    if (!engine_.supports(Feature::local_files)) {
        // A daemon elsewhere: its switch and its disk, as it reports them.
        dht_->setText(settings.dht ? tr("DHT: on") : tr("DHT: off"));
        free_->setText(t.free_space >= 0 ? tr("Free space: %1").arg(human_size(t.free_space))
                                         : tr("Free space: unknown"));
        return;
    }
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
    const QLabel* labels[] = {down_, up_, dht_, free_, network_};
    return part >= 0 && part < 5 ? labels[part]->text() : QString();
}

}  // namespace shoal::gui
