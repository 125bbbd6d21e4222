-- wrk script: HTTP announces over TORRENTS torrents (same info-hashes as udp_load) with
-- random peer ids and ports. TORRENTS comes from the environment (default 10000).
local torrents = tonumber(os.getenv("TORRENTS") or "10000")

local function byte_at(i, shift)
    return math.floor(i / (2 ^ shift)) % 256
end

request = function()
    local i = math.random(0, torrents - 1)
    local hash = string.format("%%%02X%%%02X%%%02X%%%02X", byte_at(i, 24), byte_at(i, 16),
                               byte_at(i, 8), byte_at(i, 0)) .. "aaaaaaaaaaaaaaaa"
    local left = (math.random(0, 3) == 0) and "0" or "1000"
    local path = "/announce?info_hash=" .. hash ..
                 "&peer_id=-WK0001-" .. string.format("%012d", math.random(0, 999999999)) ..
                 "&port=" .. math.random(1024, 65000) ..
                 "&uploaded=0&downloaded=0&left=" .. left .. "&compact=1&numwant=50"
    return wrk.format("GET", path)
end
