#include "daemon/rpc_methods.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "control/stored_torrent.hpp"
#include "daemon/base64.hpp"
#include "daemon/rpc_torrent_fields.hpp"
#include "daemon/rpc_values.hpp"
#include "metainfo/magnet.hpp"
#include "metainfo/torrent_info.hpp"

namespace json = boost::json;

namespace shoal::daemon {
namespace {

using control::TorrentSummary;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return text;
}

// The key a torrent is kept under, from the request (to find a duplicate); "" when unknown.
std::string request_key(const control::AddTorrent& request) {
    if (!request.metainfo.empty()) {
        auto info = parse_torrent(request.metainfo);
        return info ? control::stored_id(*info) : std::string{};
    }
    auto magnet = parse_magnet(request.magnet);
    if (!magnet) return {};
    if (magnet->info_hash_v1) return magnet->info_hash_v1->hex();
    if (magnet->info_hash_v2) return magnet->info_hash_v2->hex();
    return {};
}

json::object torrent_brief(const TorrentSummary& s) {
    return json::object{{"id", s.id.value}, {"name", s.name}, {"hashString", s.store_id}};
}

Result<std::string> read_torrent_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return make_error(ErrorCode::not_found, "cannot read '" + path.string() + "': " + ec.message());
    if (size > k_max_torrent_file_bytes) return make_error(ErrorCode::too_large, "'" + path.string() + "' is too large");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) return make_error(ErrorCode::io, "cannot read '" + path.string() + "'");
    return bytes.str();
}

// torrent-add arguments that would change what is downloaded or how; refused, not ignored.
constexpr std::string_view k_file_choices[] = {"files-wanted", "files-unwanted", "priority-high", "priority-low",
                                               "priority-normal"};

// torrent-add's file choices, for a torrent whose files are known.
Result<Done> choose_files(const json::object& args, control::AddTorrent& request) {
    const bool any = std::any_of(std::begin(k_file_choices), std::end(k_file_choices),
                                 [&](std::string_view key) { return args.contains(key); });
    if (!any) return Done{};
    if (request.metainfo.empty()) {
        return make_error("torrent-add: files can be chosen only once the torrent's files are known; "
                          "use torrent-set after its metadata arrives");
    }
    auto info = parse_torrent(request.metainfo);
    if (!info) return info.error();
    return apply_file_choices(args, *info, request.file_priorities);
}

}  // namespace

RpcMethods::RpcMethods(control::TorrentControl& control, DaemonFacts facts,
                       std::function<std::chrono::steady_clock::time_point()> now)
    : control_(control),
      facts_(std::move(facts)),
      now_(std::move(now)),
      started_(now_()),
      config_(runtime_settings(facts_)),
      runtime_(config_),
      saved_(facts_.saved_settings) {
    if (auto loaded = saved_.load(); !loaded) problems_.push_back(loaded.error().message);
    const RuntimeSettings kept = saved_.over(config_);
    if (runtime_values(kept, SpeedUnits::bytes) == runtime_values(config_, SpeedUnits::bytes)) return;
    if (auto applied = apply_runtime(kept); !applied) {
        problems_.push_back("the settings session-set changed are not applied: " + applied.error().message);
    }
}

