// The main window against FakeEngine: actions on the selection, context menu, saved list
// across a restart, single instance hand-over, completion, remembered column layout.
#include <QHeaderView>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

#include "app/main_window.hpp"
#include "app/resources.hpp"
#include "app/single_instance.hpp"
#include "app/torrent_actions.hpp"
#include "dialogs/add_torrent_dialog.hpp"
#include "fake_engine.hpp"
#include "gui_test_support.hpp"
#include "models/files_model.hpp"
#include "models/trackers_model.hpp"
#include "models/transfer_filter.hpp"
#include "models/transfer_model.hpp"
#include "widgets/content_tab.hpp"
#include "widgets/general_tab.hpp"
#include "models/peers_model.hpp"
#include "widgets/peers_tab.hpp"
#include "widgets/properties_panel.hpp"
#include "widgets/status_bar.hpp"
#include "widgets/trackers_tab.hpp"
#include "widgets/transfer_view.hpp"

using namespace shoal::gui;
using namespace shoal::gui::test;

class MainWindowTest : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void actions_act_on_the_selection();
    void context_menu_has_every_action();
    void duplicate_is_refused();
    void one_instance_per_profile();
    void second_instance_hands_over();
    void completion_notifies_and_applies_the_choice();
    void engine_problems_reach_the_status_bar();
    void status_bar_shows_the_network();
    void column_layout_is_remembered();
    void sidebar_and_search_filter();
    void properties_follow_the_selection();
    void tabs_send_tracker_and_file_changes();
    void peers_tab_adds_and_removes_web_seeds();
    void location_and_queue_moves_reach_the_engine();
    void drop_opens_the_add_dialog();

  private:
    AddRequest request_for(const QString& name);
    QTemporaryDir dir_;
};

void MainWindowTest::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    init_resources();
    QSettings().clear();
    QVERIFY(dir_.isValid());
}

AddRequest MainWindowTest::request_for(const QString& name) {
    write_data(dir_.filePath(name + "/x.bin"), 40'000);
    write_data(dir_.filePath(name + "/y.bin"), 30'000, 'y');
    const MadeTorrent t = make_torrent(dir_.filePath(name), dir_.filePath(name + ".torrent"));
    AddRequest r;
    r.info = t.info;
    r.torrent_bytes = t.bytes;
    r.save_dir = t.save_dir;
    return r;
}

void MainWindowTest::actions_act_on_the_selection() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    FakeTorrent a;
    a.name = "a";
    const TorrentKey ka = engine.add_fake(a);
    a.name = "b";
    a.status = TorrentStatus::paused;
    const TorrentKey kb = engine.add_fake(a);
    window.select(ka);
    QCOMPARE(window.selected_keys(), QList<TorrentKey>{ka});
    QVERIFY(window.actions()->pause()->isEnabled());
    QVERIFY(!window.actions()->start()->isEnabled());
    window.actions()->pause()->trigger();
    window.select(kb);
    window.actions()->start()->trigger();
    window.actions()->set_limits(2048, 1024);
    window.actions()->recheck_selected();
    window.actions()->reannounce_selected();
    QCOMPARE(window.actions()->copy_magnet(), engine.find(kb)->magnet);
    QVERIFY(engine.find(kb)->magnet.startsWith("magnet:?xt=urn:btih:"));
    window.actions()->remove_selected(true, false);
    QCOMPARE(engine.calls(), (QStringList{"pause 1", "resume 2", "limits 2 up=1024 down=2048",
                                          "recheck 2", "reannounce 2", "remove 2 with_data=1"}));
    QCOMPARE(window.transfer_model()->rowCount(), 1);
}

void MainWindowTest::context_menu_has_every_action() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    QMenu menu;
    window.actions()->fill_menu(menu);
    QStringList texts;
    for (QAction* a : menu.actions()) {
        if (!a->isSeparator())
            texts << a->text();
    }
    QCOMPARE(texts, (QStringList{"Start", "Pause", "Remove", "Remove With Data", "Force Recheck", "Reannounce",
                                 "Open Folder", "Set Location…", "Copy Magnet Link", "Set Limits…", "Queue"}));

    // Without a queue there is nothing to move in it.
    engine.set_supported(Feature::queue, false);
    QMenu plain;
    window.actions()->fill_menu(plain);
    for (QAction* a : plain.actions())
        QVERIFY(a->text() != QStringLiteral("Queue"));
}

