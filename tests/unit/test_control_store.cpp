// The torrent list in the state folder: records round-trip, damage costs one torrent, and the
// desktop client's old list is migrated once.
#include <gtest/gtest.h>

#include <fstream>

#include "control/desktop_store_migration.hpp"
#include "control/torrent_list_store.hpp"
#include "creation/create_torrent.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;
using namespace shoal::control;
using test::TempDir;
using test::write_file;

namespace {

void put(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

CreatedTorrent make_torrent(const fs::path& dir, unsigned seed) {
    write_file(dir / ("data" + std::to_string(seed)) / "a.bin", 40'000, seed);
    write_file(dir / ("data" + std::to_string(seed)) / "b.bin", 10'000, seed + 1);
    CreateOptions o;
    o.format = TorrentFormat::v1;  // no pad files: the file indices are the ones written
    o.trackers = {{"http://tracker.example/announce"}};
    auto created = create_torrent(dir / ("data" + std::to_string(seed)), o);
    EXPECT_TRUE(created) << created.error().message;
    return std::move(*created);
}

StoredTorrent record_of(const CreatedTorrent& c) {
    StoredTorrent t;
    t.id = stored_id(c.info);
    t.metainfo = c.bytes;
    t.save_dir = "/downloads";
    t.paused = true;
    t.sequential = true;
    t.added_on = 1'700'000'000;
    t.file_priorities = {0, 7};
    t.file_names = {{1, "renamed.bin"}};
    t.trackers = std::vector<Tier>{{"udp://a.example:1"}, {"http://b.example/announce"}};
    t.upload_limit = 1000;
    t.download_limit = 2000;
    t.peer_limit = 17;
    t.seed_limits = {.ratio_mode = SeedLimitMode::own, .ratio = 1.5, .idle_mode = SeedLimitMode::unlimited,
                     .idle_minutes = 45};
    t.labels = {"tv", "ünïcode"};
    return t;
}

}  // namespace

TEST(TorrentListStore, RecordsRoundTrip) {
    TempDir dir;
    const auto c = make_torrent(dir.path(), 1);
    TorrentListStore store(dir.path() / "state");
    EXPECT_FALSE(store.exists());
    const StoredTorrent t = record_of(c);
    ASSERT_TRUE(store.save(t));
    StoredTorrent magnet;
    magnet.id = std::string(40, 'a');
    magnet.magnet = "magnet:?xt=urn:btih:" + std::string(40, 'a');
    magnet.save_dir = "/m";
    magnet.added_on = 1'800'000'000;
    ASSERT_TRUE(store.save(magnet));

    std::vector<Error> problems;
    const auto loaded = store.load(problems);
    EXPECT_TRUE(problems.empty());
    ASSERT_EQ(loaded.size(), 2u);
    const StoredTorrent& back = loaded[0];  // oldest first
    EXPECT_EQ(back.id, t.id);
    EXPECT_EQ(back.metainfo, t.metainfo);
    EXPECT_EQ(back.save_dir, t.save_dir);
    EXPECT_TRUE(back.paused);
    EXPECT_TRUE(back.sequential);
    EXPECT_EQ(back.added_on, t.added_on);
    EXPECT_EQ(back.file_priorities, t.file_priorities);
    EXPECT_EQ(back.file_names, t.file_names);
    EXPECT_EQ(back.trackers, t.trackers);
    EXPECT_EQ(back.upload_limit, 1000);
    EXPECT_EQ(back.download_limit, 2000);
    EXPECT_EQ(back.peer_limit, 17);
    EXPECT_TRUE(back.metainfo_saved);
    EXPECT_EQ(back.seed_limits, t.seed_limits);
    EXPECT_EQ(back.labels, t.labels);
    EXPECT_TRUE(loaded[1].labels.empty());
    EXPECT_EQ(loaded[1].peer_limit, 0);
    EXPECT_FALSE(loaded[1].metainfo_saved);
    EXPECT_EQ(loaded[1].magnet, magnet.magnet);
    EXPECT_TRUE(loaded[1].metainfo.empty());
    EXPECT_FALSE(loaded[1].trackers);

    store.remove(t.id);
    EXPECT_EQ(store.load(problems).size(), 1u);
    EXPECT_FALSE(fs::exists(store.folder() / (t.id + ".torrent")));
}

TEST(TorrentListStore, TheTorrentFilesBytesCanBeReadLater) {
    TempDir dir;
    const auto c = make_torrent(dir.path(), 3);
    TorrentListStore store(dir.path() / "state");
    const StoredTorrent t = record_of(c);
    ASSERT_TRUE(store.save(t));
    put(store.folder() / "nofile.json", R"({"save_dir": "/x", "metainfo": "nofile.torrent"})");
    std::vector<Error> problems;
    const auto loaded = store.load(problems, MetainfoBytes::later);
    EXPECT_TRUE(problems.empty()) << problems.front().message;
    ASSERT_EQ(loaded.size(), 2u);
    for (const StoredTorrent& back : loaded) {
        EXPECT_TRUE(back.metainfo_saved);
        EXPECT_TRUE(back.metainfo.empty());
    }
    const auto& back = loaded[0].id == t.id ? loaded[0] : loaded[1];
    EXPECT_EQ(back.save_dir, t.save_dir);
    auto bytes = store.read_metainfo(back.id);
    ASSERT_TRUE(bytes) << bytes.error().message;
    EXPECT_EQ(*bytes, t.metainfo);
    auto missing = store.read_metainfo("nofile");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find(store.folder().string()), std::string::npos) << missing.error().message;
}

TEST(TorrentListStore, ARecordWithoutSeedLimitsFollowsTheGlobalOnes) {
    TempDir dir;
    TorrentListStore store(dir.path() / "state");
    const std::string magnet = "magnet:?xt=urn:btih:" + std::string(40, 'c');
    put(store.folder() / (std::string(40, 'c') + ".json"),
        R"({"version": 1, "save_dir": "/x", "magnet": ")" + magnet + R"("})");
    put(store.folder() / "badmode.json", R"({"save_dir": "/x", "magnet": "m", "seed_ratio_mode": 3})");
    put(store.folder() / "badratio.json", R"({"save_dir": "/x", "magnet": "m", "seed_ratio": -2})");
    std::vector<Error> problems;
    const auto loaded = store.load(problems);
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].seed_limits, TorrentSeedLimits{});
    EXPECT_EQ(problems.size(), 2u);
}

