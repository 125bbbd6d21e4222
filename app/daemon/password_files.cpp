#include "daemon/password_files.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

#include "daemon/password_hash.hpp"
#include "storage/durable_file.hpp"

namespace shoal::daemon {
namespace {

constexpr std::size_t k_max_config_bytes = 64 * 1024;  // as cli/config_file.cpp reads

const toml::node* password_node(const toml::table& table) {
    if (const auto* node = table.get("rpc_password")) return node;
    return table.get("rpc-password");
}

// The byte offset of 1-based `column` (counted in code points) in `line`.
std::size_t byte_offset(std::string_view line, std::size_t column) {
    std::size_t offset = 0;
    for (std::size_t seen = 1; seen < column && offset < line.size(); ++seen) {
        ++offset;
        while (offset < line.size() && (static_cast<unsigned char>(line[offset]) & 0xC0) == 0x80) ++offset;
    }
    return offset;
}

// The length of the one-line string literal at the start of `text`; 0 when it is not one.
std::size_t literal_length(std::string_view text) {
    if (text.starts_with("'''") || text.starts_with("\"\"\"")) return 0;
    if (text.starts_with('\'')) {
        const auto close = text.find('\'', 1);
        return close == std::string_view::npos ? 0 : close + 1;
    }
    if (!text.starts_with('"')) return 0;
    for (std::size_t i = 1; i < text.size(); ++i) {
        if (text[i] == '\\') ++i;
        else if (text[i] == '"') return i + 1;
    }
    return 0;
}

Result<std::string> read_whole(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::io, "cannot read '" + path.string() + "'");
    std::string bytes(k_max_config_bytes + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > k_max_config_bytes) {
        return make_error(ErrorCode::too_large, "'" + path.string() + "' is too large");
    }
    return bytes;
}

}  // namespace

Result<std::string> read_password_line(std::istream& in, std::string_view source) {
    std::string line;
    char c = 0;
    while (line.size() <= k_max_password_bytes && in.get(c) && c != '\n') line += c;
    if (in.bad()) return make_error(ErrorCode::io, "cannot read the password from " + std::string(source));
    if (line.size() > k_max_password_bytes) {
        return make_error(ErrorCode::too_large, "the password in " + std::string(source) + " is longer than " +
                                                    std::to_string(k_max_password_bytes) + " bytes");
    }
    if (line.ends_with('\r')) line.pop_back();
    if (line.empty()) return make_error(ErrorCode::invalid_input, "no password in " + std::string(source));
    return line;
}

Result<std::string> read_password_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::not_found, "cannot read rpc_password_file '" + path.string() + "'");
    return read_password_line(in, "rpc_password_file '" + path.string() + "'");
}

Result<bool> hash_config_password(const std::filesystem::path& config, const PasswordHash& in_use) {
    std::error_code ec;
    const auto path = std::filesystem::canonical(config, ec);  // a link's target is rewritten
    if (ec) return make_error(ErrorCode::not_found, "cannot find '" + config.string() + "'");
    auto bytes = read_whole(path);
    if (!bytes) return bytes.error();
    toml::table table;
    try {
        table = toml::parse(*bytes);
    } catch (const toml::parse_error&) {
        return make_error(ErrorCode::invalid_input, "'" + path.string() + "' is not valid TOML");
    }
    const toml::node* node = password_node(table);
    const auto plain = node ? node->value<std::string>() : std::nullopt;
    if (!plain || !node->is_string() || plain->empty() || looks_like_password_hash(*plain)) return false;

    // The value's place: its line, and its column counted in code points.
    const auto& where = node->source().begin;
    std::size_t line_start = 0;
    for (std::size_t line = 1; line < where.line; ++line) {
        line_start = bytes->find('\n', line_start);
        if (line_start == std::string::npos) return make_error("cannot find rpc_password in '" + path.string() + "'");
        ++line_start;
    }
    const std::string_view line =
        std::string_view(*bytes).substr(line_start, bytes->find('\n', line_start) - line_start);
    const std::size_t start = line_start + byte_offset(line, where.column);
    const std::size_t length = literal_length(std::string_view(*bytes).substr(start, line_start + line.size() - start));
    if (length == 0) {
        return make_error(ErrorCode::invalid_input,
                          "rpc_password in '" + path.string() + "' is not a one-line string I can replace");
    }
    const std::string hash = to_text(verify_password(in_use, *plain) ? in_use : hash_password(*plain));
    std::string rewritten = *bytes;
    rewritten.replace(start, length, "'" + hash + "'");

    // The new file must say the same, the password aside.
    try {
        toml::table check = toml::parse(rewritten);
        const toml::node* replaced = password_node(check);
        if (!replaced || replaced->value<std::string>() != hash) throw std::runtime_error("changed");
        check.erase(table.contains("rpc_password") ? "rpc_password" : "rpc-password");
        table.erase(table.contains("rpc_password") ? "rpc_password" : "rpc-password");
        if (check != table) throw std::runtime_error("changed");
    } catch (const std::exception&) {
        return make_error(ErrorCode::other, "replacing rpc_password in '" + path.string() + "' went wrong");
    }
    auto written = replace_file_durably(path, rewritten);
    if (!written) return written.error();
    return true;
}

}  // namespace shoal::daemon
