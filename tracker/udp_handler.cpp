#include "tracker/udp_handler.hpp"

#include "tracker/address.hpp"
#include "tracker/http_router.hpp"
#include "tracker/log.hpp"
#include "tracker_protocol/udp_server_packets.hpp"

namespace shoal::tracker {

using tracker_protocol::parse_udp_request;
using tracker_protocol::UdpAnnounceRequest;
using tracker_protocol::UdpConnectRequest;
using tracker_protocol::UdpParsed;
using tracker_protocol::UdpScrapeRequest;
using tracker_protocol::k_udp_announce_head;
using tracker_protocol::write_udp_announce;
using tracker_protocol::write_udp_announce_head;
using tracker_protocol::write_udp_connect;
using tracker_protocol::write_udp_error;
using tracker_protocol::write_udp_scrape;

namespace {

// A request kept for a log line after the datagram it points into is gone.
Announce without_passkey(Announce r) {
    r.passkey = {};
    return r;
}

}  // namespace

std::string_view passkey_from_url_data(std::string_view url_data) {
    const ParsedTarget t = parse_target(url_data);
    return t.route == Route::announce ? t.passkey : std::string_view{};
}

UdpHandler::UdpHandler(AnnounceService& service, ConnectionIds& ids, Clock clock, Clock id_clock)
    : service_(service),
      ids_(ids),
      clock_(std::move(clock)),
      id_clock_(id_clock ? std::move(id_clock) : clock_) {}

bool UdpHandler::error(std::vector<std::uint8_t>& out, std::uint32_t transaction_id, ErrorKind kind,
                       std::string_view message) {
    service_.metrics().error(kind);
    if (service_.config().log_requests) {
        log_event(
            LogLevel::info, "udp_refused",
            {{"kind", std::string(error_kind_name(kind))}, {"message", std::string(message)}});
    }
    write_udp_error(out, transaction_id, message);
    return true;
}

void UdpHandler::log_announce(const Announce& r, std::uint64_t left, std::size_t peers,
                              const std::optional<Refusal>& refusal) const {
    if (!service_.config().log_requests)
        return;
    log_event(LogLevel::info, "udp_announce",
              {{"client", format_ip(r.endpoint.address)},
               {"port", std::to_string(r.endpoint.port)},
               {"event", std::to_string(static_cast<int>(r.event))},
               {"left", std::to_string(left)},
               {"peers", std::to_string(peers)},
               {"refused", refusal ? refusal->message : "no"}});
}

bool UdpHandler::handle(std::span<const std::uint8_t> packet, const PeerEndpoint& sender,
                        std::vector<std::uint8_t>& out, UdpReturnPath from) {
    UdpParsed parsed = parse_udp_request(packet);
    const std::uint32_t now = clock_();
    const std::uint32_t id_now = id_clock_();
    if (auto* c = std::get_if<UdpConnectRequest>(&parsed.request)) {
        service_.metrics().connect();
        write_udp_connect(out, c->transaction_id, ids_.issue(sender, id_now));
        return true;
    }
    if (auto* a = std::get_if<UdpAnnounceRequest>(&parsed.request)) {
        if (!ids_.verify(a->connection_id, sender, id_now)) {
            return error(out, a->transaction_id, ErrorKind::bad_connection_id, "bad connection id");
        }
        Announce r;
        r.info_hash = a->info_hash;
        r.endpoint.address = sender.address;
        if (service_.config().accept_ip_param && a->ip != 0 &&
            sender.address.family == Family::v4) {
            r.endpoint.address = IpAddress::v4(a->ip);
        }
        r.endpoint.port = a->port;
        r.event = a->event;
        r.seeding = a->left == 0;
        if (a->numwant >= 0)
            r.numwant = static_cast<std::uint32_t>(a->numwant);
        r.families = {sender.address.family == Family::v4, sender.address.family == Family::v6};
        r.numwant_limit = static_cast<std::uint32_t>(
            (k_udp_max_reply - 20) / (sender.address.family == Family::v4 ? 6 : 18));
        r.passkey = passkey_from_url_data(a->url_data);
        if (service_.answers_later()) {
            if (!can_answer_later(from))
                return error(out, a->transaction_id, ErrorKind::internal, "internal error");
            SavedPath to{*from.address, from.length};
            service_.announce_later(
                r, now,
                [this, to, r = without_passkey(r), left = a->left, transaction_id = a->transaction_id,
                 family = sender.address.family](AnnounceOutcome outcome,
                                                 std::vector<PeerInfo> peers) {
                    log_announce(r, left, peers.size(), outcome.refusal);
                    std::vector<std::uint8_t> reply;
                    if (outcome.refusal) {
                        error(reply, transaction_id, outcome.refusal->kind,
                              outcome.refusal->message);
                    } else {
                        service_.metrics().announce(Protocol::udp);
                        write_udp_announce(reply, transaction_id, outcome.interval,
                                           outcome.counts, peers, family);
                    }
                    late_->send_late(to.address, to.length, reply);
                });
            return false;
        }
        // The peers go straight into the reply, after its head.
        out.resize(k_udp_announce_head);
        const AnnounceOutcome outcome = service_.announce(r, now, out);
        const std::size_t peer_bytes = sender.address.family == Family::v4 ? 6 : 18;
        log_announce(r, a->left, (out.size() - k_udp_announce_head) / peer_bytes, outcome.refusal);
        if (outcome.refusal) {
            return error(out, a->transaction_id, outcome.refusal->kind, outcome.refusal->message);
        }
        service_.metrics().announce(Protocol::udp);
        write_udp_announce_head(out, a->transaction_id, outcome.interval, outcome.counts);
        return true;
    }
    if (auto* s = std::get_if<UdpScrapeRequest>(&parsed.request)) {
        if (!ids_.verify(s->connection_id, sender, id_now)) {
            return error(out, s->transaction_id, ErrorKind::bad_connection_id, "bad connection id");
        }
        // BEP 41 carries no URL data on scrapes, so a private tracker cannot check a key.
        if (service_.answers_later()) {
            if (!can_answer_later(from))
                return error(out, s->transaction_id, ErrorKind::internal, "internal error");
            SavedPath to{*from.address, from.length};
            service_.scrape_later(
                s->info_hashes, {},
                [this, to, transaction_id = s->transaction_id](
                    std::optional<Refusal> refusal, std::vector<ScrapeResult> results) {
                    std::vector<std::uint8_t> reply;
                    if (refusal) {
                        const bool passkey = refusal->kind == ErrorKind::bad_passkey;
                        error(reply, transaction_id, refusal->kind,
                              passkey ? "scrape needs a passkey" : refusal->message);
                    } else {
                        std::vector<SwarmCounts> counts;
                        counts.reserve(results.size());
                        for (const auto& e : results)
                            counts.push_back(e.counts);
                        service_.metrics().scrape(Protocol::udp);
                        write_udp_scrape(reply, transaction_id, counts);
                    }
                    late_->send_late(to.address, to.length, reply);
                });
            return false;
        }
        if (auto refusal = service_.scrape(s->info_hashes, {}, scrape_)) {
            return error(out, s->transaction_id, refusal->kind, "scrape needs a passkey");
        }
        counts_.clear();
        for (const auto& e : scrape_)
            counts_.push_back(e.counts);
        service_.metrics().scrape(Protocol::udp);
        write_udp_scrape(out, s->transaction_id, counts_);
        return true;
    }
    service_.metrics().error(ErrorKind::bad_packet);
    if (!parsed.transaction_id)
        return false;
    write_udp_error(out, *parsed.transaction_id, parsed.error);
    // An error to a possibly spoofed source must not be larger than what arrived.
    return out.size() <= packet.size();
}

}  // namespace shoal::tracker
