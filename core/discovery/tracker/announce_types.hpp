#pragma once
// Values exchanged with trackers, shared by the HTTP and UDP clients and the announcer.

#include "tracker_protocol/announce.hpp"

namespace shoal::tracker_client {

using tracker_protocol::AnnounceRequest;
using tracker_protocol::AnnounceResponse;
using tracker_protocol::event_name;
using tracker_protocol::PeerId;
using tracker_protocol::ScrapeEntry;
using tracker_protocol::ScrapeResponse;
using TrackerEvent = tracker_protocol::AnnounceEvent;

}  // namespace shoal::tracker_client
