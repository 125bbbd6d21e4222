#include "tracker/access_list.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

#include "util/text.hpp"

namespace shoal::tracker {
namespace {

constexpr std::size_t k_max_list_bytes = 256u << 20;

// Blanks and a Windows line end removed.
std::string_view trim(std::string_view s) {
    s = trim_blanks(s);
    while (!s.empty() && s.back() == '\r')
        s = trim_blanks(s.substr(0, s.size() - 1));
    return s;
}

template <class F>
void for_each_line(std::string_view text, F&& f) {
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        line = trim(line);
        if (line.empty() || line.front() == '#')
            continue;
        if (!f(line, line_no))
            return;
    }
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error("cannot open " + path + ": " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = std::move(ss).str();
    if (text.size() > k_max_list_bytes)
        return make_error(path + " is larger than 256 MiB");
    return text;
}

}  // namespace

std::optional<Error> AccessPolicy::parse_info_hashes(
    std::string_view text, InfoHashSet& set) {
    set.clear();
    std::string error;
    for_each_line(text, [&](std::string_view line, std::size_t no) {
        auto h = InfoHash::from_hex(line);
        if (!h) {
            error = "line " + std::to_string(no) + ": not a 40-digit hex info-hash";
            return false;
        }
        set.insert(*h);
        return true;
    });
    if (!error.empty())
        return make_error(error);
    return std::nullopt;
}

std::optional<Error> AccessPolicy::parse_passkeys(std::string_view text,
                                                  std::unordered_set<std::string>& set) {
    set.clear();
    std::string error;
    for_each_line(text, [&](std::string_view line, std::size_t no) {
        bool ok = line.size() <= 64;
        for (char c : line) {
            ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-');
        }
        if (!ok) {
            error = "line " + std::to_string(no) + ": a passkey is 1-64 of A-Z a-z 0-9 _ -";
            return false;
        }
        set.emplace(line);
        return true;
    });
    if (!error.empty())
        return make_error(error);
    return std::nullopt;
}

Result<AccessPolicy> AccessPolicy::load(AccessMode mode, const std::string& list_file,
                                        bool private_mode, const std::string& keys_file) {
    InfoHashSet hashes;
    if (mode != AccessMode::off) {
        if (list_file.empty())
            return make_error("access.mode needs access.list_file");
        auto text = read_file(list_file);
        if (!text)
            return text.error();
        if (auto err = parse_info_hashes(*text, hashes)) {
            return make_error(list_file + ": " + err->message);
        }
    }
    std::unordered_set<std::string> keys;
    if (private_mode) {
        if (keys_file.empty())
            return make_error("access.private needs access.keys_file");
        auto text = read_file(keys_file);
        if (!text)
            return text.error();
        if (auto err = parse_passkeys(*text, keys)) {
            return make_error(keys_file + ": " + err->message);
        }
    }
    return AccessPolicy(mode, std::move(hashes), private_mode, std::move(keys));
}

AccessPolicy::AccessPolicy(AccessMode mode, InfoHashSet hashes,
                           bool private_mode, std::unordered_set<std::string> passkeys)
    : mode_(mode),
      hashes_(std::move(hashes)),
      private_(private_mode),
      passkeys_(std::move(passkeys)) {}

bool AccessPolicy::torrent_allowed(const InfoHash& h) const {
    switch (mode_) {
        case AccessMode::off:
            return true;
        case AccessMode::allow:
            return hashes_.contains(h);
        case AccessMode::deny:
            return !hashes_.contains(h);
    }
    return false;
}

bool AccessPolicy::passkey_allowed(std::string_view passkey) const {
    if (!private_)
        return true;
    return !passkey.empty() && passkeys_.contains(std::string(passkey));
}

}  // namespace shoal::tracker
