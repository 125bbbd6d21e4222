// The window adds a torrent that a local `shoal-cli seed` serves, and shows it complete.
// Runs a real session: ctest starts it inside a private network namespace (netns_run.sh).
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include "app/main_window.hpp"
#include "app/resources.hpp"
#include "app/torrent_actions.hpp"
#include "control/torrent_list_store.hpp"
#include "dialogs/add_torrent_dialog.hpp"
#include "engine/session_engine.hpp"
#include "gui_test_support.hpp"
#include "models/transfer_model.hpp"
#include "widgets/properties_panel.hpp"
#include "widgets/trackers_tab.hpp"

using namespace shoal::gui;
using namespace shoal::gui::test;

class EndToEndTest : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void downloads_from_a_local_seed();
    void downloads_a_magnet_link();
    void keeps_the_list_an_older_version_saved();

  private:
    QTemporaryDir dir_;
};

void EndToEndTest::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    init_resources();
    QVERIFY(dir_.isValid());
}

void EndToEndTest::downloads_from_a_local_seed() {
    const QByteArray cli = qgetenv("SHOAL_CLI");
    QVERIFY2(!cli.isEmpty(), "SHOAL_CLI names the shoal-cli binary");
    const QString seed_dir = dir_.filePath("seed");
    const QString data = seed_dir + "/payload.bin";
    write_data(data, 3 * 1024 * 1024 + 12345);

    QProcess seeder;
    seeder.start(QString::fromLocal8Bit(cli), {"seed", data, "--listen", "127.0.0.1", "--port", "0",
                                               "--no-dht", "--no-lsd", "--v1", "-v", "-t",
                                               "http://127.0.0.1:9/announce"});
    QVERIFY(seeder.waitForStarted());
    // `-v` prints "listening on HOST:PORT" on stderr once the torrent is made and served.
    QString err;
    QRegularExpressionMatch port;
    QTRY_VERIFY_WITH_TIMEOUT(
        (err += QString::fromLocal8Bit(seeder.readAllStandardError()),
         (port = QRegularExpression("listening on 127\\.0\\.0\\.1:(\\d+)").match(err)).hasMatch()),
        30000);
    const QString torrent = data + ".torrent";
    QVERIFY(QFile::exists(torrent));

    EngineSettings settings;
    settings.listen_port = 0;
    settings.dht = false;
    settings.lsd = false;
    settings.default_save_dir = dir_.filePath("downloads");
    QDir().mkpath(settings.default_save_dir);
    const QString state = dir_.filePath("state");
    const QString no_old_list = dir_.filePath("no-old-list");
    SessionEngine engine(settings, "127.0.0.1", nullptr, state, no_old_list);
    MainWindow window(engine, nullptr);
    window.show();

    AddTorrentDialog* dialog = window.show_add_dialog(torrent);
    QVERIFY(dialog);
    QCOMPARE(dialog->save_dir_edit()->text(), settings.default_save_dir);
    AddRequest request = dialog->request();
    dialog->close();
    request.peers << QStringLiteral("127.0.0.1:%1").arg(port.captured(1));
    const AddResult added = window.add_torrent(request);
    QVERIFY2(added.ok(), qPrintable(added.error));
    window.select(added.key);

    const int row = engine.row_of(added.key);
    auto cell = [&](int column) {
        return window.transfer_model()->index(row, column).data().toString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(engine.find(added.key)->finished, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(cell(TransferModel::status), QStringLiteral("Seeding"), 5000);
    QCOMPARE(cell(TransferModel::progress), QStringLiteral("100.0%"));
    QCOMPARE(cell(TransferModel::name), QStringLiteral("payload.bin"));

    QFile got(settings.default_save_dir + "/payload.bin");
    QVERIFY(got.open(QIODevice::ReadOnly));
    QFile want(data);
    QVERIFY(want.open(QIODevice::ReadOnly));
    QVERIFY(got.readAll() == want.readAll());

    // The bar shows every piece once the engine says it is seeding.
    bool exact = false;
    const auto pieces = engine.pieces(added.key, &exact);
    QVERIFY(exact);
    QVERIFY(std::all_of(pieces.begin(), pieces.end(), [](std::uint8_t p) { return p != 0; }));
    // The torrent's one tracker is listed, and its failure (a closed port) reported.
    QCOMPARE(engine.trackers(added.key).size(), 1u);
    QTRY_COMPARE_WITH_TIMEOUT(engine.trackers(added.key)[0].status, QStringLiteral("Failed"),
                              20000);
    QVERIFY(!engine.trackers(added.key)[0].message.isEmpty());
    // The session's own view of the tracker: when it will be asked again.
    QTRY_VERIFY_WITH_TIMEOUT(engine.trackers(added.key)[0].next_announce.isValid(), 5000);
    QVERIFY(engine.supports(Feature::reannounce));
    window.actions()->reannounce_selected();

    // Trackers change while the torrent runs: the session announces to the new one at once.
    QVERIFY(engine.supports(Feature::edit_trackers));
    const QString added_tracker = QStringLiteral("http://127.0.0.1:10/announce");
    QCOMPARE(engine.add_tracker(added.key, added_tracker, 1), QString());
    QVERIFY(!engine.add_tracker(added.key, QStringLiteral("not a tracker"), 0).isEmpty());
    QCOMPARE(engine.remove_tracker(added.key, QStringLiteral("http://127.0.0.1:9/announce")), QString());
    QTRY_VERIFY_WITH_TIMEOUT(engine.trackers(added.key).size() == 1 &&
                                 engine.trackers(added.key)[0].url == added_tracker &&
                                 engine.trackers(added.key)[0].status == QStringLiteral("Failed"),
                             20000);

    // A rename moves the file on disk, keeps seeding it, and is remembered for the next start.
    QVERIFY(engine.supports(Feature::rename_files));
    QVERIFY(!engine.rename_file(added.key, 0, QStringLiteral("../escape.bin")).isEmpty());
    QCOMPARE(engine.rename_file(added.key, 0, QStringLiteral("renamed.bin")), QString());
    const QString renamed = settings.default_save_dir + "/renamed.bin";
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(renamed), 5000);
    QVERIFY(!QFile::exists(settings.default_save_dir + "/payload.bin"));
    QTRY_COMPARE_WITH_TIMEOUT(cell(TransferModel::name), QStringLiteral("renamed.bin"), 5000);
    std::vector<shoal::Error> problems;
    const auto stored = shoal::control::TorrentListStore(state.toStdString()).load(problems);
    QCOMPARE(stored.size(), 1u);
    QCOMPARE(stored[0].file_names.at(0), std::string("renamed.bin"));
    QVERIFY(stored[0].trackers.has_value());
    QCOMPARE(stored[0].trackers->size(), 1u);
    QCOMPARE(stored[0].trackers->at(0), std::vector<std::string>{added_tracker.toStdString()});

    // Pause and resume go through the real session and come back as its state.
    window.actions()->pause_selected();
    QTRY_COMPARE_WITH_TIMEOUT(cell(TransferModel::status), QStringLiteral("Paused"), 10000);
    window.actions()->start_selected();
    QTRY_COMPARE_WITH_TIMEOUT(cell(TransferModel::status), QStringLiteral("Seeding"), 10000);

    seeder.terminate();
    QVERIFY(seeder.waitForFinished(15000));

    // The next start finds the torrent, under its new name, complete on disk.
    SessionEngine next_engine(settings, "127.0.0.1", nullptr, state, no_old_list);
    MainWindow next(next_engine, nullptr);
    next.restore_torrents();
    QCOMPARE(next_engine.torrents().size(), 1u);
    const TorrentKey again = next_engine.torrents()[0].key;
    QTRY_VERIFY_WITH_TIMEOUT(next_engine.find(again)->finished, 20000);
    QCOMPARE(next_engine.find(again)->name, QStringLiteral("renamed.bin"));
    // With the trackers as they were edited, not the torrent file's.
    QTRY_VERIFY_WITH_TIMEOUT(next_engine.trackers(again).size() == 1 &&
                                 next_engine.trackers(again)[0].url == added_tracker,
                             10000);
}

void EndToEndTest::downloads_a_magnet_link() {
    const QByteArray cli = qgetenv("SHOAL_CLI");
    QVERIFY2(!cli.isEmpty(), "SHOAL_CLI names the shoal-cli binary");
    const QString data = dir_.filePath("magnet-seed/album.bin");
    write_data(data, 2 * 1024 * 1024 + 777);
    QProcess seeder;
    seeder.start(QString::fromLocal8Bit(cli), {"seed", data, "--listen", "127.0.0.1", "--port", "0",
                                               "--no-dht", "--no-lsd", "-v"});
    QVERIFY(seeder.waitForStarted());
    // The magnet link goes to stdout, "listening on HOST:PORT" to stderr.
    QString out;
    QString err;
    QRegularExpressionMatch magnet;
    QRegularExpressionMatch port;
    QTRY_VERIFY_WITH_TIMEOUT(
        (out += QString::fromLocal8Bit(seeder.readAllStandardOutput()),
         err += QString::fromLocal8Bit(seeder.readAllStandardError()),
         (magnet = QRegularExpression("magnet: (\\S+)").match(out)).hasMatch() &&
             (port = QRegularExpression("listening on 127\\.0\\.0\\.1:(\\d+)").match(err)).hasMatch()),
        30000);

    EngineSettings settings;
    settings.listen_port = 0;
    settings.dht = false;
    settings.lsd = false;
    SessionEngine engine(settings, "127.0.0.1", nullptr, dir_.filePath("magnet-state"),
                         dir_.filePath("no-old-list"));
    QVERIFY(engine.supports(Feature::magnet_links));
    MainWindow window(engine, nullptr);
    AddRequest r;
    r.magnet = magnet.captured(1);
    r.save_dir = dir_.filePath("magnet-out");
    r.peers << QStringLiteral("127.0.0.1:%1").arg(port.captured(1));
    const AddResult added = window.add_torrent(r);
    QVERIFY2(added.ok(), qPrintable(added.error));
    QCOMPARE(engine.find(added.key)->status, TorrentStatus::metadata);
    // The metadata comes from the seed, then the data.
    QTRY_VERIFY_WITH_TIMEOUT(engine.find(added.key)->finished, 60000);
    QCOMPARE(engine.find(added.key)->name, QStringLiteral("album.bin"));
    QVERIFY(engine.find(added.key)->info);
    QFile got(r.save_dir + "/album.bin");
    QVERIFY(got.open(QIODevice::ReadOnly));
    QFile want(data);
    QVERIFY(want.open(QIODevice::ReadOnly));
    QVERIFY(got.readAll() == want.readAll());
    seeder.terminate();
    QVERIFY(seeder.waitForFinished(15000));
}

// Before the control layer the client kept its list in torrents.json beside copies of the
// .torrent files; the first start after the update brings those torrents back as they were.
void EndToEndTest::keeps_the_list_an_older_version_saved() {
    const QString data = dir_.filePath("old-data/kept");
    write_data(data + "/x.bin", 40'000);
    write_data(data + "/y.bin", 30'000, 'y');
    const QString old = dir_.filePath("old-store");
    QDir().mkpath(old);
    const MadeTorrent t = make_torrent(data, dir_.filePath("kept.torrent"));
    const QString id = QString::fromStdString(t.info->info_hash_v1->hex());
    QVERIFY(QFile::copy(t.torrent_path, old + "/" + id + ".torrent"));
    QJsonArray priorities;
    for (std::size_t i = 0; i < t.info->files.size(); ++i)
        priorities.append(i == 0 ? 0 : 4);
    const QDateTime added_on = QDateTime::currentDateTime().addDays(-3);
    QJsonObject entry{{"file", id + ".torrent"},
                      {"save_dir", dir_.filePath("old-data")},
                      {"paused", true},
                      {"sequential", true},
                      {"added_on", added_on.toString(Qt::ISODate)},
                      {"priorities", priorities},
                      {"file_names", QJsonObject{}}};
    QFile index(old + "/torrents.json");
    QVERIFY(index.open(QIODevice::WriteOnly));
    index.write(QJsonDocument(QJsonObject{{id, entry}}).toJson());
    index.close();

    EngineSettings settings;
    settings.listen_port = 0;
    settings.dht = false;
    settings.lsd = false;
    SessionEngine engine(settings, "127.0.0.1", nullptr, dir_.filePath("migrated-state"), old);
    MainWindow window(engine, nullptr);
    window.restore_torrents();
    QCOMPARE(window.last_error(), QString());
    QCOMPARE(engine.torrents().size(), 1u);
    const TorrentSnapshot& back = engine.torrents()[0];
    QCOMPARE(back.name, QStringLiteral("kept"));
    QCOMPARE(back.save_dir, dir_.filePath("old-data"));
    QVERIFY(back.sequential);
    QCOMPARE(back.added_on.toSecsSinceEpoch(), added_on.toSecsSinceEpoch());
    QCOMPARE(engine.file_priorities(back.key).at(0), 0);
    QTRY_COMPARE_WITH_TIMEOUT(engine.find(back.key)->status, TorrentStatus::paused, 10000);
}

QTEST_MAIN(EndToEndTest)
#include "test_end_to_end.moc"