namespace {

// The request's arguments; an empty object when it has none.
Result<const json::object*> arguments_of(const json::object& r) {
    static const json::object k_no_arguments;
    auto* a = r.if_contains("arguments");
    if (!a) return &k_no_arguments;
    if (!a->is_object()) return make_error("'arguments' is not an object");
    return &a->get_object();
}

bool is_web_url(std::string_view text) {
    const std::string start = lower(std::string(text.substr(0, 8)));
    return start.starts_with("http://") || start.starts_with("https://");
}

// The URL torrent-add is asked to fetch, or null.
const json::string* url_to_fetch(const json::object& r) {
    auto* m = r.if_contains("method");
    if (!m || !m->is_string() || m->get_string() != "torrent-add") return nullptr;
    auto args = arguments_of(r);
    if (!args || (*args)->contains("metainfo")) return nullptr;
    auto* filename = (*args)->if_contains("filename");
    if (!filename || !filename->is_string() || !is_web_url(filename->get_string())) return nullptr;
    return &filename->get_string();
}

// Methods that change nothing: answered while the torrents are still being restored.
bool answers_while_restoring(std::string_view method) {
    static constexpr std::string_view k_reading[] = {"session-get", "session-stats", "torrent-get", "free-space",
                                                     "port-test", "session-close"};
    return std::find(std::begin(k_reading), std::end(k_reading), method) != std::end(k_reading);
}

// What waits while restoring: enough for clients that send a few changes at start-up, and
// bounded, as each may be a large body.
constexpr std::size_t k_max_waiting = 256;
constexpr std::size_t k_max_waiting_bytes = 64 * 1024 * 1024;

}  // namespace

void RpcMethods::set_restoring(bool restoring) {
    restoring_ = restoring;
    if (restoring) return;
    waiting_bytes_ = 0;
    for (auto& w : std::exchange(waiting_, {})) handle(w.body, std::move(w.reply));
}

std::string RpcMethods::handle(std::string_view body) {
    std::string text;
    handle(body, [&](std::string answer) { text = std::move(answer); });
    return text;
}

void RpcMethods::handle(std::string_view body, std::function<void(std::string)> reply) {
    boost::system::error_code ec;
    json::value request = json::parse(body, ec);
    if (ec || !request.is_object()) {
        reply(json::serialize(json::object{{"arguments", json::object{}},
                                           {"result", "the request is not a JSON object"}}));
        return;
    }
    const json::object& r = request.get_object();
    if (restoring_) {
        auto m = r.if_contains("method");
        if (!m || !m->is_string() || !answers_while_restoring(m->get_string())) {
            if (waiting_.size() >= k_max_waiting || waiting_bytes_ + body.size() > k_max_waiting_bytes) {
                reply(answer_text(r, make_error(ErrorCode::unavailable,
                                                "shoald is still restoring its torrents; try again in a moment")));
                return;
            }
            waiting_bytes_ += body.size();
            waiting_.push_back({std::string(body), std::move(reply)});
            return;
        }
    }
    const json::string* url = url_to_fetch(r);
    if (!url || !fetch_) {
        auto m = r.if_contains("method");
        Answer result = [&]() -> Answer {
            auto args = arguments_of(r);
            if (!args) return args.error();
            if (!m || !m->is_string()) return make_error("no method name was given");
            return call(std::string_view(m->get_string()), **args);
        }();
        std::string text = answer_text(r, std::move(result));
        const bool closing = m && m->is_string() && m->get_string() == "session-close";
        reply(std::move(text));
        if (closing && close_) close_();
        return;
    }
    const json::object& args = **arguments_of(r);
    // What can be refused without the file is refused before anything is fetched.
    control::AddTorrent checked;
    if (auto options = read_add_options(args, checked); !options) return reply(answer_text(r, options.error()));
    std::string cookies;
    if (auto* c = args.if_contains("cookies")) {
        if (!c->is_string()) return reply(answer_text(r, make_error("'cookies' is not a string")));
        cookies = std::string(c->get_string());
    }
    auto kept = std::make_shared<json::value>(std::move(request));
    fetch_(std::string(*url), cookies,
           [this, alive = std::weak_ptr<char>(alive_), kept, reply = std::move(reply)](Result<FetchedTorrent> got) {
               if (alive.expired()) return;
               const json::object& r = kept->get_object();
               if (!got) return reply(answer_text(r, got.error()));
               reply(answer_text(r, torrent_add(**arguments_of(r), &*got)));
           });
}

std::string RpcMethods::answer_text(const json::object& r, Answer result) {
    json::object answer;
    answer["arguments"] = result ? std::move(*result) : json::object{};
    answer["result"] = result ? std::string("success") : result.error().message;
    if (auto* tag = r.if_contains("tag")) answer["tag"] = *tag;
    return json::serialize(answer);
}

