#include "dialogs/preferences_dialog.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

#include "dialogs/limits_dialog.hpp"

namespace shoal::gui {
namespace {

void mark_unsupported(QWidget* w, bool supported) {
    if (supported)
        return;
    w->setEnabled(false);
    w->setToolTip(QObject::tr("Not supported by the engine yet"));
}

// Settings of this computer that a daemon elsewhere has no use for.
void mark_local_only(QWidget* w, bool local) {
    if (local)
        return;
    w->setEnabled(false);
    w->setToolTip(QObject::tr("Set on the daemon's computer (shoald's config file)"));
}

// "wg0 — 10.8.0.2, fd00::2", or "eth1 (down)".
QString interface_text(const QNetworkInterface& i) {
    QStringList addresses;
    for (const QNetworkAddressEntry& entry : i.addressEntries()) {
        const QHostAddress ip = entry.ip();
        if (ip.protocol() == QAbstractSocket::IPv6Protocol && ip.isLinkLocal())
            continue;  // every IPv6 device has one; it tells the devices apart no better
        addresses << ip.toString();
    }
    QString text = i.name();
    if (!addresses.isEmpty())
        text += QStringLiteral(" — ") + addresses.join(QStringLiteral(", "));
    if (!i.flags().testFlag(QNetworkInterface::IsUp))
        text += QObject::tr(" (down)");
    return text;
}

}  // namespace

QComboBox* make_interface_box(const QString& current, QWidget* parent) {
    auto* box = new QComboBox(parent);
    box->addItem(QObject::tr("Any interface"), QString());
    for (const QNetworkInterface& i : QNetworkInterface::allInterfaces())
        box->addItem(interface_text(i), i.name());
    int index = box->findData(current);
    if (index < 0) {
        // A VPN that is not connected now, say: keep the choice rather than drop it.
        box->addItem(QObject::tr("%1 (not present)").arg(current), current);
        index = box->count() - 1;
    }
    box->setCurrentIndex(index);
    // Addresses make an item long; the list shows them whole, the closed box need not.
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(22);
    box->setToolTip(QObject::tr("Every connection goes through this device alone; while it is down "
                                "nothing is sent, never by another route"));
    return box;
}

std::optional<QString> ask_network_interface(const QString& current, const QString& why, QWidget* parent) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Network Interface"));
    auto* label = new QLabel(why, &dialog);
    label->setWordWrap(true);
    QComboBox* box = make_interface_box(current, &dialog);
    auto* form = new QFormLayout;
    form->addRow(QObject::tr("Network interface:"), box);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(label);
    layout->addLayout(form);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return box->currentData().toString();
}

