#include "cli/torrent_output.hpp"

#include <fstream>

namespace fs = std::filesystem;

namespace shoal::cli {

std::vector<Tier> tiers_from(const std::vector<std::string>& args) {
    std::vector<Tier> tiers;
    for (const auto& arg : args) {
        Tier tier;
        std::string_view rest = arg;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view url = rest.substr(0, comma);
            if (!url.empty()) tier.emplace_back(url);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        if (!tier.empty()) tiers.push_back(std::move(tier));
    }
    return tiers;
}

Result<bool> write_torrent_file(const fs::path& path, const std::string& bytes, bool overwrite) {
    std::error_code ec;
    if (!overwrite && fs::exists(path, ec)) {
        return make_error("'" + path.string() + "' already exists (use --force to overwrite)");
    }
    const fs::path partial = path.string() + ".part";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            fs::remove(partial, ec);
            return make_error("cannot write '" + path.string() + "'");
        }
    }
    fs::rename(partial, path, ec);
    if (ec) {
        fs::remove(partial, ec);
        return make_error("cannot write '" + path.string() + "': " + ec.message());
    }
    return true;
}

}  // namespace shoal::cli
