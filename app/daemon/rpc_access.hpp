#pragma once
// Who may use the RPC server, checked in this order before a request is read: the client's
// address (403), the Host header against DNS rebinding (421), HTTP Basic credentials (401),
// and, for the RPC, the X-Transmission-Session-Id header against cross-site requests (409).

#include <boost/asio/ip/address.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/hasher.hpp"
#include "daemon/password_hash.hpp"
#include "util/result.hpp"

namespace shoal::daemon {

// An address and how many of its leading bits must match ("192.168.1.0/24", "::1").
struct AddressRange {
    boost::asio::ip::address network;
    unsigned prefix = 0;
};

Result<AddressRange> parse_address_range(std::string_view text);
// IPv4-mapped IPv6 addresses (a dual-stack socket's IPv4 clients) match IPv4 ranges.
bool in_range(const boost::asio::ip::address& address, const AddressRange& range);

struct Refusal {
    unsigned status = 0;
    std::string message;
    std::vector<std::pair<std::string, std::string>> headers;
};

// The credentials last accepted, remembered as a digest under a random key of this process
// (never the password): a client sends the same Authorization header with every request, and
// each PBKDF2 check costs milliseconds. The digest covers the user name and the stored hash,
// so a changed password or user is never matched by it. Wrong credentials always pay the
// full check.
class AcceptedCredentials {
public:
    AcceptedCredentials();
    bool matches(std::string_view username, const PasswordHash& password, std::string_view given) const;
    void remember(std::string_view username, const PasswordHash& password, std::string_view given);

private:
    Sha256Hash digest(std::string_view username, const PasswordHash& password, std::string_view given) const;
    std::string key_;
    std::optional<Sha256Hash> accepted_;
};

struct RpcAccess {
    std::vector<AddressRange> whitelist;
    // Host names besides IP literals and localhost; compared without case.
    std::vector<std::string> host_whitelist;
    std::string username;  // empty: no authentication
    PasswordHash password;
    mutable AcceptedCredentials accepted;
    std::string session_id;
    // Told of each refusal with the client's address (IPv4-mapped ones as IPv4), for the log.
    std::function<void(const Refusal&, const boost::asio::ip::address& client)> refused;
};

struct RequestCredentials {
    boost::asio::ip::address client;
    std::string_view host;           // the Host header, "" when absent
    std::string_view authorization;  // the Authorization header
    std::string_view session_id;     // the X-Transmission-Session-Id header
    bool needs_session_id = true;    // false off the RPC path: the web page, and 404s
};

// nullopt when the request may go on to its method.
std::optional<Refusal> check_access(const RpcAccess& access, const RequestCredentials& request);

// True when the Host header (a port allowed) is an IP literal, localhost, or a listed name.
bool host_allowed(std::string_view host, const std::vector<std::string>& host_whitelist);

// Equal in time that depends on neither content nor length.
bool secrets_equal(std::string_view a, std::string_view b);

// 48 random characters from [A-Za-z0-9].
std::string make_session_id();

}  // namespace shoal::daemon
