#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.hpp"
#include "tracker/access_list.hpp"

namespace shoal::tracker {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("shoal_tracker_test_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path) << text;
    return path.string();
}

TEST(AccessList, ParsesHexWithCommentsAndBlankLines) {
    const auto h = test::hash_of(1);
    InfoHashSet set;
    auto err = AccessPolicy::parse_info_hashes(
        "# list\n\n" + h.hex() + "\r\n  " + test::hash_of(2).hex() + "  \n", set);
    ASSERT_FALSE(err) << err->message;
    EXPECT_EQ(set.size(), 2u);
    EXPECT_TRUE(set.contains(h));
}

TEST(AccessList, BadLineNamesTheLine) {
    InfoHashSet set;
    auto err = AccessPolicy::parse_info_hashes(test::hash_of(1).hex() + "\nnot-hex\n", set);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->message, "line 2: not a 40-digit hex info-hash");
}

TEST(AccessList, InfoHashSetHoldsEveryHashOnceThroughGrowth) {
    InfoHashSet set;
    EXPECT_FALSE(set.contains(test::hash_of(0)));
    for (int i = 0; i < 5000; ++i)
        EXPECT_TRUE(set.insert(test::hash_of(i)));
    EXPECT_FALSE(set.insert(test::hash_of(17)));
    EXPECT_EQ(set.size(), 5000u);
    for (int i = 0; i < 5000; ++i)
        ASSERT_TRUE(set.contains(test::hash_of(i))) << i;
    for (int i = 5000; i < 10000; ++i)
        ASSERT_FALSE(set.contains(test::hash_of(i))) << i;
    // Hashes that differ in one bit only are told apart.
    InfoHash near = test::hash_of(3);
    near.bytes[19] ^= 1;
    EXPECT_FALSE(set.contains(near));
    set.clear();
    EXPECT_TRUE(set.empty());
    EXPECT_FALSE(set.contains(test::hash_of(1)));
}

TEST(AccessList, AllowAndDenyModes) {
    const auto listed = test::hash_of(1);
    const auto other = test::hash_of(2);
    AccessPolicy allow(AccessMode::allow, {listed}, false, {});
    EXPECT_TRUE(allow.torrent_allowed(listed));
    EXPECT_FALSE(allow.torrent_allowed(other));
    AccessPolicy deny(AccessMode::deny, {listed}, false, {});
    EXPECT_FALSE(deny.torrent_allowed(listed));
    EXPECT_TRUE(deny.torrent_allowed(other));
    AccessPolicy off;
    EXPECT_TRUE(off.torrent_allowed(listed));
    EXPECT_TRUE(off.passkey_allowed(""));
}

TEST(AccessList, Passkeys) {
    std::unordered_set<std::string> keys;
    ASSERT_FALSE(AccessPolicy::parse_passkeys("abc_DEF-123\n# comment\nzz\n", keys));
    AccessPolicy p(AccessMode::off, {}, true, keys);
    EXPECT_TRUE(p.passkey_allowed("abc_DEF-123"));
    EXPECT_TRUE(p.passkey_allowed("zz"));
    EXPECT_FALSE(p.passkey_allowed(""));
    EXPECT_FALSE(p.passkey_allowed("abc"));
    EXPECT_TRUE(AccessPolicy::parse_passkeys("has space\n", keys));
    EXPECT_TRUE(AccessPolicy::parse_passkeys(std::string(65, 'a'), keys));
}

TEST(AccessList, LoadsFilesAndReportsMissingOnes) {
    const auto list = write_temp("list", test::hash_of(7).hex() + "\n");
    const auto keys = write_temp("keys", "k1\n");
    auto p = AccessPolicy::load(AccessMode::allow, list, true, keys);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_TRUE(p->torrent_allowed(test::hash_of(7)));
    EXPECT_TRUE(p->passkey_allowed("k1"));
    auto missing = AccessPolicy::load(AccessMode::allow, "/nonexistent/list", false, "");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("/nonexistent/list"), std::string::npos);
    EXPECT_FALSE(AccessPolicy::load(AccessMode::deny, "", false, ""));
    EXPECT_FALSE(AccessPolicy::load(AccessMode::off, "", true, ""));
    std::filesystem::remove(list);
    std::filesystem::remove(keys);
}

}  // namespace
}  // namespace shoal::tracker
