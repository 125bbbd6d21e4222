// How names from a torrent become names Shoal creates: libtorrent's cases (its
// test_torrent_info.cpp and sanitize_path tests give the same results), Shoal's stricter ones,
// and properties that hold for any input.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "metainfo/path_rules.hpp"

namespace shoal {
namespace {

struct Case {
    std::string raw;
    std::string posix;
    std::string windows;
};

TEST(PathRules, SanitizesComponents) {
    const Case cases[] = {
        {"plain.txt", "plain.txt", "plain.txt"},
        // Separators inside a name vanish; the rest of the name stays.
        {"abc/../../def", "abc....def", "abc....def"},
        {"temp/../../abc", "temp....abc", "temp....abc"},
        {"foo\\bar", "foobar", "foobar"},
        {"/foobar", "foobar", "foobar"},
        // Components that lead nowhere are left out.
        {".", "", ""},
        {"..", "", ""},
        {"/", "", ""},
        {"\\", "", ""},
        {"/..", "", ""},
        {"", "_", "_"},
        // Three dots are a name on POSIX; Windows would strip them all.
        {"...", "...", ""},
        // Invalid UTF-8 (a lone continuation byte, as in libtorrent's v2_invalid_filename).
        {"\x82" "est/MB", "_estMB", "_estMB"},
        {"a\xff\xfe" "b", "a__b", "a__b"},
        {"\xed\xa0\x80", "___", "___"},       // a UTF-16 surrogate
        {"\xc0\xaf", "__", "__"},             // an overlong '/'
        {"caf\xc3\xa9", "caf\xc3\xa9", "caf\xc3\xa9"},
        // Control characters, NUL included.
        {std::string("file\0.txt", 9), "file_.txt", "file_.txt"},
        {"a\tb\x7f", "a_b_", "a_b_"},
        {"a\xc2\x85" "b", "a_b", "a_b"},  // U+0085, a C1 control
        // Marks that reverse the text: "evil<U+202E>txt.exe" would show as "evilexe.txt".
        {"evil\xe2\x80\xae" "txt.exe", "eviltxt.exe", "eviltxt.exe"},
        // Windows' own rules.
        {"foobar ", "foobar ", "foobar"},
        {"name.", "name.", "name"},
        {"a:b|c?", "a:b|c?", "a_b_c_"},
        {"CON", "CON", "_CON"},
        {"con.txt", "con.txt", "_con.txt"},
        {"Lpt1.tar.gz", "Lpt1.tar.gz", "_Lpt1.tar.gz"},
        {"aux.", "aux.", "_aux"},
        {"console", "console", "console"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.raw);
        EXPECT_EQ(sanitize_component(c.raw, NameStyle::posix), c.posix);
        EXPECT_EQ(sanitize_component(c.raw, NameStyle::windows), c.windows);
    }
}

TEST(PathRules, LongNamesKeepTheirExtension) {
    const std::string ext = ".23456789";
    const std::string name = sanitize_component(std::string(300, 'a') + ext);
    EXPECT_EQ(name.size(), 255u);
    EXPECT_TRUE(name.ends_with(ext));
    // No extension: the first 255 bytes.
    EXPECT_EQ(sanitize_component(std::string(300, 'b')), std::string(255, 'b'));
    // A "extension" of 20 bytes is part of the name.
    EXPECT_EQ(sanitize_component(std::string(300, 'c') + "." + std::string(19, 'x')),
              std::string(255, 'c'));
    // Cut between characters, never inside one: 'é' is 2 bytes, so 125 of them (250 bytes)
    // and ".txt" fill 254 of the 255.
    std::string accents;
    for (int i = 0; i < 200; ++i) accents += "\xc3\xa9";
    const std::string cut = sanitize_component(accents + ".txt");
    EXPECT_EQ(cut.size(), 254u);
    EXPECT_TRUE(cut.ends_with(".txt"));
    EXPECT_EQ(unsafe_component(cut), std::nullopt);
    EXPECT_EQ(sanitize_component(std::string(255, 'd')), std::string(255, 'd'));
}

TEST(PathRules, ExplainsWhatIsUnsafe) {
    EXPECT_EQ(unsafe_component("ok.txt"), std::nullopt);
    EXPECT_EQ(unsafe_component(""), "an empty path component");
    EXPECT_EQ(unsafe_component("."), "a '.' path component");
    EXPECT_EQ(unsafe_component(".."), "a '..' path component");
    EXPECT_EQ(unsafe_component("a/b"), "a path separator inside a file name");
    EXPECT_EQ(unsafe_component("a\\b"), "a path separator inside a file name");
    EXPECT_EQ(unsafe_component(std::string("a\0b", 3)), "a control character in a file name");
    EXPECT_EQ(unsafe_component("a\xff"), "a file name that is not valid UTF-8");
    EXPECT_EQ(unsafe_component("a\xe2\x80\x8f"),
              "a text-direction control character in a file name");
    EXPECT_EQ(unsafe_component(std::string(256, 'n')), "a file name longer than 255 bytes");
    EXPECT_EQ(unsafe_component("nul", NameStyle::windows), "a file name reserved on this platform");
    EXPECT_EQ(unsafe_component("nul", NameStyle::posix), std::nullopt);
}

TEST(PathRules, ExtensionsAndFitting) {
    using Split = std::pair<std::string_view, std::string_view>;
    EXPECT_EQ(split_extension("bar.txt"), (Split{"bar", ".txt"}));
    EXPECT_EQ(split_extension("a.tar.gz"), (Split{"a.tar", ".gz"}));
    EXPECT_EQ(split_extension(".profile"), (Split{".profile", ""}));
    EXPECT_EQ(split_extension("README"), (Split{"README", ""}));
    EXPECT_EQ(split_extension("x." + std::string(16, 'e')), (Split{"x." + std::string(16, 'e'), ""}));
    EXPECT_EQ(fit_name("bar", ".1.txt"), "bar.1.txt");
    const std::string fitted = fit_name(std::string(255, 'n'), ".1");
    EXPECT_EQ(fitted, std::string(253, 'n') + ".1");
    EXPECT_EQ(fold_case("Foo.TXT\xc3\x89"), "foo.txt\xc3\x89");  // ASCII only
}

// Any byte string, in either style: the result is left out entirely or is one safe name that a
// second pass leaves alone, so nothing sanitized can name a parent, a root or a subfolder.
TEST(PathRules, AnyInputGivesOneSafeName) {
    const std::string pieces[] = {".", "..", "/", "\\", std::string(1, '\0'), "a", "Z", " ",
                                  ":", "\xff", "\x80", "\xc3", "\xc3\xa9", "\xe2\x80\xae",
                                  "\xf0\x9f\x98\x80", "con", "\t", std::string(40, 'x')};
    std::mt19937 rng(12345);
    for (int i = 0; i < 20000; ++i) {
        std::string raw;
        const int parts = static_cast<int>(rng() % 12);
        for (int p = 0; p < parts; ++p) raw += pieces[rng() % std::size(pieces)];
        if (rng() % 8 == 0) raw += std::string(rng() % 300, static_cast<char>('a' + rng() % 3));
        for (const NameStyle style : {NameStyle::posix, NameStyle::windows}) {
            const std::string safe = sanitize_component(raw, style);
            if (safe.empty()) continue;  // left out of the path
            SCOPED_TRACE(testing::PrintToString(raw));
            EXPECT_NE(safe, ".");
            EXPECT_NE(safe, "..");
            EXPECT_EQ(safe.find_first_of(std::string("/\\\0", 3)), std::string::npos);
            EXPECT_LE(safe.size(), k_max_name_bytes);
            EXPECT_EQ(sanitize_component(safe, style), safe);
            EXPECT_EQ(unsafe_component(safe, style), std::nullopt);
        }
    }
}

}  // namespace
}  // namespace shoal
