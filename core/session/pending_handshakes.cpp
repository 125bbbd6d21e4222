#include "session/pending_handshakes.hpp"

#include <algorithm>

namespace shoal {

bool PendingHandshakes::admit(net::PeerStream& stream, const Address& address) {
    const auto same = by_address_.find(address);
    if (same != by_address_.end() && same->second >= per_address_) return false;
    if (oldest_first_.size() - closing_ >= capacity_) {
        auto oldest = std::find_if(oldest_first_.begin(), oldest_first_.end(), [](const Entry& e) { return !e.closing; });
        if (oldest != oldest_first_.end()) {
            oldest->closing = true;
            ++closing_;
            oldest->stream->close();
        }
    }
    oldest_first_.push_back({&stream, address});
    ++by_address_[address];
    return true;
}

void PendingHandshakes::ended(const net::PeerStream& stream) {
    const auto it = std::find_if(oldest_first_.begin(), oldest_first_.end(),
                                 [&](const Entry& e) { return e.stream == &stream; });
    if (it == oldest_first_.end()) return;
    if (it->closing) --closing_;
    if (--by_address_[it->address] == 0) by_address_.erase(it->address);
    oldest_first_.erase(it);
}

}  // namespace shoal