void MainWindowTest::location_and_queue_moves_reach_the_engine() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    const AddResult first = window.add_torrent(request_for("first"));
    const AddResult second = window.add_torrent(request_for("second"));
    QVERIFY(first.ok() && second.ok());
    engine.clear_calls();
    window.select(second.key);
    window.actions()->set_location(dir_.filePath("elsewhere"), true);
    window.actions()->move_in_queue(shoal::control::QueueMove::top);
    QCOMPARE(engine.calls(),
             (QStringList{QStringLiteral("set_location %1 %2 move=1").arg(second.key.value).arg(dir_.filePath("elsewhere")),
                          QStringLiteral("move_in_queue %1 to=0").arg(second.key.value)}));
}

void MainWindowTest::duplicate_is_refused() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    const AddRequest r = request_for("twice");
    QVERIFY(window.add_torrent(r).ok());
    QVERIFY(!window.add_torrent(r).ok());
    QCOMPARE(engine.added.size(), 1u);
    QVERIFY(window.last_error().contains("already"));
}

void MainWindowTest::one_instance_per_profile() {
    // Another home is another profile (the data folder follows it).
    const QByteArray saved = qgetenv("HOME");
    qputenv("HOME", dir_.filePath("a").toUtf8());
    const QString a = SingleInstance::default_name();
    QCOMPARE(SingleInstance::default_name(), a);
    qputenv("HOME", dir_.filePath("b").toUtf8());
    const QString b = SingleInstance::default_name();
    qputenv("HOME", saved);
    QVERIFY2(a != b, qPrintable(a));
    QVERIFY(a.startsWith(QStringLiteral("shoal-")));
}

void MainWindowTest::second_instance_hands_over() {
    const QString name = QStringLiteral("shoal-test-%1").arg(QCoreApplication::applicationPid());
    SingleInstance first(name);
    QVERIFY(!first.send_to_running({"x"}, 200));  // nobody is running yet
    QVERIFY(first.listen());
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    connect(&first, &SingleInstance::arguments_received, &window, &MainWindow::handle_arguments);
    QSignalSpy spy(&first, &SingleInstance::arguments_received);
    const QString link = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=handed";
    SingleInstance second(name);
    QVERIFY(second.send_to_running({link}));
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy[0][0].toStringList(), QStringList{link});
    auto* dialog = window.findChild<AddTorrentDialog*>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    dialog->accept();
    QCOMPARE(engine.added.size(), 1u);
    QCOMPARE(engine.added[0].magnet, link);
}

void MainWindowTest::completion_notifies_and_applies_the_choice() {
    FakeEngine engine;
    EngineSettings s = engine.settings();
    s.on_completion = CompletionAction::pause;
    engine.apply_settings(s);
    engine.clear_calls();
    MainWindow window(engine, nullptr);
    FakeTorrent t;
    t.name = "almost";
    t.progress = 0.999;
    t.down_rate = 1 << 20;
    const TorrentKey key = engine.add_fake(t);
    QVERIFY(window.last_notification().isEmpty());
    engine.step();
    QVERIFY2(window.last_notification().contains("almost"), qPrintable(window.last_notification()));
    QCOMPARE(engine.calls(), QStringList{QStringLiteral("pause %1").arg(key.value)});
}

void MainWindowTest::engine_problems_reach_the_status_bar() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    Q_EMIT engine.problem(QStringLiteral("cannot save the torrent list: disk full"));
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("cannot save the torrent list: disk full"));
}

