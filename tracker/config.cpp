#include "tracker/config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>
#include <variant>

#include "tracker/address.hpp"
#include "tracker/redis_url.hpp"

namespace shoal::tracker {
namespace {

using Member = std::variant<bool Config::*, std::uint32_t Config::*, std::string Config::*,
                            std::vector<std::string> Config::*>;

struct KeySpec {
    std::string_view section;
    std::string_view name;
    Member member;
    std::string_view help;
    std::uint32_t min = 0;
    std::uint32_t max = 0xFFFFFFFFu;
};

constexpr std::uint32_t k_day = 86400;

const std::vector<KeySpec>& specs() {
    static const std::vector<KeySpec> s = {
        {"listen", "http", &Config::http, "HTTP HOST:PORT; \"\" or \"off\" disables"},
        {"listen", "udp", &Config::udp, "UDP HOST:PORT; \"\" or \"off\" disables"},
        {"listen", "threads", &Config::threads, "network threads; 0 means one per core", 0, 256},
        {"announce", "interval", &Config::interval, "seconds clients wait between announces", 10,
         k_day},
        {"announce", "interval_jitter", &Config::interval_jitter,
         "up to this many seconds added to each interval", 0, k_day},
        {"announce", "min_interval", &Config::min_interval, "seconds clients must wait at least", 1,
         k_day},
        {"announce", "peer_timeout", &Config::peer_timeout,
         "seconds without an announce before a peer is dropped", 10, 7 * k_day},
        {"announce", "numwant_default", &Config::numwant_default,
         "peers sent when a client does not ask", 0, 1000},
        {"announce", "numwant_max", &Config::numwant_max, "most peers sent in one reply", 0, 1000},
        {"announce", "accept_ip_param", &Config::accept_ip_param,
         "believe the `ip` parameter of HTTP announces"},
        {"http", "max_connections", &Config::max_connections, "open HTTP connections at most", 1,
         1000000},
        {"http", "max_header_bytes", &Config::max_header_bytes, "largest request header", 512,
         1 << 20},
        {"http", "max_body_bytes", &Config::max_body_bytes, "largest request body", 0, 1 << 20},
        {"http", "request_timeout", &Config::request_timeout,
         "seconds to receive one request (and to wait for the next on keep-alive)", 1, 3600},
        {"http", "max_scrape_hashes", &Config::max_scrape_hashes, "info-hashes per scrape", 1,
         10000},
        {"http", "full_scrape", &Config::full_scrape, "answer /scrape without info_hash"},
        {"http", "metrics", &Config::metrics, "serve /metrics (Prometheus) and /stats (JSON)"},
        {"http", "trusted_proxies", &Config::trusted_proxies,
         "addresses whose X-Forwarded-For / X-Real-IP header is believed"},
        {"udp", "key_rotation", &Config::key_rotation, "seconds between connection-id key changes",
         150, k_day},
        {"udp", "secret_file", &Config::secret_file,
         "a file with a secret (16 bytes or more) shared by instances that accept each other's "
         "connection ids; \"\" keeps random keys"},
        {"access", "mode", &Config::mode, "off, allow (only listed torrents) or deny (all but)"},
        {"access", "list_file", &Config::list_file, "info-hashes, 40 hex digits a line"},
        {"access", "private", &Config::private_mode, "require /PASSKEY/announce"},
        {"access", "keys_file", &Config::keys_file, "passkeys, one a line"},
        {"store", "shards", &Config::shards, "in-memory swarm store shards (locks)", 1, 4096},
        {"store", "url", &Config::url,
         "Redis shared by instances: redis://[USER:PASSWORD@]HOST[:PORT][/DB], rediss://... "
         "(TLS) or unix:///PATH[?db=N]; \"\" keeps the swarms in memory"},
        {"store", "prefix", &Config::prefix, "prefix of every Redis key"},
        {"store", "max_pending", &Config::max_pending,
         "Redis requests waiting for an answer per thread; more are refused at once", 1, 1000000},
        {"store", "timeout_ms", &Config::timeout_ms,
         "milliseconds without an answer after which the Redis connection is made anew", 50,
         60000},
        {"log", "requests", &Config::log_requests, "one log line per request"},
    };
    return s;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string key_name(const KeySpec& k) {
    return std::string(k.section) + "." + std::string(k.name);
}

std::optional<Error> assign(Config& config, const KeySpec& spec, const toml::node& node) {
    const std::string name = key_name(spec);
    return std::visit(
        [&](auto member) -> std::optional<Error> {
            using T = std::remove_reference_t<decltype(config.*member)>;
            if constexpr (std::is_same_v<T, bool>) {
                auto v = node.value_exact<bool>();
                if (!v)
                    return make_error(name + " must be true or false");
                config.*member = *v;
            } else if constexpr (std::is_same_v<T, std::uint32_t>) {
                auto v = node.value_exact<std::int64_t>();
                if (!v)
                    return make_error(name + " must be an integer");
                if (*v < spec.min || *v > spec.max) {
                    return make_error(name + " must be between " + std::to_string(spec.min) +
                                      " and " + std::to_string(spec.max));
                }
                config.*member = static_cast<std::uint32_t>(*v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                auto v = node.value_exact<std::string>();
                if (!v)
                    return make_error(name + " must be a string");
                config.*member = *v;
            } else {
                const toml::array* arr = node.as_array();
                if (arr == nullptr)
                    return make_error(name + " must be an array of strings");
                std::vector<std::string> list;
                for (const auto& item : *arr) {
                    auto v = item.value_exact<std::string>();
                    if (!v)
                        return make_error(name + " must be an array of strings");
                    list.push_back(*v);
                }
                config.*member = std::move(list);
            }
            return std::nullopt;
        },
        spec.member);
}

}  // namespace

Result<Config> parse_config(std::string_view toml_text, Config base) {
    toml::table root;
    try {
        root = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << "config line " << e.source().begin.line << ": " << e.description();
        return make_error(msg.str());
    }
    for (const auto& [section_key, section_node] : root) {
        const std::string_view section = section_key.str();
        const toml::table* table = section_node.as_table();
        bool known_section = false;
        for (const auto& s : specs())
            known_section = known_section || s.section == section;
        if (!known_section)
            return make_error("unknown config key '" + std::string(section) + "'");
        if (table == nullptr) {
            return make_error("config key '" + std::string(section) + "' must be a table");
        }
        for (const auto& [key, node] : *table) {
            const KeySpec* spec = nullptr;
            for (const auto& s : specs()) {
                if (s.section == section && s.name == key.str())
                    spec = &s;
            }
            if (spec == nullptr) {
                return make_error("unknown config key '" + std::string(section) + "." +
                                  std::string(key.str()) + "'");
            }
            if (auto err = assign(base, *spec, node))
                return *err;
        }
    }
    return base;
}

Result<Config> load_config_file(const std::string& path, Config base) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error("cannot open config file " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_config(ss.str(), std::move(base));
    if (!parsed)
        return make_error(path + ": " + parsed.error().message);
    return parsed;
}

Result<Config> validate_config(Config c) {
    if (c.min_interval > c.interval) {
        return make_error("announce.min_interval must not exceed announce.interval");
    }
    if (c.peer_timeout <= c.interval + c.interval_jitter) {
        return make_error(
            "announce.peer_timeout must exceed announce.interval + announce.interval_jitter");
    }
    if (c.numwant_default > c.numwant_max) {
        return make_error("announce.numwant_default must not exceed announce.numwant_max");
    }
    if (c.mode != "off" && c.mode != "allow" && c.mode != "deny") {
        return make_error("access.mode must be \"off\", \"allow\" or \"deny\"");
    }
    for (const auto* listen : {&c.http, &c.udp}) {
        if (is_disabled(*listen))
            continue;
        if (!parse_listen_address(*listen)) {
            return make_error("bad listen address '" + *listen + "' (want HOST:PORT)");
        }
    }
    if (!c.url.empty()) {
        auto url = parse_redis_url(c.url);
        if (!url)
            return url.error();
        if (c.full_scrape)
            return make_error("http.full_scrape needs the in-memory store (store.url = \"\")");
        if (c.prefix.size() > 256)
            return make_error("store.prefix is longer than 256 bytes");
    }
    for (const auto& p : c.trusted_proxies) {
        if (!parse_ip(p))
            return make_error("http.trusted_proxies: bad address '" + p + "'");
    }
    return c;
}

std::string print_config(const Config& config) {
    std::string out = "# shoal-tracker configuration; every key with its value.\n";
    std::string_view section;
    for (const auto& spec : specs()) {
        if (spec.section != section) {
            section = spec.section;
            out += "\n[" + std::string(section) + "]\n";
        }
        out += "# " + std::string(spec.help) + "\n" + std::string(spec.name) + " = ";
        std::visit(
            [&](auto member) {
                using T = std::remove_cvref_t<decltype(config.*member)>;
                const auto& v = config.*member;
                if constexpr (std::is_same_v<T, bool>) {
                    out += v ? "true" : "false";
                } else if constexpr (std::is_same_v<T, std::uint32_t>) {
                    out += std::to_string(v);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    // A password in the store's URL is not shown.
                    std::string shown = v;
                    if (spec.name == "url" && !v.empty()) {
                        if (auto url = parse_redis_url(v))
                            shown = url->redacted(v);
                    }
                    out += quote(shown);
                } else {
                    out += "[";
                    for (std::size_t i = 0; i < v.size(); ++i) {
                        out += (i ? ", " : "") + quote(v[i]);
                    }
                    out += "]";
                }
            },
            spec.member);
        out += "\n";
    }
    return out;
}

}  // namespace shoal::tracker