PreferencesDialog::PreferencesDialog(const Engine& engine, QWidget* parent)
    : QDialog(parent), base_(engine.settings()) {
    setWindowTitle(tr("Preferences"));
    const EngineSettings& s = base_;

    auto* connection = new QGroupBox(tr("Connection"), this);
    auto* cf = new QFormLayout(connection);
    port_ = new QSpinBox(this);
    port_->setRange(0, 65535);
    port_->setSpecialValueText(tr("Any free port"));
    port_->setValue(s.listen_port);
    max_connections_ = new QSpinBox(this);
    max_connections_->setRange(1, 10000);
    max_connections_->setValue(s.max_connections);
    max_peers_ = new QSpinBox(this);
    max_peers_->setRange(1, 1000);
    max_peers_->setValue(s.max_peers_per_torrent);
    cf->addRow(tr("Listening port:"), port_);
    port_mapping_ = new QCheckBox(tr("Forward the port on my router (UPnP / NAT-PMP)"), this);
    port_mapping_->setChecked(s.port_mapping);
    port_mapping_->setToolTip(tr("Lets peers on the Internet connect to you through a home router"));
    cf->addRow(QString(), port_mapping_);
    interface_ = make_interface_box(s.network_interface, this);
    cf->addRow(tr("Network interface:"), interface_);
    cf->addRow(tr("Connections in total:"), max_connections_);
    cf->addRow(tr("Peers per torrent:"), max_peers_);
    dht_ = new QCheckBox(tr("DHT (find peers without a tracker)"), this);
    pex_ = new QCheckBox(tr("Peer exchange (PEX)"), this);
    lsd_ = new QCheckBox(tr("Local peer discovery"), this);
    // A switch the engine cannot honour shows off, not a promise.
    dht_->setChecked(s.dht && engine.supports(Feature::dht));
    pex_->setChecked(s.pex && engine.supports(Feature::pex));
    lsd_->setChecked(s.lsd && engine.supports(Feature::lsd));
    mark_unsupported(dht_, engine.supports(Feature::dht));
    mark_unsupported(pex_, engine.supports(Feature::pex));
    mark_unsupported(lsd_, engine.supports(Feature::lsd));
    // The engine has no session-wide connection cap yet; the per-torrent one it has.
    mark_unsupported(max_connections_, engine.supports(Feature::runtime_settings));
    for (auto* b : {dht_, pex_, lsd_})
        cf->addRow(QString(), b);
    // As qBittorrent's "Peer connection protocol".
    transports_ = new QComboBox(this);
    transports_->addItem(tr("TCP and uTP"), QStringLiteral("both"));
    transports_->addItem(tr("TCP only"), QStringLiteral("tcp"));
    transports_->addItem(tr("uTP only"), QStringLiteral("utp"));
    transports_->setToolTip(tr("uTP reaches peers that prefer it or accept nothing else, and yields "
                               "to other traffic on a busy link"));
    transports_->setCurrentIndex(
        transports_->findData(!s.utp ? QStringLiteral("tcp") : !s.tcp ? QStringLiteral("utp") : QStringLiteral("both")));
    cf->addRow(tr("Peer connections:"), transports_);
    mark_local_only(interface_, engine.supports(Feature::local_settings));
    mark_local_only(transports_, engine.supports(Feature::local_settings));
    encryption_ = new QComboBox(this);
    encryption_->addItem(tr("Prefer encrypted connections"), QStringLiteral("prefer"));
    encryption_->addItem(tr("Require encrypted connections"), QStringLiteral("require"));
    encryption_->addItem(tr("Plain connections only"), QStringLiteral("disable"));
    encryption_->setToolTip(tr("Message stream encryption (MSE/PE) with peers"));
    encryption_->setCurrentIndex(std::max(0, encryption_->findData(s.encryption)));
    cf->addRow(tr("Encryption:"), encryption_);

    auto* speed = new QGroupBox(tr("Speed"), this);
    auto* sf = new QFormLayout(speed);
    down_ = make_rate_box(s.down_limit, this);
    up_ = make_rate_box(s.up_limit, this);
    alt_down_ = make_rate_box(s.alt_down_limit, this);
    alt_up_ = make_rate_box(s.alt_up_limit, this);
    use_alt_ = new QCheckBox(tr("Use the alternative limits"), this);
    use_alt_->setChecked(s.use_alt_limits);
    sf->addRow(tr("Download limit:"), down_);
    sf->addRow(tr("Upload limit:"), up_);
    sf->addRow(tr("Alternative download limit:"), alt_down_);
    sf->addRow(tr("Alternative upload limit:"), alt_up_);
    sf->addRow(QString(), use_alt_);

    auto* downloads = new QGroupBox(tr("Downloads"), this);
    auto* df = new QFormLayout(downloads);
    save_dir_ = new QLineEdit(s.default_save_dir, this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* row = new QHBoxLayout;
    row->addWidget(save_dir_, 1);
    row->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d =
            QFileDialog::getExistingDirectory(this, tr("Default save folder"), save_dir_->text());
        if (!d.isEmpty())
            save_dir_->setText(d);
    });
    completion_ = new QComboBox(this);
    completion_->addItem(tr("Keep seeding"), int(CompletionAction::nothing));
    completion_->addItem(tr("Pause the torrent"), int(CompletionAction::pause));
    completion_->addItem(tr("Open its folder"), int(CompletionAction::open_folder));
    completion_->setCurrentIndex(completion_->findData(int(s.on_completion)));
    df->addRow(tr("Default save folder:"), row);
    df->addRow(tr("When a download completes:"), completion_);
    mark_local_only(completion_, engine.supports(Feature::local_settings));
    seed_ratio_ = new QDoubleSpinBox(this);
    seed_ratio_->setRange(0, 1000);
    seed_ratio_->setDecimals(2);
    seed_ratio_->setSingleStep(0.1);
    seed_ratio_->setSpecialValueText(tr("No limit"));
    seed_ratio_->setValue(s.seed_ratio_limit);
    seed_ratio_->setToolTip(tr("Uploaded over downloaded"));
    seed_minutes_ = new QSpinBox(this);
    seed_minutes_->setRange(0, 525600);
    seed_minutes_->setSuffix(tr(" min"));
    seed_minutes_->setSpecialValueText(tr("No limit"));
    seed_minutes_->setValue(s.seed_time_limit_minutes);
    df->addRow(tr("Pause seeding at ratio:"), seed_ratio_);
    df->addRow(tr("Pause seeding after:"), seed_minutes_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* columns = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    left->addWidget(connection);
    left->addStretch();
    auto* right = new QVBoxLayout;
    right->addWidget(speed);
    right->addWidget(downloads);
    right->addStretch();
    columns->addLayout(left);
    columns->addLayout(right);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addWidget(buttons);
}

EngineSettings PreferencesDialog::settings() const {
    EngineSettings s = base_;
    s.listen_port = port_->value();
    s.port_mapping = port_mapping_->isChecked();
    s.network_interface = interface_->currentData().toString();
    s.down_limit = rate_of(down_, base_.down_limit);
    s.up_limit = rate_of(up_, base_.up_limit);
    s.alt_down_limit = rate_of(alt_down_, base_.alt_down_limit);
    s.alt_up_limit = rate_of(alt_up_, base_.alt_up_limit);
    s.use_alt_limits = use_alt_->isChecked();
    s.max_connections = max_connections_->value();
    s.max_peers_per_torrent = max_peers_->value();
    s.dht = dht_->isChecked();
    s.pex = pex_->isChecked();
    s.lsd = lsd_->isChecked();
    const QString transports = transports_->currentData().toString();
    s.utp = transports != QStringLiteral("tcp");
    s.tcp = transports != QStringLiteral("utp");
    s.encryption = encryption_->currentData().toString();
    s.default_save_dir = save_dir_->text();
    s.on_completion = static_cast<CompletionAction>(completion_->currentData().toInt());
    s.seed_ratio_limit = seed_ratio_->value();
    s.seed_time_limit_minutes = seed_minutes_->value();
    return s;
}

}  // namespace shoal::gui