void MainWindowTest::status_bar_shows_the_network() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    StatusBar* bar = window.status();
    QCOMPARE(bar->text_of(4), QString());  // nothing said yet: nothing shown

    shoal::NetworkState n;
    n.listening_on = "0.0.0.0:6881 and [::]:6881";
    n.port_mapping = {{"UPnP", "mapped", "203.0.113.1", 6881, ""},
                      {"NAT-PMP", "failed", "", 0, "no default gateway"}};
    n.external_address = "203.0.113.1";
    n.announce_port = 6881;
    engine.publish_network(n);
    QCOMPARE(bar->text_of(4), QStringLiteral("Port 6881 forwarded (UPnP) · External 203.0.113.1"));
    const QString tip = bar->network_tooltip();
    QVERIFY2(tip.contains("Listening on 0.0.0.0:6881 and [::]:6881"), qPrintable(tip));
    QVERIFY2(tip.contains("UPnP: forwarded 203.0.113.1:6881"), qPrintable(tip));
    QVERIFY2(tip.contains("NAT-PMP: failed — no default gateway"), qPrintable(tip));
    QVERIFY2(tip.contains("Interface: any"), qPrintable(tip));
    QVERIFY(bar->text_of(2).startsWith("DHT: "));  // the rest stays

    n.port_mapping = {{"UPnP", "failed", "", 0, "no IGD found"},
                      {"NAT-PMP", "failed", "", 0, "no default gateway"}};
    n.external_address.clear();
    engine.publish_network(n);
    QCOMPARE(bar->text_of(4), QStringLiteral("Port forwarding failed: no IGD found"));
    QVERIFY(bar->network_tooltip().contains("UPnP: failed — no IGD found"));
    QVERIFY(bar->network_tooltip().contains("External address: not known yet"));

    n.port_mapping.clear();
    engine.publish_network(n);
    QCOMPARE(bar->text_of(4), QStringLiteral("Port forwarding off"));

    n.interface = "wg0";
    n.interface_up = false;
    n.interface_problem = "wg0 has no address";
    engine.publish_network(n);
    QCOMPARE(bar->text_of(4), QStringLiteral("Interface wg0 is down — no traffic"));
    QVERIFY2(bar->network_tooltip().contains("wg0 only, down (wg0 has no address)"),
             qPrintable(bar->network_tooltip()));

    n.interface_up = true;
    n.interface_problem.clear();
    engine.publish_network(n);
    QCOMPARE(bar->text_of(4), QStringLiteral("wg0 · Port forwarding off"));
}

void MainWindowTest::column_layout_is_remembered() {
    FakeEngine engine;
    {
        MainWindow window(engine, nullptr);
        window.transfer_view()->header()->setSectionHidden(TransferModel::ratio, true);
        window.transfer_view()->header()->resizeSection(TransferModel::name, 333);
        window.close();
    }
    MainWindow window(engine, nullptr);
    QVERIFY(window.transfer_view()->header()->isSectionHidden(TransferModel::ratio));
    QCOMPARE(window.transfer_view()->header()->sectionSize(TransferModel::name), 333);
    QVERIFY(!window.transfer_view()->header()->isSectionHidden(TransferModel::eta));
    window.transfer_view()->header()->setSectionHidden(TransferModel::ratio, false);
    window.close();
}

void MainWindowTest::sidebar_and_search_filter() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    FakeTorrent t;
    t.name = "Debian";
    engine.add_fake(t);
    t.name = "Fedora";
    t.status = TorrentStatus::seeding;
    t.progress = 1;
    engine.add_fake(t);
    QCOMPARE(window.transfer_filter()->rowCount(), 2);
    window.sidebar()->setCurrentIndex(window.status_model()->index(int(StatusFilter::seeding)));
    QCOMPARE(window.transfer_filter()->rowCount(), 1);
    window.sidebar()->setCurrentIndex(window.status_model()->index(0));
    window.search_box()->setText("deb");
    QCOMPARE(window.transfer_filter()->rowCount(), 1);
    QCOMPARE(window.transfer_filter()->index(0, 0).data().toString(), QStringLiteral("Debian"));
}

void MainWindowTest::properties_follow_the_selection() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    FakeTorrent t;
    t.name = "shown";
    t.progress = 0.25;
    const TorrentKey key = engine.add_fake(t);
    QVERIFY(!window.properties()->isEnabled());
    window.select(key);
    QVERIFY(window.properties()->isEnabled());
    const QString v1 = window.properties()->general_tab()->field_text("Info-hash v1");
    QCOMPARE(v1, QString::fromStdString(engine.find(key)->info->info_hash_v1->hex()));
    QVERIFY(window.properties()->general_tab()->field_text("Progress").startsWith("25.0%"));
    QVERIFY(window.status()->text_of(2).startsWith("DHT: "));
}