TEST(TorrentListStore, ADamagedRecordCostsOnlyItsTorrent) {
    TempDir dir;
    const auto c = make_torrent(dir.path(), 2);
    TorrentListStore store(dir.path() / "state");
    ASSERT_TRUE(store.save(record_of(c)));
    put(store.folder() / "garbage.json", "{\"save_dir\": [1, 2");
    put(store.folder() / "wrongtype.json", R"({"save_dir": "/x", "magnet": 5})");
    put(store.folder() / "badpriority.json", R"({"save_dir": "/x", "magnet": "magnet:?xt=urn:btih:)" +
                                                std::string(40, 'b') + R"(", "file_priorities": [9]})");
    put(store.folder() / "otherfile.json", R"({"save_dir": "/x", "metainfo": "../../etc/passwd"})");
    put(store.folder() / "nofile.json", R"({"save_dir": "/x", "metainfo": "nofile.torrent"})");
    put(store.folder() / "newer.json", R"({"version": 7, "save_dir": "/x", "magnet": "m"})");
    put(store.folder() / "empty.json", "");
    put(store.folder() / "badlabel.json", R"({"save_dir": "/x", "magnet": "m", "labels": ["a,b"]})");
    std::vector<Error> problems;
    const auto loaded = store.load(problems);
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].id, stored_id(c.info));
    EXPECT_EQ(problems.size(), 8u);
    for (const auto& p : problems) {
        EXPECT_EQ(p.code, ErrorCode::invalid_input) << p.message;
        EXPECT_NE(p.message.find(store.folder().string()), std::string::npos) << p.message;
    }
}

TEST(TorrentListStore, RefusesOversizedRecords) {
    TempDir dir;
    TorrentListStore store(dir.path() / "state", StoreLimits{.max_record_bytes = 100});
    put(store.folder() / "big.json", R"({"save_dir": ")" + std::string(200, 'x') + R"(", "magnet": "m"})");
    std::vector<Error> problems;
    EXPECT_TRUE(store.load(problems).empty());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].message.find("larger"), std::string::npos);
}