RpcMethods::Answer RpcMethods::call(std::string_view method, const json::object& args) {
    if (method == "session-get") return session_get(args);
    if (method == "session-set") return session_set(args);
    if (method == "session-stats") return session_stats();
    if (method == "session-close") return json::object{};
    if (method == "free-space") return free_space(args);
    if (method == "torrent-add") return torrent_add(args);
    if (method == "torrent-get") return torrent_get(args);
    if (method == "torrent-set") return torrent_set(args);
    if (method == "torrent-rename-path") return torrent_rename_path(args);
    if (method == "torrent-set-location") return torrent_set_location(args);
    if (method == "torrent-remove") return torrent_remove(args);
    if (method == "torrent-start" || method == "torrent-start-now" || method == "torrent-stop" ||
        method == "torrent-verify" || method == "torrent-reannounce") {
        return torrent_action(method, args);
    }
    if (method == "queue-move-top" || method == "queue-move-up" || method == "queue-move-down" ||
        method == "queue-move-bottom") {
        return queue_move(method, args);
    }
    // Known methods Shoal has nothing behind; said, never pretended.
    if (method == "port-test") {
        return make_error("port-test: Shoal cannot test from outside whether its peer port is open");
    }
    if (method == "blocklist-update") return make_error("blocklist-update: Shoal has no blocklist");
    if (method == "group-get" || method == "group-set") {
        return make_error(std::string(method) + ": Shoal has no bandwidth groups");
    }
    return make_error("method name not recognized");
}

Result<Done> RpcMethods::read_add_options(const json::object& args, control::AddTorrent& request) const {
    if (auto* limit = args.if_contains("peer-limit")) {
        auto peers = as_peer_limit(*limit);
        if (!peers) return peers.error();
        request.peer_limit = *peers;
    }
    if (auto* priority = args.if_contains("bandwidthPriority"); priority && as_integer(*priority) != 0) {
        return make_error("torrent-add: Shoal has no bandwidth priorities");
    }
    if (auto* labels = args.if_contains("labels")) {
        auto read = as_labels(*labels);
        if (!read) return read.error();
        // Checked here too, so that a URL is not fetched for a torrent that would be refused.
        auto checked = control::checked_labels(std::move(*read));
        if (!checked) return checked.error();
        request.labels = std::move(*checked);
    }
    request.save_dir = runtime_.download_dir;
    if (runtime_.incomplete_dir_enabled) request.incomplete_dir = runtime_.incomplete_dir;
    request.paused = !runtime_.start_added_torrents;
    if (auto* dir = args.if_contains("download-dir")) {
        if (!dir->is_string()) return make_error("'download-dir' is not a string");
        const std::filesystem::path path(std::string(dir->get_string()));
        if (!path.is_absolute()) return make_error("download directory path is not absolute");
        request.save_dir = path;
    }
    if (auto* paused = args.if_contains("paused")) {
        auto flag = as_flag(*paused);
        if (!flag) return make_error("'paused' is not a boolean");
        request.paused = *flag;
    }
    if (auto* sequential = args.if_contains("sequentialDownload")) {
        auto flag = as_flag(*sequential);
        if (!flag) return make_error("'sequentialDownload' is not a boolean");
        request.sequential = *flag;
    }
    return Done{};
}

