// Screenshots under Xvfb of the main window with torrents in many states (FakeEngine), each
// properties tab and each dialog, saved as PNGs in the build folder. Each image must have
// real content, and no transfer-list cell or toolbar button may be cut short.
#include <QCheckBox>
#include <QDir>
#include <QHeaderView>
#include <QImage>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSvgRenderer>
#include <QToolBar>
#include <QToolButton>
#include <QtTest>
#include <cmath>

#include "app/main_window.hpp"
#include "app/resources.hpp"
#include "dialogs/add_torrent_dialog.hpp"
#include "dialogs/create_torrent_dialog.hpp"
#include "dialogs/limits_dialog.hpp"
#include "dialogs/preferences_dialog.hpp"
#include "fake_engine.hpp"
#include "gui_test_support.hpp"
#include "models/transfer_filter.hpp"
#include "models/transfer_model.hpp"
#include "widgets/properties_panel.hpp"
#include "widgets/status_bar.hpp"
#include "widgets/speed_graph.hpp"
#include "widgets/trackers_tab.hpp"
#include "widgets/transfer_view.hpp"

using namespace shoal::gui;
using namespace shoal::gui::test;

class ScreenshotsTest : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void icons_render();
    void main_window_and_tabs();
    void dialogs();
    void an_engine_without_optional_features();

  private:
    // Shows, checks and saves `widget`; `min` is the smallest sane size for it.
    void save(QWidget* widget, const QString& name, QSize min = {300, 150});
    QDir out_;
    QTemporaryDir tmp_;
};

namespace {

// Distinct colours in a sample of the image: a blank or one-colour widget has very few.
int colour_count(const QImage& image) {
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    }
    return colours.size();
}

}  // namespace

void ScreenshotsTest::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    init_resources();
    const QString dir =
        qEnvironmentVariable("SHOAL_SCREENSHOT_DIR", QDir::currentPath() + "/screenshots");
    QVERIFY(QDir().mkpath(dir));
    out_ = QDir(dir);
    QVERIFY(tmp_.isValid());
}

void ScreenshotsTest::save(QWidget* widget, const QString& name, QSize min) {
    widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(widget));
    QTest::qWait(50);
    const QImage image = widget->grab().toImage();
    QVERIFY2(
        image.width() >= min.width() && image.height() >= min.height(),
        qPrintable(QStringLiteral("%1 is %2x%3").arg(name).arg(image.width()).arg(image.height())));
    QVERIFY2(image.width() <= 1600 && image.height() <= 1000, qPrintable(name));
    const int colours = colour_count(image);
    QVERIFY2(colours >= 8, qPrintable(QStringLiteral("%1 has %2 colours").arg(name).arg(colours)));
    QVERIFY(image.save(out_.filePath(name + ".png")));
}

