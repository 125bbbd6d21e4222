#include <gtest/gtest.h>

#include "tracker/config.hpp"

namespace shoal::tracker {
namespace {

TEST(Config, DefaultsAreValid) {
    auto c = validate_config(Config{});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->http, "0.0.0.0:6969");
    EXPECT_EQ(c->udp, "0.0.0.0:6969");
    EXPECT_EQ(c->numwant_default, 50u);
}

TEST(Config, UnknownKeyIsNamed) {
    auto c = parse_config("[announce]\ninterval = 60\nbogus = 1\n");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "unknown config key 'announce.bogus'");
    auto s = parse_config("[nosuch]\nx = 1\n");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "unknown config key 'nosuch'");
}

TEST(Config, WrongTypesAndRangesAreErrors) {
    EXPECT_FALSE(parse_config("[announce]\ninterval = \"60\"\n"));
    EXPECT_FALSE(parse_config("[announce]\ninterval = 1\n"));
    EXPECT_FALSE(parse_config("[announce]\ninterval = -5\n"));
    EXPECT_FALSE(parse_config("[http]\nfull_scrape = 1\n"));
    EXPECT_FALSE(parse_config("[http]\ntrusted_proxies = [1]\n"));
    auto syntax = parse_config("[http\n");
    ASSERT_FALSE(syntax);
    EXPECT_NE(syntax.error().message.find("line 1"), std::string::npos);
}

TEST(Config, ValuesAreRead) {
    auto c = parse_config(
        "[listen]\nhttp = \"127.0.0.1:0\"\nudp = \"off\"\n"
        "[announce]\ninterval = 60\ninterval_jitter = 5\nmin_interval = 30\npeer_timeout = 90\n"
        "[http]\ntrusted_proxies = [\"10.0.0.1\", \"::1\"]\nfull_scrape = true\n"
        "[access]\nmode = \"deny\"\nlist_file = \"/x\"\nprivate = true\n");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->http, "127.0.0.1:0");
    EXPECT_EQ(c->udp, "off");
    EXPECT_EQ(c->interval, 60u);
    EXPECT_EQ(c->peer_timeout, 90u);
    EXPECT_TRUE(c->full_scrape);
    EXPECT_TRUE(c->private_mode);
    EXPECT_EQ(c->mode, "deny");
    ASSERT_EQ(c->trusted_proxies.size(), 2u);
    EXPECT_EQ(c->trusted_proxies[1], "::1");
    EXPECT_TRUE(validate_config(*c));
}

TEST(Config, CrossChecks) {
    Config c;
    c.peer_timeout = c.interval;
    EXPECT_FALSE(validate_config(c));
    c = Config{};
    c.mode = "maybe";
    EXPECT_FALSE(validate_config(c));
    c = Config{};
    c.http = "nohost";
    EXPECT_FALSE(validate_config(c));
    c = Config{};
    c.http = "[::1]:80";
    c.udp = "";
    EXPECT_TRUE(validate_config(c));
    c.trusted_proxies = {"not an ip"};
    EXPECT_FALSE(validate_config(c));
}

TEST(Config, PrintConfigRoundTrips) {
    const std::string defaults = print_config(Config{});
    auto parsed = parse_config(defaults);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(print_config(*parsed), defaults);

    Config changed;
    changed.http = "127.0.0.1:0";
    changed.keys_file = "/etc/with \"quotes\"\\and\\backslashes";
    changed.trusted_proxies = {"127.0.0.1", "::1"};
    changed.full_scrape = true;
    changed.numwant_max = 77;
    const std::string text = print_config(changed);
    auto back = parse_config(text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->keys_file, changed.keys_file);
    EXPECT_EQ(back->trusted_proxies, changed.trusted_proxies);
    EXPECT_EQ(back->numwant_max, 77u);
    EXPECT_EQ(print_config(*back), text);
    for (const char* key : {"interval", "numwant_max", "trusted_proxies", "private", "shards",
                            "requests", "key_rotation", "max_header_bytes"}) {
        EXPECT_NE(text.find(std::string("\n") + key + " = "), std::string::npos) << key;
    }
}

TEST(Config, TheRedisStoreIsCheckedAndItsPasswordNeverPrinted) {
    auto parsed = parse_config(
        "[store]\nurl = \"redis://tracker:hunter2@10.0.0.5:6380/1\"\nprefix = \"t1:\"\n"
        "max_pending = 64\ntimeout_ms = 500\n[udp]\nsecret_file = \"/etc/shoal/secret\"\n");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->url, "redis://tracker:hunter2@10.0.0.5:6380/1");
    EXPECT_EQ(parsed->max_pending, 64u);
    EXPECT_EQ(parsed->timeout_ms, 500u);
    EXPECT_EQ(parsed->secret_file, "/etc/shoal/secret");
    EXPECT_TRUE(validate_config(*parsed));
    const std::string printed = print_config(*parsed);
    EXPECT_EQ(printed.find("hunter2"), std::string::npos);
    EXPECT_NE(printed.find("url = \"redis://tracker:***@10.0.0.5:6380/1\""), std::string::npos);

    Config c = *parsed;
    c.full_scrape = true;  // would read every swarm in Redis
    EXPECT_FALSE(validate_config(c));
    c = *parsed;
    c.url = "http://10.0.0.5";
    auto bad = validate_config(c);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("redis://"), std::string::npos);
    EXPECT_FALSE(parse_config("[store]\ntimeout_ms = 1\n"));
}

}  // namespace
}  // namespace shoal::tracker