TEST(DesktopStoreMigration, ReadsTheOldListOnceIntoTheStateFolder) {
    TempDir dir;
    const auto c = make_torrent(dir.path(), 3);
    const fs::path old = dir.path() / "old";
    const std::string v1 = c.info.info_hash_v1->hex();
    put(old / (v1 + ".torrent"), c.bytes);
    const std::string magnet = "magnet:?xt=urn:btih:" + std::string(40, 'c') + "&dn=later";
    // As the desktop client's TorrentStore wrote it (QJsonDocument, ids as it made them).
    put(old / "torrents.json", R"({
        ")" + v1 + R"(": {"file": ")" + v1 + R"(.torrent", "save_dir": "/dl", "paused": true,
            "sequential": false, "added_on": "2024-05-06T07:08:09Z", "priorities": [4, 0],
            "file_names": {"0": "first.bin"}, "trackers": [["http://t.example/announce"], []]},
        "0123456789abcdef0123456789abcdef01234567": {"magnet": ")" + magnet + R"(", "save_dir": "/m",
            "paused": false, "sequential": true, "added_on": "2024-05-07T00:00:00Z", "priorities": [],
            "file_names": {}},
        "broken": {"file": "missing.torrent", "save_dir": "/x"},
        "escape": {"file": "../x.torrent", "save_dir": "/x"}
    })");
    TorrentListStore store(dir.path() / "state");
    std::vector<Error> problems;
    EXPECT_EQ(migrate_desktop_store(old, store, problems), 2u);
    EXPECT_EQ(problems.size(), 2u);
    EXPECT_TRUE(store.exists());

    const auto loaded = store.load(problems);
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0].id, v1);
    EXPECT_EQ(loaded[0].metainfo, c.bytes);
    EXPECT_EQ(loaded[0].save_dir, "/dl");
    EXPECT_TRUE(loaded[0].paused);
    EXPECT_EQ(loaded[0].added_on, 1714979289);
    EXPECT_EQ(loaded[0].file_priorities, (std::vector<int>{4, 0}));
    EXPECT_EQ(loaded[0].file_names.at(0), "first.bin");
    EXPECT_EQ(loaded[0].trackers, (std::optional<std::vector<Tier>>{{{"http://t.example/announce"}}}));
    EXPECT_EQ(loaded[1].id, std::string(40, 'c'));
    EXPECT_EQ(loaded[1].magnet, magnet);
    EXPECT_TRUE(loaded[1].sequential);

    // Once: a second start leaves the (now edited) new list alone.
    store.remove(v1);
    problems.clear();
    EXPECT_EQ(migrate_desktop_store(old, store, problems), 0u);
    EXPECT_EQ(store.load(problems).size(), 1u);
    EXPECT_TRUE(fs::exists(old / "torrents.json"));  // the old list is left for older versions
}

TEST(DesktopStoreMigration, AnUnreadableOldIndexMovesNothingAndIsTriedAgain) {
    TempDir dir;
    put(dir.path() / "old" / "torrents.json", "not json");
    TorrentListStore store(dir.path() / "state");
    std::vector<Error> problems;
    EXPECT_EQ(migrate_desktop_store(dir.path() / "old", store, problems), 0u);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].code, ErrorCode::invalid_input);
    EXPECT_FALSE(store.exists());
}

TEST(DesktopStoreMigration, ParsesTheDatesQtWrote) {
    EXPECT_EQ(parse_iso_date("1970-01-01T00:00:10Z"), 10);
    EXPECT_EQ(parse_iso_date("1970-01-01T01:00:00+01:00"), 0);
    EXPECT_EQ(parse_iso_date("1970-01-01T00:00:00.500Z"), 0);
    EXPECT_TRUE(parse_iso_date("2024-05-06T07:08:09"));
    EXPECT_FALSE(parse_iso_date("yesterday"));
    EXPECT_FALSE(parse_iso_date("2024-05-06 07:08:09"));
}
