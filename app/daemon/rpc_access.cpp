#include "daemon/rpc_access.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "crypto/hasher.hpp"
#include "daemon/base64.hpp"

namespace shoal::daemon {
namespace {

using boost::asio::ip::address;

std::optional<address> parse_address(std::string_view text) {
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return a;
}

address unmapped(const address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    }
    return a;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && lower(text.substr(0, prefix.size())) == prefix;
}

}  // namespace

Result<AddressRange> parse_address_range(std::string_view text) {
    const auto slash = text.find('/');
    const auto a = parse_address(text.substr(0, slash));
    const std::string quoted = "'" + std::string(text) + "'";
    if (!a) return make_error(ErrorCode::invalid_input, quoted + " is not an IP address or CIDR range");
    const unsigned bits = a->is_v4() ? 32 : 128;
    AddressRange range{*a, bits};
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        unsigned prefix = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || prefix > bits) {
            return make_error(ErrorCode::invalid_input, quoted + " has an invalid prefix length");
        }
        range.prefix = prefix;
    }
    return range;
}

bool in_range(const address& client, const AddressRange& range) {
    const address a = unmapped(client);
    if (a.is_v4() != range.network.is_v4()) return false;
    auto matches = [&](const auto& x, const auto& y) {
        unsigned left = range.prefix;
        for (std::size_t i = 0; i < x.size() && left > 0; ++i) {
            const unsigned take = std::min(left, 8u);
            const auto mask = static_cast<unsigned char>(0xff << (8 - take));
            if ((x[i] & mask) != (y[i] & mask)) return false;
            left -= take;
        }
        return true;
    };
    if (a.is_v4()) return matches(a.to_v4().to_bytes(), range.network.to_v4().to_bytes());
    return matches(a.to_v6().to_bytes(), range.network.to_v6().to_bytes());
}

bool host_allowed(std::string_view host, const std::vector<std::string>& host_whitelist) {
    std::string_view name = host;
    if (name.starts_with('[')) {
        const auto close = name.find(']');
        if (close == std::string_view::npos) return false;
        const std::string_view rest = name.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) return false;
        const auto a = parse_address(name.substr(1, close - 1));
        return a && a->is_v6();
    }
    const auto colon = name.find(':');
    if (colon != std::string_view::npos) {
        // An IPv6 literal must be in brackets.
        if (name.find(':', colon + 1) != std::string_view::npos) return false;
        name = name.substr(0, colon);
    }
    if (name.empty()) return false;
    if (const auto a = parse_address(name); a && a->is_v4()) return true;
    std::string wanted = lower(name);
    if (wanted.ends_with('.')) wanted.pop_back();
    if (wanted == "localhost") return true;
    return std::any_of(host_whitelist.begin(), host_whitelist.end(), [&](const std::string& allowed) {
        std::string listed = lower(allowed);
        if (listed.ends_with('.')) listed.pop_back();
        return !listed.empty() && listed == wanted;
    });
}

bool secrets_equal(std::string_view a, std::string_view b) {
    const auto x = sha256(a);
    const auto y = sha256(b);
    return CRYPTO_memcmp(x.bytes.data(), y.bytes.data(), x.bytes.size()) == 0;
}

AcceptedCredentials::AcceptedCredentials() : key_(32, '\0') {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size())) != 1) {
        throw std::runtime_error("no random bytes for the credentials' key");
    }
}

Sha256Hash AcceptedCredentials::digest(std::string_view username, const PasswordHash& password,
                                       std::string_view given) const {
    const std::string lengths = std::to_string(username.size()) + ":" + std::to_string(password.hash.size()) + ":";
    return Sha256Hasher().update(key_).update(lengths).update(username).update(password.hash).update(given).final();
}

bool AcceptedCredentials::matches(std::string_view username, const PasswordHash& password,
                                  std::string_view given) const {
    if (!accepted_) return false;
    const Sha256Hash d = digest(username, password, given);
    return CRYPTO_memcmp(d.bytes.data(), accepted_->bytes.data(), d.bytes.size()) == 0;
}

void AcceptedCredentials::remember(std::string_view username, const PasswordHash& password, std::string_view given) {
    accepted_ = digest(username, password, given);
}

std::string make_session_id() {
    constexpr std::string_view k_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id;
    while (id.size() < 48) {
        unsigned char bytes[64];
        if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for the session id");
        for (unsigned char b : bytes) {
            // 62 * 4 = 248: bytes at or above it would favour some characters.
            if (b < 248 && id.size() < 48) id += k_chars[b % 62];
        }
    }
    return id;
}

namespace {

std::optional<Refusal> refusal(const RpcAccess& access, const RequestCredentials& request) {
    const bool listed = std::any_of(access.whitelist.begin(), access.whitelist.end(),
                                    [&](const AddressRange& r) { return in_range(request.client, r); });
    if (!listed) {
        return Refusal{403, "Unauthorized IP address: " + unmapped(request.client).to_string() +
                                " is not in rpc_whitelist", {}};
    }
    if (!host_allowed(request.host, access.host_whitelist)) {
        return Refusal{421, "Unrecognized Host header: add the name to rpc_host_whitelist, or use an IP address",
                       {}};
    }
    if (!access.username.empty()) {
        bool ok = false;
        if (starts_with_nocase(request.authorization, "basic ")) {
            std::string_view encoded = request.authorization.substr(6);
            while (encoded.starts_with(' ')) encoded.remove_prefix(1);
            if (const auto decoded = from_base64(encoded)) {
                const std::string_view given(*decoded);
                if (access.accepted.matches(access.username, access.password, given)) {
                    ok = true;
                } else {
                    // User names hold no colon; both halves are checked whatever the first gives.
                    const auto colon = std::min(given.find(':'), given.size());
                    const bool user_ok = secrets_equal(given.substr(0, colon), access.username);
                    const bool password_ok =
                        verify_password(access.password, given.substr(std::min(colon + 1, given.size())));
                    ok = user_ok && password_ok && colon < given.size();
                    if (ok) access.accepted.remember(access.username, access.password, given);
                }
            }
        }
        if (!ok) {
            return Refusal{401, "Unauthorized User", {{"WWW-Authenticate", "Basic realm=\"shoald\""}}};
        }
    }
    if (request.needs_session_id && !secrets_equal(request.session_id, access.session_id)) {
        return Refusal{409, "Invalid or missing X-Transmission-Session-Id: resend the request with the id "
                            "given in this answer's header",
                       {{"X-Transmission-Session-Id", access.session_id}}};
    }
    return std::nullopt;
}

}  // namespace

std::optional<Refusal> check_access(const RpcAccess& access, const RequestCredentials& request) {
    auto refused = refusal(access, request);
    if (refused && access.refused) access.refused(*refused, unmapped(request.client));
    return refused;
}

}  // namespace shoal::daemon
