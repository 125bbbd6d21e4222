// shoald's web page as built into the program: every file of resources/web/ at its path with
// its type and the security headers; other paths and methods refused.
#include <gtest/gtest.h>

#include <set>

#include "daemon/web_assets.hpp"

using namespace shoal::daemon;
namespace http = boost::beast::http;

namespace {

http::response<http::string_body> get(std::string_view target, http::verb method = http::verb::get) {
    http::request<http::string_body> request{method, target, 11};
    return web_response(request);
}

std::string header(const http::response<http::string_body>& res, std::string_view name) {
    const auto it = res.find(name);
    return it == res.end() ? std::string{} : std::string(it->value());
}

TEST(DaemonWeb, EmbedsThePage) {
    std::set<std::string_view> names;
    for (const auto& file : embedded_web_files()) {
        names.insert(file.name);
        EXPECT_FALSE(file.bytes.empty()) << file.name;
    }
    for (std::string_view wanted : {"index.html", "style.css", "app.js", "rpc.js", "ui.js", "dialogs.js",
                                    "settings.js", "details.js", "icon.svg"}) {
        EXPECT_TRUE(names.contains(wanted)) << wanted;
    }
    EXPECT_TRUE(is_web_path("/"));
    EXPECT_TRUE(is_web_path("/app.js"));
    EXPECT_FALSE(is_web_path("/transmission/rpc"));
    EXPECT_FALSE(is_web_path("app.js"));
    EXPECT_FALSE(is_web_path("/APP.JS"));
    EXPECT_FALSE(is_web_path("//app.js"));
}

TEST(DaemonWeb, ServesEachFileWithItsTypeAndHeaders) {
    const std::pair<std::string_view, std::string_view> expected[] = {
        {"/", "text/html; charset=UTF-8"},
        {"/index.html", "text/html; charset=UTF-8"},
        {"/style.css", "text/css; charset=UTF-8"},
        {"/app.js", "text/javascript; charset=UTF-8"},
        {"/icon.svg", "image/svg+xml"},
    };
    for (const auto& [path, type] : expected) {
        const auto res = get(path);
        EXPECT_EQ(res.result(), http::status::ok) << path;
        EXPECT_EQ(header(res, "Content-Type"), type) << path;
        EXPECT_EQ(header(res, "X-Frame-Options"), "DENY") << path;
        EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff") << path;
        EXPECT_EQ(header(res, "Cache-Control"), "no-cache") << path;
        const std::string policy = header(res, "Content-Security-Policy");
        EXPECT_TRUE(policy.starts_with("default-src 'self';")) << policy;
        EXPECT_EQ(policy.find("unsafe"), std::string::npos) << policy;
        EXPECT_EQ(header(res, "Content-Length"), std::to_string(res.body().size())) << path;
    }
    EXPECT_EQ(get("/").body(), get("/index.html").body());
    // No inline script or style for the policy to refuse.
    const std::string page = get("/").body();
    EXPECT_EQ(page.find("<script>"), std::string::npos);
    EXPECT_EQ(page.find("<style"), std::string::npos);
    EXPECT_EQ(page.find("style=\""), std::string::npos);
    EXPECT_EQ(page.find("http://"), std::string::npos);
    EXPECT_EQ(page.find("https://"), std::string::npos);
}

TEST(DaemonWeb, RefusesOtherMethodsAndPaths) {
    auto res = get("/", http::verb::post);
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_EQ(header(res, "Allow"), "GET");
    EXPECT_EQ(res.body().find("<!doctype"), std::string::npos);
    EXPECT_EQ(get("/app.js", http::verb::delete_).result(), http::status::method_not_allowed);
    res = get("/nothing.js");
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(get("/resources/web/app.js").result(), http::status::not_found);
}

}  // namespace
