// Seeds: corpus/fuzz_tracker_http/ beside this file.
// Fuzzes what an HTTP client controls: the request as Beast parses it with the tracker's
// limits, then the target through the router (query parsing, store, reply encoding).

#include <boost/beast/http.hpp>

#include <cstdint>
#include <string_view>

#include "tracker/address.hpp"
#include "tracker/http_query.hpp"
#include "tracker/http_router.hpp"

namespace tr = shoal::tracker;
namespace http = boost::beast::http;

namespace {

struct World {
    tr::Config config;
    tr::SwarmStore store{tr::StoreOptions{4, 2400, 1}};
    tr::SharedSnapshot<tr::AccessPolicy> access{std::make_shared<const tr::AccessPolicy>()};
    tr::Metrics metrics;
    tr::AnnounceService service{config, store, access, metrics, 1};
    std::uint32_t now = 1000;
    tr::HttpRouter router{service, {*tr::parse_ip("127.0.0.1")}, [this] { return ++now; }};
    World() {
        config.full_scrape = true;
        config.accept_ip_param = true;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World world;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)tr::parse_announce_query(text);
    (void)tr::parse_scrape_query(text, 64);

    http::request_parser<http::string_body> parser;
    parser.header_limit(world.config.max_header_bytes);
    parser.body_limit(world.config.max_body_bytes);
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec || !parser.is_header_done())
        return 0;
    const auto& req = parser.get();
    tr::HttpRequestView view;
    view.target = {req.target().data(), req.target().size()};
    view.peer = *tr::parse_ip((size % 2) ? "127.0.0.1" : "2001:db8::1");
    const auto real_ip = req["X-Real-IP"];
    const auto forwarded = req["X-Forwarded-For"];
    view.x_real_ip = {real_ip.data(), real_ip.size()};
    view.x_forwarded_for = {forwarded.data(), forwarded.size()};
    (void)world.router.handle(view);
    return 0;
}
