// Dialogs produce the right engine calls (against FakeEngine).
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "app/main_window.hpp"
#include "app/resources.hpp"
#include "app/settings_store.hpp"
#include "dialogs/add_torrent_dialog.hpp"
#include "dialogs/create_torrent_dialog.hpp"
#include "dialogs/limits_dialog.hpp"
#include "dialogs/preferences_dialog.hpp"
#include "fake_engine.hpp"
#include "gui_test_support.hpp"
#include "creation/create_torrent.hpp"
#include "metainfo/torrent_info.hpp"
#include "models/files_model.hpp"

using namespace shoal::gui;
using namespace shoal::gui::test;

class DialogsTest : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void add_file_with_choices();
    void add_rejects_a_bad_file();
    void add_magnet_then_metadata();
    void create_torrent_with_every_option();
    void create_can_be_cancelled();
    void piece_count_follows_the_choice();
    void preferences_reach_the_engine();
    void limits_dialog_in_bytes();
    void limits_from_a_daemon_keep_their_bytes();
    void network_preferences_round_trip();

  private:
    QTemporaryDir dir_;
};

void DialogsTest::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    init_resources();
    QVERIFY(dir_.isValid());
}

void DialogsTest::add_file_with_choices() {
    const QString data = dir_.filePath("album");
    write_data(data + "/one.bin", 100'000);
    write_data(data + "/two.bin", 50'000, 'k');
    write_data(data + "/three.bin", 20'000, 'q');
    const MadeTorrent t = make_torrent(data, dir_.filePath("album.torrent"));

    FakeEngine engine;
    MainWindow window(engine, nullptr);
    AddTorrentDialog* dialog = window.show_add_dialog(t.torrent_path);
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->files()->rowCount(), 1);  // the album folder
    const QModelIndex top = dialog->files()->index(0, 0);
    QCOMPARE(dialog->files()->rowCount(top), 3);
    // Files are sorted by name inside the torrent: one, three, two.
    const QModelIndex three = dialog->files()->index(1, 0, top);
    QCOMPARE(three.data().toString(), QStringLiteral("three.bin"));
    QVERIFY(dialog->files()->setData(three, Qt::Unchecked, Qt::CheckStateRole));
    dialog->save_dir_edit()->setText("/srv/downloads");
    dialog->paused_box()->setChecked(true);
    dialog->sequential_box()->setChecked(true);
    dialog->accept();

    QCOMPARE(engine.calls().size(), 1);
    QVERIFY2(engine.calls()[0].startsWith(
                 "add album save=/srv/downloads paused=1 skip_check=0 sequential=1 priorities="),
             qPrintable(engine.calls()[0]));
    QCOMPARE(engine.added.size(), 1u);
    // One priority per entry of the torrent (pad files included): only three.bin is skipped.
    const auto& files = t.info->files;
    const auto& priorities = engine.added[0].file_priorities;
    QCOMPARE(priorities.size(), files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        const bool three = !files[i].pad && files[i].path.back() == "three.bin";
        QCOMPARE(priorities[i], three ? k_priority_skip : k_priority_normal);
    }
    QCOMPARE(engine.added[0].torrent_bytes, t.bytes);
    QCOMPARE(engine.torrents().size(), 1u);
    QCOMPARE(engine.torrents()[0].status, TorrentStatus::paused);
}

void DialogsTest::add_rejects_a_bad_file() {
    const QString bad = dir_.filePath("bad.torrent");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("d4:infoi3ee");
    f.close();
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    QVERIFY(!window.show_add_dialog(bad));
    QVERIFY2(window.last_error().contains("not a valid torrent"), qPrintable(window.last_error()));
    QVERIFY(engine.calls().isEmpty());
}

void DialogsTest::add_magnet_then_metadata() {
    FakeEngine engine;
    const QString link = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Big+Set";
    {
        AddTorrentDialog dialog(engine, "/tmp");
        QVERIFY(dialog.load_magnet(link));
        QCOMPARE(engine.calls(), QStringList{"fetch_metadata " + link});
        QCOMPARE(dialog.files()->rowCount(), 0);
        QVERIFY(!dialog.skip_check_box()->isEnabled());
        // Metadata for another link is not this dialog's.
        engine.deliver_metadata("magnet:?xt=urn:btih:ffffffffffffffffffffffffffffffffffffffff",
                                make_fake_info("Other", {1}));
        QCOMPARE(dialog.files()->rowCount(), 0);
        engine.deliver_metadata(link, make_fake_info("Big Set", {10, 20}));
        QCOMPARE(dialog.files()->rowCount(), 1);
        QVERIFY(dialog.skip_check_box()->isEnabled());
        QVERIFY(dialog.request().info);
        QVERIFY(!dialog.load_magnet("magnet:?dn=no-hash"));
        QVERIFY(!dialog.error().isEmpty());
    }
    engine.clear_calls();
    {
        // Closed before the metadata came: the fetch is called off.
        AddTorrentDialog dialog(engine, "/tmp");
        QVERIFY(dialog.load_magnet(link));
    }
    QCOMPARE(engine.calls(), (QStringList{"fetch_metadata " + link, "cancel_metadata " + link}));

    MainWindow window(engine, nullptr);
    AddTorrentDialog* shown = window.show_add_dialog(link);
    QVERIFY(shown);
    shown->accept();
    QCOMPARE(engine.added.size(), 1u);
    QCOMPARE(engine.added[0].magnet, link);
    QVERIFY(!engine.added[0].info);
}

void DialogsTest::create_torrent_with_every_option() {
    const QString data = dir_.filePath("share");
    write_data(data + "/a.txt", 300'000);
    write_data(data + "/b/c.txt", 70'000, 'z');
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    CreateTorrentDialog* dialog = window.show_create_dialog(data);
    QVERIFY(dialog);
    QCOMPARE(dialog->output_edit()->text(), data + ".torrent");
    dialog->format_box()->setCurrentIndex(
        dialog->format_box()->findData(int(shoal::TorrentFormat::v2)));
    dialog->trackers_edit()->setPlainText(
        "http://a.example/announce\nhttp://b.example/announce\n\nudp://c.example:6969");
    dialog->web_seeds_edit()->setPlainText("http://seed.example/files/");
    dialog->private_box()->setChecked(true);
    dialog->comment_edit()->setText("holiday");
    dialog->source_tag_edit()->setText("ORG");
    dialog->seed_box()->setChecked(true);
    QSignalSpy created(dialog, &CreateTorrentDialog::created);
    QVERIFY(dialog->start());
    QVERIFY(created.wait(20000));

    auto info = shoal::load_torrent((data + ".torrent").toStdString());
    QVERIFY(info.ok());
    QVERIFY(info->has_v2());
    QVERIFY(!info->has_v1());
    QVERIFY(info->is_private);
    QCOMPARE(info->comment, std::string("holiday"));
    QCOMPARE(info->source, std::string("ORG"));
    QCOMPARE(info->trackers.size(), 2u);
    QCOMPARE(info->trackers[0].size(), 2u);
    QCOMPARE(info->trackers[1][0], std::string("udp://c.example:6969"));
    QCOMPARE(info->web_seeds.size(), 1u);
    // Start seeding: added without a hash check, from the folder that holds the data.
    QCOMPARE(engine.added.size(), 1u);
    QVERIFY(engine.added[0].skip_check);
    QCOMPARE(QDir(engine.added[0].save_dir).absolutePath(), QDir(dir_.path()).absolutePath());
}

void DialogsTest::create_can_be_cancelled() {
    const QString data = dir_.filePath("big.bin");
    {
        QFile f(data);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(qint64{1} << 30));  // sparse: reads are cheap but take a while to hash
    }
    CreateTorrentDialog dialog;
    dialog.set_source(data);
    QSignalSpy failed(&dialog, &CreateTorrentDialog::failed);
    QSignalSpy created(&dialog, &CreateTorrentDialog::created);
    QVERIFY(dialog.start());
    QVERIFY(dialog.running());
    dialog.reject();  // the Cancel button
    QVERIFY(failed.wait(20000));
    QCOMPARE(failed[0][0].toString(), QStringLiteral("Cancelled"));
    QCOMPARE(created.count(), 0);
    QVERIFY(!QFile::exists(data + ".torrent"));
}

void DialogsTest::piece_count_follows_the_choice() {
    const QString data = dir_.filePath("one-mib.bin");
    write_data(data, 1 << 20);
    CreateTorrentDialog dialog;
    dialog.set_source(data);
    QVERIFY2(dialog.piece_count_label()->text().contains("pieces of 16.0 KiB"),
             qPrintable(dialog.piece_count_label()->text()));
    dialog.piece_box()->setCurrentIndex(dialog.piece_box()->findData(qlonglong(256 * 1024)));
    QCOMPARE(dialog.piece_count_label()->text(), QStringLiteral("4 pieces"));
}

void DialogsTest::preferences_reach_the_engine() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    PreferencesDialog* dialog = window.show_preferences();
    QVERIFY(dialog);
    dialog->port_box()->setValue(51413);
    dialog->down_box()->setValue(500);
    dialog->alt_box()->setChecked(true);
    dialog->dht_box()->setChecked(false);
    dialog->save_dir_edit()->setText("/data/incoming");
    dialog->completion_box()->setCurrentIndex(1);
    QCOMPARE(dialog->encryption_box()->currentData().toString(), QStringLiteral("prefer"));
    dialog->encryption_box()->setCurrentIndex(dialog->encryption_box()->findData(QStringLiteral("require")));
    QCOMPARE(dialog->seed_ratio_box()->text(), QStringLiteral("No limit"));
    dialog->seed_ratio_box()->setValue(2.5);
    dialog->seed_minutes_box()->setValue(90);
    QCOMPARE(dialog->transports_box()->currentText(), QStringLiteral("TCP and uTP"));
    dialog->transports_box()->setCurrentIndex(dialog->transports_box()->findData(QStringLiteral("utp")));
    dialog->accept();
    QCOMPARE(engine.calls().size(), 1);
    QCOMPARE(
        engine.calls()[0],
        QStringLiteral("settings port=51413 down=512000 up=0 alt=1 dht=0 save=/data/incoming"));
    QCOMPARE(engine.settings().on_completion, CompletionAction::pause);
    QCOMPARE(engine.settings().encryption, QStringLiteral("require"));
    QCOMPARE(engine.settings().seed_ratio_limit, 2.5);
    QCOMPARE(engine.settings().seed_time_limit_minutes, 90);
    QCOMPARE(engine.settings().utp, true);
    QCOMPARE(engine.settings().tcp, false);
}

void DialogsTest::network_preferences_round_trip() {
    FakeEngine engine;
    MainWindow window(engine, nullptr);
    PreferencesDialog* dialog = window.show_preferences();
    QVERIFY(dialog->port_mapping_box()->isChecked());  // on by default
    QCOMPARE(dialog->port_mapping_box()->text(), QStringLiteral("Forward the port on my router (UPnP / NAT-PMP)"));
    QComboBox* box = dialog->interface_box();
    QCOMPARE(box->currentText(), QStringLiteral("Any interface"));
    QCOMPARE(box->currentData().toString(), QString());
    // Every interface of the system is offered by its name.
    const auto all = QNetworkInterface::allInterfaces();
    QVERIFY(!all.isEmpty());
    QCOMPARE(box->count(), static_cast<int>(1 + all.size()));
    const QString present = all.back().name();
    const int index = box->findData(present);
    QVERIFY(index > 0);
    QVERIFY2(box->itemText(index).startsWith(present), qPrintable(box->itemText(index)));
    dialog->port_mapping_box()->setChecked(false);
    box->setCurrentIndex(index);
    dialog->accept();
    QCOMPARE(engine.settings().port_mapping, false);
    QCOMPARE(engine.settings().network_interface, present);
    // Saved for the next start.
    const EngineSettings loaded = load_settings();
    QCOMPARE(loaded.port_mapping, false);
    QCOMPARE(loaded.network_interface, present);
    // Opened again, the dialog shows what was chosen.
    PreferencesDialog reopened(engine);
    QVERIFY(!reopened.port_mapping_box()->isChecked());
    QCOMPARE(reopened.interface_box()->currentData().toString(), present);

    // A stored interface the system has not now (a VPN not connected) stays chosen, marked.
    EngineSettings s = engine.settings();
    s.network_interface = QStringLiteral("shoaltest9");
    s.port_mapping = true;
    save_settings(s);
    engine.apply_settings(load_settings());
    PreferencesDialog absent(engine);
    QVERIFY(absent.port_mapping_box()->isChecked());
    QCOMPARE(absent.interface_box()->currentText(), QStringLiteral("shoaltest9 (not present)"));
    QCOMPARE(absent.settings().network_interface, QStringLiteral("shoaltest9"));
    absent.interface_box()->setCurrentIndex(0);
    QCOMPARE(absent.settings().network_interface, QString());
}

void DialogsTest::limits_dialog_in_bytes() {
    LimitsDialog dialog(3 * 1024 * 1024, 0);
    QCOMPARE(dialog.down_box()->value(), 3072);
    QCOMPARE(dialog.up_box()->text(), QStringLiteral("Unlimited"));
    dialog.up_box()->setValue(64);
    QCOMPARE(dialog.up_limit(), 64 * 1024);
    QCOMPARE(dialog.down_limit(), 3 * 1024 * 1024);
}

// A daemon's limits are whole kB/s, no whole number of KiB/s: each is shown to the nearest
// KiB/s (never "Unlimited" for a limit), and comes back to the byte when left as shown.
void DialogsTest::limits_from_a_daemon_keep_their_bytes() {
    LimitsDialog dialog(102'000, 300);
    QCOMPARE(dialog.down_box()->value(), 100);  // 99.6 KiB/s
    QCOMPARE(dialog.up_box()->value(), 1);
    QCOMPARE(dialog.down_limit(), 102'000);
    QCOMPARE(dialog.up_limit(), 300);
    dialog.down_box()->setValue(147);
    QCOMPARE(dialog.down_limit(), 147 * 1024);

    FakeEngine engine;
    EngineSettings s = engine.settings();
    s.down_limit = 102'000;
    s.alt_up_limit = 50'000;  // Transmission's 50 kB/s
    QCOMPARE(engine.apply_settings(s), QString());
    PreferencesDialog preferences(engine);
    QCOMPARE(preferences.down_box()->value(), 100);
    const EngineSettings unchanged = preferences.settings();
    QCOMPARE(unchanged.down_limit, 102'000);
    QCOMPARE(unchanged.alt_up_limit, 50'000);
    preferences.down_box()->setValue(99);
    QCOMPARE(preferences.settings().down_limit, 99 * 1024);
}

QTEST_MAIN(DialogsTest)
#include "test_dialogs.moc"
