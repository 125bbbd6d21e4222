#include "tracker/metrics.hpp"

#include <boost/json.hpp>

namespace shoal::tracker {
namespace {

constexpr std::array<std::string_view, 2> k_protocols = {"http", "udp"};

}  // namespace

std::string_view error_kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::bad_request:
            return "bad_request";
        case ErrorKind::access_denied:
            return "access_denied";
        case ErrorKind::bad_passkey:
            return "bad_passkey";
        case ErrorKind::bad_connection_id:
            return "bad_connection_id";
        case ErrorKind::bad_packet:
            return "bad_packet";
        case ErrorKind::http_parse:
            return "http_parse";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::connection_limit:
            return "connection_limit";
        case ErrorKind::not_found:
            return "not_found";
        case ErrorKind::internal:
            return "internal";
        case ErrorKind::store_unavailable:
            return "store_unavailable";
        case ErrorKind::store_busy:
            return "store_busy";
        case ErrorKind::count_:
            break;
    }
    return "unknown";
}

std::string Metrics::prometheus(const StoreTotals* totals, const StoreHealth* store) const {
    std::string out;
    auto line = [&out](std::string_view name, std::string_view labels, std::uint64_t v) {
        out += name;
        out += labels;
        out += ' ';
        out += std::to_string(v);
        out += '\n';
    };
    out += "# HELP shoal_tracker_announces_total Announces answered.\n";
    out += "# TYPE shoal_tracker_announces_total counter\n";
    for (std::size_t i = 0; i < k_protocols.size(); ++i) {
        line("shoal_tracker_announces_total", "{protocol=\"" + std::string(k_protocols[i]) + "\"}",
             load(announces_[i]));
    }
    out += "# HELP shoal_tracker_scrapes_total Scrapes answered.\n";
    out += "# TYPE shoal_tracker_scrapes_total counter\n";
    for (std::size_t i = 0; i < k_protocols.size(); ++i) {
        line("shoal_tracker_scrapes_total", "{protocol=\"" + std::string(k_protocols[i]) + "\"}",
             load(scrapes_[i]));
    }
    out += "# HELP shoal_tracker_udp_connects_total UDP connection ids issued.\n";
    out += "# TYPE shoal_tracker_udp_connects_total counter\n";
    line("shoal_tracker_udp_connects_total", "", load(connects_));
    out += "# HELP shoal_tracker_errors_total Requests refused or dropped, by kind.\n";
    out += "# TYPE shoal_tracker_errors_total counter\n";
    for (std::size_t i = 0; i < errors_.size(); ++i) {
        line("shoal_tracker_errors_total",
             "{kind=\"" + std::string(error_kind_name(static_cast<ErrorKind>(i))) + "\"}",
             load(errors_[i]));
    }
    auto gauge = [&](std::string_view name, std::string_view help, std::int64_t v) {
        out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
        out += "# TYPE " + std::string(name) + " gauge\n";
        line(name, "", static_cast<std::uint64_t>(std::max<std::int64_t>(0, v)));
    };
    if (totals != nullptr) {
        gauge("shoal_tracker_torrents", "Torrents with peers.", totals->torrents);
        gauge("shoal_tracker_peers", "Peers in all swarms.", totals->seeders + totals->leechers);
        gauge("shoal_tracker_seeders", "Seeders in all swarms.", totals->seeders);
        gauge("shoal_tracker_leechers", "Leechers in all swarms.", totals->leechers);
    }
    if (store != nullptr) {
        gauge("shoal_tracker_store_up", "1 when every thread's connection to the store is up.",
              store->available() ? 1 : 0);
        gauge("shoal_tracker_store_pending", "Requests waiting for the store's answer.",
              store->pending());
    }
    gauge("shoal_tracker_http_connections", "Open HTTP connections.", open_connections());
    return out;
}

std::string Metrics::json(const StoreTotals* totals, const StoreHealth* store,
                          std::uint64_t uptime_seconds) const {
    boost::json::object o;
    o["uptime_seconds"] = uptime_seconds;
    if (totals != nullptr) {
        o["torrents"] = totals->torrents;
        o["peers"] = totals->seeders + totals->leechers;
        o["seeders"] = totals->seeders;
        o["leechers"] = totals->leechers;
    }
    if (store != nullptr) {
        o["store_up"] = store->available();
        o["store_pending"] = store->pending();
    }
    boost::json::object announces, scrapes, errors;
    for (std::size_t i = 0; i < k_protocols.size(); ++i) {
        announces[k_protocols[i]] = load(announces_[i]);
        scrapes[k_protocols[i]] = load(scrapes_[i]);
    }
    for (std::size_t i = 0; i < errors_.size(); ++i) {
        errors[error_kind_name(static_cast<ErrorKind>(i))] = load(errors_[i]);
    }
    o["announces"] = std::move(announces);
    o["scrapes"] = std::move(scrapes);
    o["udp_connects"] = load(connects_);
    o["errors"] = std::move(errors);
    return boost::json::serialize(o) + "\n";
}

}  // namespace shoal::tracker