void MainWindowTest::tabs_send_tracker_and_file_changes() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    const AddResult added = window.add_torrent(request_for("tabs"));
    QVERIFY(added.ok());
    engine.clear_calls();
    window.select(added.key);

    window.properties()->setCurrentIndex(PropertiesPanel::trackers);
    TrackersTab* trackers = window.properties()->trackers_tab();
    QCOMPARE(trackers->model()->rowCount(), 1);
    trackers->add_tracker("udp://new.example:6969/announce");
    QCOMPARE(trackers->model()->rowCount(), 2);
    trackers->view()->setCurrentIndex(trackers->model()->index(1, 0));
    trackers->edit_selected("udp://renamed.example:6969/announce");
    trackers->remove_selected();
    QCOMPARE(trackers->model()->rowCount(), 1);

    window.properties()->setCurrentIndex(PropertiesPanel::content);
    FilesModel* files = window.properties()->content_tab()->model();
    const QModelIndex top = files->index(0, 0);
    QCOMPARE(top.data().toString(), QStringLiteral("tabs"));
    const QModelIndex y = files->index(1, 0, top);
    QCOMPARE(y.data().toString(), QStringLiteral("y.bin"));
    QVERIFY(files->setData(y, Qt::Unchecked, Qt::CheckStateRole));
    const int y_file = y.data(FilesModel::file_role).toInt();

    QCOMPARE(
        engine.calls(),
        (QStringList{
            QStringLiteral("add_tracker %1 udp://new.example:6969/announce tier=1")
                .arg(added.key.value),
            QStringLiteral("edit_tracker %1 udp://new.example:6969/announce "
                           "udp://renamed.example:6969/announce")
                .arg(added.key.value),
            QStringLiteral("remove_tracker %1 udp://renamed.example:6969/announce")
                .arg(added.key.value),
            QStringLiteral("priority %1 file=%2 priority=0").arg(added.key.value).arg(y_file)}));
}

void MainWindowTest::peers_tab_adds_and_removes_web_seeds() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    const AddResult added = window.add_torrent(request_for("seeds"));
    QVERIFY(added.ok());
    engine.clear_calls();
    window.select(added.key);
    window.properties()->setCurrentIndex(PropertiesPanel::peers);
    PeersTab* peers = window.properties()->peers_tab();

    const QString url = QStringLiteral("https://mirror.example/pub/");
    peers->add_web_seed(url);
    QVERIFY(!engine.add_web_seed(added.key, QStringLiteral("ftp://mirror.example/")).isEmpty());
    QVERIFY(engine.add_web_seed(added.key, url).contains(QStringLiteral("already")));
    engine.publish_web_seeds(added.key);
    peers->show_torrent(added.key);
    int row = -1;
    for (int r = 0; r < peers->model()->rowCount(); ++r) {
        if (peers->model()->index(r, PeersModel::address).data().toString() == url)
            row = r;
    }
    QVERIFY(row >= 0);
    QVERIFY(peers->model()->index(row, PeersModel::client).data().toString().contains(QStringLiteral("downloading")));
    QVERIFY(!peers->remove_button()->isEnabled());
    peers->select_row(row);
    QVERIFY(peers->remove_button()->isEnabled());
    peers->remove_selected_web_seed();
    for (int r = 0; r < peers->model()->rowCount(); ++r)
        QVERIFY(peers->model()->index(r, PeersModel::address).data().toString() != url);
    const QString key = QString::number(added.key.value);
    QCOMPARE(engine.calls(), (QStringList{"add_web_seed " + key + " " + url, "add_web_seed " + key + " ftp://mirror.example/",
                                          "add_web_seed " + key + " " + url, "remove_web_seed " + key + " " + url}));
}

void MainWindowTest::drop_opens_the_add_dialog() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    request_for("dropped");
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(dir_.filePath("dropped.torrent"))});
    // Qt delivers a drop to the widget that accepted the drag's entry, so enter first.
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    auto* dialog = window.findChild<AddTorrentDialog*>();
    QVERIFY2(dialog, qPrintable(window.last_error()));
    dialog->accept();
    QCOMPARE(engine.added.size(), 1u);
    QCOMPARE(QString::fromStdString(engine.added[0].info->name), QStringLiteral("dropped"));
}

QTEST_MAIN(MainWindowTest)
#include "test_main_window.moc"