RpcMethods::Answer RpcMethods::torrent_add(const json::object& args, const FetchedTorrent* fetched) {
    control::AddTorrent request;
    if (auto options = read_add_options(args, request); !options) return options.error();
    if (fetched) {
        request.metainfo = fetched->metainfo;
        request.magnet = fetched->magnet;
    } else if (auto* metainfo = args.if_contains("metainfo")) {
        if (!metainfo->is_string()) return make_error("'metainfo' is not a string");
        auto bytes = from_base64(metainfo->get_string());
        if (!bytes || bytes->empty()) return make_error("'metainfo' is not base64");
        request.metainfo = std::move(*bytes);
    } else if (auto* filename = args.if_contains("filename")) {
        if (!filename->is_string()) return make_error("'filename' is not a string");
        const std::string name(filename->get_string());
        if (name.starts_with("magnet:")) {
            request.magnet = name;
        } else if (is_web_url(name)) {
            return make_error("torrent-add: this server does not fetch torrent files by URL");
        } else {
            auto bytes = read_torrent_file(name);
            if (!bytes) return bytes.error();
            request.metainfo = std::move(*bytes);
        }
    } else {
        return make_error("no filename or metainfo specified");
    }
    if (auto chosen = choose_files(args, request); !chosen) return chosen.error();
    const std::string key = request_key(request);
    auto added = control_.add(std::move(request));
    if (!added) {
        if (added.error().code == ErrorCode::already_exists) {
            for (const auto& s : control_.summaries()) {
                if (!key.empty() && s.store_id == key) return json::object{{"torrent-duplicate", torrent_brief(s)}};
            }
        }
        return added.error();
    }
    ++added_;
    const TorrentSummary* s = control_.find(*added);
    if (!s) return make_error("the torrent was added but is not in the list");
    return json::object{{"torrent-added", torrent_brief(*s)}};
}

Result<std::vector<TorrentSummary>> RpcMethods::select(const json::object& args) const {
    auto all = control_.summaries();
    const json::value* ids = args.if_contains("ids");
    if (!ids) return all;
    if (ids->is_string() && ids->get_string() == "recently-active") return all;
    std::set<std::uint32_t> numbers;
    std::set<std::string, std::less<>> hashes;
    auto take = [&](const json::value& v) -> bool {
        if (auto n = as_integer(v)) {
            if (*n > 0 && *n <= UINT32_MAX) numbers.insert(static_cast<std::uint32_t>(*n));
            return true;
        }
        if (v.is_string()) {
            hashes.insert(lower(std::string(v.get_string())));
            return true;
        }
        return false;
    };
    if (ids->is_array()) {
        for (const auto& v : ids->get_array()) {
            if (!take(v)) return make_error("'ids' holds something that is neither a torrent id nor a hash");
        }
    } else if (!take(*ids)) {
        return make_error("'ids' is neither a torrent id, a hash, a list of them, nor \"recently-active\"");
    }
    std::vector<TorrentSummary> chosen;
    for (auto& s : all) {
        if (numbers.contains(s.id.value) || hashes.contains(s.store_id)) chosen.push_back(std::move(s));
    }
    return chosen;
}

bool RpcMethods::recently_active(const TorrentSummary& s) {
    // As Transmission: moving data, checking, or changed within the last minute.
    const auto now = now_();
    const TorrentStats& st = s.stats;
    const bool busy = st.download_rate > 0 || st.upload_rate > 0 || st.state == TorrentState::checking ||
                      st.state == TorrentState::fetching_metadata;
    auto [it, added] = activity_.try_emplace(s.id.value, Activity{st.state, now});
    if (busy || it->second.state != st.state) it->second = Activity{st.state, now};
    return added || now - it->second.last_active <= std::chrono::minutes(1);
}

