// shoald's RPC password: the hash and its text, the password file, and a config file's plain
// password replaced by its hash.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>

#include <fstream>
#include <sstream>

#include "daemon/password_files.hpp"
#include "daemon/password_hash.hpp"
#include "test_files.hpp"

using namespace shoal;
using namespace shoal::daemon;

namespace {

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

TEST(DaemonPassword, HashAndVerify) {
    const PasswordHash h = hash_password("correct horse");
    EXPECT_EQ(h.iterations, k_password_iterations);
    EXPECT_EQ(h.salt.size(), 16u);
    EXPECT_TRUE(verify_password(h, "correct horse"));
    EXPECT_FALSE(verify_password(h, "correct hors"));
    EXPECT_FALSE(verify_password(h, "correct horse "));
    EXPECT_FALSE(verify_password(h, ""));
    EXPECT_FALSE(verify_password(PasswordHash{}, ""));
    // Salted: the same password twice gives two texts.
    EXPECT_NE(to_text(h), to_text(hash_password("correct horse")));

    const std::string text = to_text(h);
    EXPECT_TRUE(text.starts_with("pbkdf2-sha256$10000$")) << text;
    auto parsed = parse_password_hash(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(verify_password(*parsed, "correct horse"));
    EXPECT_FALSE(verify_password(*parsed, "wrong"));
    auto of_hash = password_hash_of(text);
    ASSERT_TRUE(of_hash.ok());
    EXPECT_TRUE(verify_password(*of_hash, "correct horse"));
    auto of_plain = password_hash_of("plain");
    ASSERT_TRUE(of_plain.ok());
    EXPECT_TRUE(verify_password(*of_plain, "plain"));
}

TEST(DaemonPassword, MalformedHashesAreRefused) {
    const std::string salt = "AAAAAAAAAAAAAAAAAAAAAA==";  // 16 bytes
    const std::string hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // 32 bytes
    ASSERT_TRUE(parse_password_hash("pbkdf2-sha256$10000$" + salt + "$" + hash).ok());
    for (const std::string& bad : {std::string("pbkdf2-sha256$"), "pbkdf2-sha256$10000$" + salt,
                                   "pbkdf2-sha256$10000$" + salt + "$" + hash + "$x",
                                   "pbkdf2-sha256$$" + salt + "$" + hash, "pbkdf2-sha256$12x$" + salt + "$" + hash,
                                   "pbkdf2-sha256$999$" + salt + "$" + hash,
                                   "pbkdf2-sha256$99999999999$" + salt + "$" + hash,
                                   "pbkdf2-sha256$10000$AAAA$" + hash, "pbkdf2-sha256$10000$" + salt + "$AAAA",
                                   "pbkdf2-sha256$10000$" + salt + "$" + hash + "*"}) {
        auto parsed = password_hash_of(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_NE(parsed.error().message.find("rpc_password is not a valid hash"), std::string::npos)
            << parsed.error().message;
    }
}

TEST(DaemonPassword, ReadsTheFirstLine) {
    std::istringstream two_lines("s3cret\r\nsecond\n");
    EXPECT_EQ(read_password_line(two_lines, "x").value(), "s3cret");
    std::istringstream no_end("s3cret");
    EXPECT_EQ(read_password_line(no_end, "x").value(), "s3cret");
    std::istringstream empty("\nsecond\n");
    EXPECT_FALSE(read_password_line(empty, "x").ok());
    std::istringstream long_line(std::string(k_max_password_bytes + 1, 'a'));
    auto too_long = read_password_line(long_line, "x");
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().code, ErrorCode::too_large);

    test::TempDir dir;
    write(dir.path() / "pw", "from-file\n");
    EXPECT_EQ(read_password_file(dir.path() / "pw").value(), "from-file");
    auto missing = read_password_file(dir.path() / "none");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find((dir.path() / "none").string()), std::string::npos);
}

TEST(DaemonPassword, ReplacesAPlainPasswordInTheConfigFile) {
    test::TempDir dir;
    const auto path = dir.path() / "shoald.toml";
    const std::string before = "# shoald\nstate_dir = '/var/lib/shoal'\n";
    const std::string after = "\nrpc_username = \"me\"\n  port = 51413  # the peers' port\n";
    write(path, before + "rpc_password = \"s\\\"écret\"   # keep me\n" + after);
    ::chmod(path.c_str(), 0640);

    const PasswordHash in_use = hash_password("s\"écret");
    auto replaced = hash_config_password(path, in_use);
    ASSERT_TRUE(replaced.ok()) << replaced.error().message;
    EXPECT_TRUE(*replaced);
    const std::string text = read(path);
    ASSERT_TRUE(text.starts_with(before)) << text;
    ASSERT_TRUE(text.ends_with("'   # keep me\n" + after)) << text;
    const std::string line = text.substr(before.size(), text.size() - before.size() - after.size());
    const std::string prefix = "rpc_password = '";
    ASSERT_TRUE(line.starts_with(prefix)) << line;
    auto hash = parse_password_hash(line.substr(prefix.size(), line.find('\'', prefix.size()) - prefix.size()));
    ASSERT_TRUE(hash.ok()) << line;
    EXPECT_EQ(to_text(*hash), to_text(in_use));  // the file and memory agree
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    // Only the file is left in the folder: no temporary one.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);

    // A hash already there, or none, is left alone.
    auto again = hash_config_password(path);
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
    EXPECT_EQ(read(path), text);
    write(path, before);
    EXPECT_FALSE(*hash_config_password(path));
}

TEST(DaemonPassword, SaysWhenTheConfigFileCannotBeRewritten) {
    test::TempDir dir;
    const auto path = dir.path() / "shoald.toml";
    write(path, "rpc_password = '''multi\nline'''\n");
    auto multi_line = hash_config_password(path);
    ASSERT_FALSE(multi_line.ok());
    EXPECT_NE(multi_line.error().message.find("one-line"), std::string::npos) << multi_line.error().message;

    // No byte can be written (root too is bound by the file size limit).
    write(path, "rpc_password = 'plain'\n");
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old_limit{};
    ::getrlimit(RLIMIT_FSIZE, &old_limit);
    rlimit no_bytes = old_limit;
    no_bytes.rlim_cur = 0;
    ::setrlimit(RLIMIT_FSIZE, &no_bytes);
    auto unwritable = hash_config_password(path);
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    ASSERT_FALSE(unwritable.ok());
    EXPECT_EQ(read(path), "rpc_password = 'plain'\n");
}

}  // namespace
