// Seeds: corpus/fuzz_tracker_http/ beside this file.
// Fuzzes what an HTTP client controls: the request head as the tracker reads it
// (http_request), then the target through the router (query parsing, store, reply encoding).

#include <cstdint>
#include <string_view>

#include "tracker/address.hpp"
#include "tracker/http_query.hpp"
#include "tracker/http_request.hpp"
#include "tracker/http_router.hpp"

namespace tr = shoal::tracker;

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

    if (size > world.config.max_header_bytes)
        return 0;
    tr::HttpRequestHead head;
    if (tr::parse_request_head(text, head).status != tr::HeadStatus::complete)
        return 0;
    if (head.size > size || head.target.empty())
        __builtin_trap();  // the views must lie inside the input
    tr::HttpRequestView view;
    view.target = head.target;
    view.peer = *tr::parse_ip((size % 2) ? "127.0.0.1" : "2001:db8::1");
    view.x_real_ip = head.x_real_ip;
    view.x_forwarded_for = head.x_forwarded_for;
    (void)world.router.handle(view);
    return 0;
}
