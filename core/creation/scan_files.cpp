#include "creation/scan_files.hpp"

#include <algorithm>
#include <system_error>

#include "metainfo/path_rules.hpp"
#include "util/error_code.hpp"

namespace fs = std::filesystem;

namespace shoal {
namespace {

bool is_executable(fs::perms p) { return (p & fs::perms::owner_exec) != fs::perms::none; }

}  // namespace

Result<std::vector<ScannedFile>> scan_files(const fs::path& source, bool include_hidden) {
    std::error_code ec;
    const fs::file_status status = fs::status(source, ec);
    if (ec || !fs::exists(status))
        return make_error(ErrorCode::not_found, "'" + source.string() + "' does not exist");
    std::vector<ScannedFile> files;
    if (fs::is_regular_file(status)) {
        files.push_back({{}, static_cast<std::int64_t>(fs::file_size(source, ec)),
                         is_executable(status.permissions())});
        if (ec)
            return make_error(error_code_from(ec),
                              "cannot read '" + source.string() + "': " + ec.message());
        return files;
    }
    if (!fs::is_directory(status)) {
        return make_error(ErrorCode::invalid_input,
                          "'" + source.string() + "' is neither a file nor a folder");
    }
    fs::recursive_directory_iterator it(source, fs::directory_options::none, ec);
    if (ec)
        return make_error(error_code_from(ec),
                          "cannot list '" + source.string() + "': " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            return make_error(error_code_from(ec),
                              "cannot list '" + source.string() + "': " + ec.message());
        const fs::path name = it->path().filename();
        if (!include_hidden && name.native().starts_with('.')) {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        std::error_code file_ec;
        if (!it->is_regular_file(file_ec)) continue;
        ScannedFile f;
        for (const auto& part : fs::relative(it->path(), source, file_ec)) {
            f.path.push_back(part.string());
        }
        for (const auto& part : f.path) {
            if (auto why = unsafe_component(part)) {
                return make_error(ErrorCode::invalid_input,
                                  "cannot put '" + it->path().string() + "' in a torrent: " + *why);
            }
        }
        f.size = static_cast<std::int64_t>(it->file_size(file_ec));
        f.executable = is_executable(it->status(file_ec).permissions());
        if (file_ec)
            return make_error(error_code_from(file_ec),
                              "cannot read '" + it->path().string() + "': " + file_ec.message());
        files.push_back(std::move(f));
    }
    if (files.empty())
        return make_error(ErrorCode::invalid_input,
                          "'" + source.string() + "' holds no files to share");
    std::sort(files.begin(), files.end(),
              [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
    return files;
}

}  // namespace shoal
