#pragma once
// Value types shared by the tracker's parsers, store and frontends.

#include <cstring>

#include "tracker_protocol/announce.hpp"
#include "tracker_protocol/reply_values.hpp"

namespace shoal::tracker {

using tracker_protocol::AnnounceEvent;
using tracker_protocol::Family;
using tracker_protocol::FamilyMask;
using tracker_protocol::InfoHash;
using tracker_protocol::IpAddress;
using tracker_protocol::PeerEndpoint;
using tracker_protocol::PeerId;
using tracker_protocol::PeerInfo;
using tracker_protocol::SwarmCounts;

}  // namespace shoal::tracker
