#include "daemon/web_assets.hpp"

#include <algorithm>

namespace http = boost::beast::http;

namespace shoal::daemon {

namespace {

// The page loads nothing from elsewhere, runs no inline script or style and is never framed.
constexpr std::string_view k_content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view path_only(std::string_view target) { return target.substr(0, target.find('?')); }

const EmbeddedFile* find_file(std::string_view path) {
    if (!path.starts_with('/')) return nullptr;
    const std::string_view name = path == "/" ? std::string_view("index.html") : path.substr(1);
    const auto files = embedded_web_files();
    const auto it = std::find_if(files.begin(), files.end(), [&](const EmbeddedFile& f) { return f.name == name; });
    return it == files.end() ? nullptr : &*it;
}

std::string_view content_type(std::string_view name) {
    const auto dot = name.rfind('.');
    const std::string_view extension = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (extension == "html") return "text/html; charset=UTF-8";
    if (extension == "js") return "text/javascript; charset=UTF-8";
    if (extension == "css") return "text/css; charset=UTF-8";
    if (extension == "svg") return "image/svg+xml";
    return "application/octet-stream";
}

}  // namespace

bool is_web_path(std::string_view path) { return find_file(path) != nullptr; }

http::response<http::string_body> web_response(const http::request<http::string_body>& request) {
    http::response<http::string_body> res{http::status::ok, request.version()};
    res.set(http::field::server, "shoald");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::content_type, "text/plain; charset=UTF-8");
    const EmbeddedFile* file = find_file(path_only(request.target()));
    if (!file) {
        res.result(http::status::not_found);
        res.body() = "no such page\n";
    } else if (request.method() != http::verb::get) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET");
        res.body() = "use GET\n";
    } else {
        res.set(http::field::content_type, content_type(file->name));
        res.set("Content-Security-Policy", k_content_security_policy);
        res.set("X-Frame-Options", "DENY");
        res.set(http::field::cache_control, "no-cache");
        res.set("Referrer-Policy", "no-referrer");
        res.body() = std::string(file->bytes);
    }
    res.prepare_payload();
    return res;
}

}  // namespace shoal::daemon