RpcMethods::Answer RpcMethods::torrent_get(const json::object& args) {
    const json::value* fields = args.if_contains("fields");
    if (!fields || !fields->is_array()) return make_error("no fields specified");
    std::vector<std::string> names;
    bool details = false;
    for (const auto& f : fields->get_array()) {
        if (!f.is_string() || !is_torrent_field(f.get_string())) continue;
        names.emplace_back(f.get_string());
        details = details || needs_details(names.back());
    }
    bool table = false;
    if (auto* format = args.if_contains("format")) {
        if (!format->is_string() || (format->get_string() != "table" && format->get_string() != "objects"))
            return make_error("'format' is neither \"objects\" nor \"table\"");
        table = format->get_string() == "table";
    }
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    const json::value* ids = args.if_contains("ids");
    const bool recent = ids && ids->is_string() && ids->get_string() == "recently-active";
    json::object out;
    if (recent) {
        // As Transmission: the ids removed in the last minute, so that every client polling
        // hears of them, then only the torrents active lately.
        const auto now = now_();
        std::set<std::uint32_t> present;
        for (const auto& s : *torrents) present.insert(s.id.value);
        for (const auto& [id, activity] : activity_) {
            if (!present.contains(id)) removed_at_.try_emplace(id, now);
        }
        std::erase_if(activity_, [&](const auto& entry) { return !present.contains(entry.first); });
        std::erase_if(removed_at_, [&](const auto& entry) { return now - entry.second > std::chrono::minutes(1); });
        json::array removed;
        for (const auto& [id, when] : removed_at_) removed.emplace_back(id);
        out["removed"] = std::move(removed);
        std::erase_if(*torrents, [&](const TorrentSummary& s) { return !recently_active(s); });
    }
    json::array list;
    if (table) {
        json::array keys;
        for (const auto& n : names) keys.emplace_back(n);
        list.emplace_back(std::move(keys));
    }
    for (const auto& s : *torrents) {
        std::optional<control::TorrentDetails> known;
        std::vector<int> priorities;
        control::Tiers trackers;
        std::vector<std::string> web_seeds;
        TorrentView view{s};
        view.session_peer_limit = runtime_.peer_limit_per_torrent;
        if (details) {
            // The session answers with fresh details by the next request.
            (void)control_.request_details(s.id);
            known = control_.details(s.id);
            priorities = control_.file_priorities(s.id);
            trackers = control_.trackers(s.id);
            web_seeds = control_.web_seeds(s.id);
            view.details = known ? &*known : nullptr;
            view.priorities = &priorities;
            view.trackers = &trackers;
            view.web_seeds = &web_seeds;
        }
        if (table) {
            json::array row;
            for (const auto& n : names) row.push_back(*torrent_field(view, n));
            list.emplace_back(std::move(row));
        } else {
            json::object o;
            for (const auto& n : names) o[n] = *torrent_field(view, n);
            list.emplace_back(std::move(o));
        }
    }
    out["torrents"] = std::move(list);
    return out;
}

RpcMethods::Answer RpcMethods::torrent_action(std::string_view method, const json::object& args) {
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    for (const auto& s : *torrents) {
        Result<Done> done = Done{};
        if (method == "torrent-start") done = control_.resume(s.id);
        if (method == "torrent-start-now") done = control_.resume_now(s.id);
        if (method == "torrent-stop") done = control_.pause(s.id);
        if (method == "torrent-verify") done = control_.recheck(s.id);
        if (method == "torrent-reannounce") done = control_.reannounce(s.id);
        if (!done) return make_error(s.name + ": " + done.error().message);
    }
    return json::object{};
}

RpcMethods::Answer RpcMethods::queue_move(std::string_view method, const json::object& args) {
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    std::vector<TorrentId> ids;
    for (const auto& s : *torrents) ids.push_back(s.id);
    const control::QueueMove to = method == "queue-move-top"    ? control::QueueMove::top
                                  : method == "queue-move-up"   ? control::QueueMove::up
                                  : method == "queue-move-down" ? control::QueueMove::down
                                                                : control::QueueMove::bottom;
    if (auto done = control_.move_in_queue(ids, to); !done) return make_error(std::string(method) + ": " + done.error().message);
    return json::object{};
}

RpcMethods::Answer RpcMethods::torrent_remove(const json::object& args) {
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    bool with_data = false;
    if (auto* d = args.if_contains("delete-local-data")) {
        auto flag = as_flag(*d);
        if (!flag) return make_error("'delete-local-data' is not a boolean");
        with_data = *flag;
    }
    for (const auto& s : *torrents) {
        if (auto done = control_.remove(s.id, with_data); !done) return make_error(s.name + ": " + done.error().message);
        removed_at_.try_emplace(s.id.value, now_());
        removed_uploaded_ += s.stats.uploaded;
        removed_downloaded_ += s.stats.downloaded;
    }
    return json::object{};
}

}  // namespace shoal::daemon
