#include "cli/config_file.hpp"

#include <toml++/toml.h>

#include <algorithm>

namespace shoal::cli {
namespace {

constexpr std::size_t k_max_config_bytes = 64 * 1024;

// The config file named by --config FILE or --config=FILE, and its place in `args`.
std::optional<std::pair<std::string, std::size_t>> config_argument(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) return std::pair{args[i + 1], i};
        if (args[i].starts_with("--config=")) return std::pair{args[i].substr(9), i};
    }
    return std::nullopt;
}

bool given(const std::vector<std::string>& args, const std::string& name) {
    const std::string flag = "--" + name;
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
        return a == flag || a.starts_with(flag + "=");
    });
}

std::optional<std::string> scalar_text(const toml::node& node) {
    if (auto s = node.value<std::string>()) return *s;
    if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
    if (node.is_floating_point()) return std::to_string(*node.value<double>());
    return std::nullopt;
}

}  // namespace

Result<std::vector<std::string>> apply_config_file(const CLI::App& app, std::vector<std::string> args) {
    if (args.empty()) return args;
    const CLI::App* command = nullptr;
    for (const CLI::App* sub : app.get_subcommands({})) {
        if (sub->get_name() == args[0]) command = sub;
    }
    if (!command) return args;
    auto expanded = apply_command_config_file(*command, std::vector<std::string>(args.begin() + 1, args.end()));
    if (!expanded) return expanded.error();
    expanded->insert(expanded->begin(), args[0]);
    return expanded;
}

Result<std::vector<std::string>> apply_command_config_file(const CLI::App& command, std::vector<std::string> args,
                                                           const std::vector<std::string>& not_keys) {
    const auto config = config_argument(args);
    if (!config) return args;
    const std::string& path = config->first;
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) > k_max_config_bytes || ec) {
        return make_error(ec ? "cannot read config file '" + path + "'" : "config file '" + path + "' is too large");
    }
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return make_error("config file '" + path + "': " + std::string(e.description()) + " (line " +
                          std::to_string(e.source().begin.line) + ")");
    }
    std::vector<std::string> added;
    auto add_value = [&](const std::string& flag, const std::string& text) {
        // `--name=` with nothing after it would take the next argument as its value.
        if (text.empty()) {
            added.push_back(flag);
            added.push_back("");
        } else {
            added.push_back(flag + "=" + text);
        }
    };
    for (const auto& [key, node] : table) {
        // `port_mapping` and `port-mapping` both name --port-mapping.
        const std::string written(key.str());
        std::string name = written;
        std::replace(name.begin(), name.end(), '_', '-');
        auto find_option = [&](const std::string& wanted) -> const CLI::Option* {
            if (std::find(not_keys.begin(), not_keys.end(), wanted) != not_keys.end()) return nullptr;
            for (const CLI::Option* o : command.get_options()) {
                const auto& names = o->get_lnames();
                if (std::find(names.begin(), names.end(), wanted) != names.end()) return o;
            }
            return nullptr;
        };
        const CLI::Option* option = find_option(name);
        // `utp = false` for the switch `--no-utp` (and `utp = true` for leaving it off).
        if (!option && find_option("no-" + name)) {
            if (!node.is_boolean())
                return make_error("config file '" + path + "': '" + written + "' takes true or false");
            if (given(args, "no-" + name)) continue;
            if (!*node.value<bool>()) added.push_back("--no-" + name);
            continue;
        }
        if (!option) return make_error("config file '" + path + "': unknown key '" + written + "'");
        if (given(args, name)) continue;  // the command line wins
        const std::string flag = "--" + name;
        if (auto b = node.value<bool>(); b && node.is_boolean()) {
            if (*b) added.push_back(flag);
        } else if (const auto* array = node.as_array()) {
            for (const auto& item : *array) {
                auto text = scalar_text(item);
                if (!text) return make_error("config file '" + path + "': bad value in '" + written + "'");
                add_value(flag, *text);
            }
        } else if (auto text = scalar_text(node)) {
            add_value(flag, *text);
        } else {
            return make_error("config file '" + path + "': bad value for '" + written + "'");
        }
    }
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(config->second),
               args.begin() + static_cast<std::ptrdiff_t>(config->second) + (args[config->second] == "--config" ? 2 : 1));
    args.insert(args.begin(), added.begin(), added.end());
    return args;
}

}  // namespace shoal::cli