void ScreenshotsTest::icons_render() {
    for (const char* name : {"shoal", "add-file", "add-magnet", "create", "start", "pause",
                             "remove", "preferences", "folder"}) {
        const QString path = QStringLiteral(":/icons/%1.svg").arg(name);
        QSvgRenderer svg(path);
        QVERIFY2(svg.isValid(), qPrintable(path));
        QImage image(48, 48, QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        QPainter p(&image);
        svg.render(&p);
        p.end();
        int opaque = 0;
        for (int y = 0; y < 48; ++y) {
            for (int x = 0; x < 48; ++x)
                opaque += qAlpha(image.pixel(x, y)) > 128 ? 1 : 0;
        }
        // Visible strokes, but not a filled square.
        QVERIFY2(opaque > 48 * 48 / 20, qPrintable(path));
        QVERIFY2(opaque < 48 * 48 * 95 / 100 || QString(name) == "shoal", qPrintable(path));
    }
}

void ScreenshotsTest::main_window_and_tabs() {
    FakeEngine engine;
    auto add = [&](const char* name, TorrentStatus status, double progress, double down, double up,
                   int seeds, int peers, std::vector<std::int64_t> files = {700 << 20}) {
        FakeTorrent t;
        t.name = name;
        t.status = status;
        t.progress = progress;
        t.down_rate = down;
        t.up_rate = up;
        t.seeds = seeds;
        t.peers = peers;
        t.file_sizes = std::move(files);
        t.save_dir = "/home/user/Downloads";
        return engine.add_fake(t);
    };
    const TorrentKey selected = add("debian-12.5.0-amd64-netinst.iso", TorrentStatus::downloading,
                                    0.42, 3.2e6, 1.1e5, 14, 31);
    add("Big Buck Bunny (1080p)", TorrentStatus::seeding, 1.0, 0, 4.5e5, 0, 6,
        {900 << 20, 12 << 20, 40 << 10});
    add("archlinux-2026.11.01-x86_64.iso", TorrentStatus::paused, 0.73, 0, 0, 0, 0);
    const TorrentKey many_files =
        add("Public Domain Audiobooks", TorrentStatus::checking, 0.18, 0, 0, 0, 0,
            {30 << 20, 31 << 20, 29 << 20, 33 << 20, 28 << 20, 35 << 20});
    add("Sintel 4K", TorrentStatus::error, 0.05, 0, 0, 0, 0);
    engine.apply_settings(engine.settings());
    add("Linux kernel source 6.12", TorrentStatus::downloading, 0.91, 8.7e5, 2.0e4, 3, 9);
    add("Wikipedia dump 2026-10", TorrentStatus::seeding, 1.0, 0, 0, 0, 0,
        {std::int64_t{92} << 30});
    auto* row = const_cast<TorrentSnapshot*>(engine.find(TorrentKey{5}));
    row->error = "No space left on device";
    engine.clear_calls();

    MainWindow window(engine, nullptr);
    // Ninety simulated seconds, so the speed graph has a history.
    for (int i = 0; i < 90; ++i) {
        auto* fast = const_cast<TorrentSnapshot*>(engine.find(selected));
        fast->down_rate = 2.5e6 + 1.2e6 * std::sin(i / 9.0);
        engine.step();
    }
    shoal::NetworkState network;
    network.listening_on = "0.0.0.0:6881 and [::]:6881";
    network.port_mapping = {{"UPnP", "mapped", "203.0.113.1", 6881, ""},
                            {"NAT-PMP", "failed", "", 0, "the router does not speak NAT-PMP"}};
    network.external_address = "203.0.113.1";
    network.announce_port = 6881;
    engine.publish_network(network);
    window.resize(1280, 820);
    window.select(selected);
    save(&window, "main_window");
    save(window.status(), "status_bar", QSize(600, 16));
    network.interface = "wg0";
    network.interface_up = false;
    network.interface_problem = "wg0 is down";
    engine.publish_network(network);
    save(window.status(), "status_bar_interface_down", QSize(600, 16));

    // Every visible column wide enough for its header and its cells: nothing elided.
    TransferView* view = window.transfer_view();
    const QFontMetrics fm = view->fontMetrics();
    for (int c = 0; c < TransferModel::column_count; ++c) {
        if (view->header()->isSectionHidden(c))
            continue;
        const int width = view->header()->sectionSize(c);
        const QString title =
            window.transfer_model()->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
        QVERIFY2(fm.horizontalAdvance(title) + 12 <= width, qPrintable("header " + title));
        for (int r = 0; r < window.transfer_filter()->rowCount(); ++r) {
            const QString text = window.transfer_filter()->index(r, c).data().toString();
            QVERIFY2(
                fm.horizontalAdvance(text) + 10 <= width,
                qPrintable(
                    QStringLiteral("column %1 cuts '%2' (%3 px)").arg(title, text).arg(width)));
        }
    }
    // Toolbar buttons show their whole label.
    const auto buttons = window.findChild<QToolBar*>()->findChildren<QToolButton*>();
    QVERIFY(buttons.size() >= 7);
    for (QToolButton* b : buttons) {
        if (!b->isVisible() || b->text().isEmpty())
            continue;
        QVERIFY2(b->width() >= b->sizeHint().width(), qPrintable(b->text()));
    }

    const char* tabs[] = {"general", "trackers", "peers", "content", "speed"};
    for (int t = 0; t < 5; ++t) {
        // The Content tab shows a torrent with a folder of files.
        window.select(t == 3 ? many_files : selected);
        window.properties()->setCurrentIndex(t);
        save(window.properties(), QStringLiteral("tab_%1").arg(tabs[t]));
    }
    QVERIFY(window.properties()->speed_graph()->sample_count() > 0);
}

void ScreenshotsTest::dialogs() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    write_data(tmp_.filePath("Holiday Photos/beach/001.jpg"), 2'000'000);
    write_data(tmp_.filePath("Holiday Photos/beach/002.jpg"), 1'500'000, 'b');
    write_data(tmp_.filePath("Holiday Photos/notes.txt"), 4'000, 'n');
    const MadeTorrent t =
        make_torrent(tmp_.filePath("Holiday Photos"), tmp_.filePath("photos.torrent"));

    AddTorrentDialog* add = window.show_add_dialog(t.torrent_path);
    QVERIFY(add);
    save(add, "dialog_add_torrent");
    add->close();

    AddTorrentDialog* magnet = window.show_add_dialog(
        "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Some+Magnet");
    QVERIFY(magnet);
    save(magnet, "dialog_add_magnet");
    magnet->close();

    CreateTorrentDialog* create = window.show_create_dialog(tmp_.filePath("Holiday Photos"));
    create->trackers_edit()->setPlainText(
        "udp://tracker.example.org:6969/announce\n\nhttps://backup.example.net/announce");
    save(create, "dialog_create_torrent");
    create->close();

    PreferencesDialog* prefs = window.show_preferences();
    save(prefs, "dialog_preferences");
    prefs->close();

    LimitsDialog limits(1 << 20, 0, &window);
    save(&limits, "dialog_limits", QSize(200, 80));
}

void ScreenshotsTest::an_engine_without_optional_features() {
    // An engine without any of the optional features: each is greyed out, never pretended.
    FakeEngine engine;
    for (Feature f : {Feature::magnet_links, Feature::reannounce, Feature::rename_files,
                      Feature::edit_trackers, Feature::peer_details, Feature::alternative_limits,
                      Feature::runtime_settings, Feature::dht, Feature::pex, Feature::lsd}) {
        engine.set_supported(f, false);
    }
    FakeTorrent t;
    t.name = "ubuntu-24.04-desktop-amd64.iso";
    t.progress = 0.3;
    t.down_rate = 1.5e6;
    t.peers = 4;
    const TorrentKey key = engine.add_fake(t);
    MainWindow window(engine, nullptr);
    window.resize(1100, 700);
    window.select(key);
    window.properties()->setCurrentIndex(PropertiesPanel::trackers);
    save(&window, "limited_main_window");
    QCOMPARE(window.status()->text_of(2), QStringLiteral("DHT: off"));
    save(window.properties(), "limited_tab_trackers");
    const auto buttons = window.properties()->trackers_tab()->findChildren<QPushButton*>();
    QCOMPARE(buttons.size(), 3);
    for (QPushButton* b : buttons)
        QVERIFY(!b->isEnabled());
    window.properties()->setCurrentIndex(PropertiesPanel::peers);
    save(window.properties(), "limited_tab_peers");
    PreferencesDialog* prefs = window.show_preferences();
    QVERIFY(!prefs->dht_box()->isEnabled());
    QVERIFY(!prefs->dht_box()->isChecked());
    save(prefs, "limited_dialog_preferences");
    prefs->close();
    AddTorrentDialog* magnet = window.show_add_dialog(
        "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Waiting");
    QVERIFY(magnet);
    save(magnet, "limited_dialog_add_magnet");
    magnet->close();
    QVERIFY(engine.calls().isEmpty());  // no metadata fetch was asked of it
}

QTEST_MAIN(ScreenshotsTest)
#include "test_screenshots.moc"
