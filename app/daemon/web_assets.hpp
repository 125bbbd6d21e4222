#pragma once
// shoald's web page (resources/web/), built into the program: GET / is index.html and every
// file of the page is at /<its name>. The page's files ask for no session id (its script does
// the 409 handshake for the RPC); the address, Host and credential checks apply to them.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <span>
#include <string_view>

namespace shoal::daemon {

struct EmbeddedFile {
    std::string_view name;  // "app.js"
    std::string_view bytes;
};

// Generated at build time from resources/web/ (app/daemon/embed_web_assets.cmake).
std::span<const EmbeddedFile> embedded_web_files();

// True when `path` (the target without its query) is "/" or "/<name of a file of the page>".
bool is_web_path(std::string_view path);

// The answer to a request for a file of the page: the file with its type and the security
// headers, 405 for a method other than GET, 404 for a path that is not the page's.
boost::beast::http::response<boost::beast::http::string_body> web_response(
    const boost::beast::http::request<boost::beast::http::string_body>& request);

}  // namespace shoal::daemon
