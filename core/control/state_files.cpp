#include "control/state_files.hpp"

#include <fstream>
#include <iterator>

#include "storage/durable_file.hpp"

namespace fs = std::filesystem;

namespace shoal::control {

Result<Done> write_file_atomically(const fs::path& path, const std::string& bytes) {
    auto written = replace_file_durably(path, bytes);
    if (!written) return make_error(ErrorCode::io, written.error().message);
    return Done{};
}

Result<std::string> read_small_file(const fs::path& path, std::uintmax_t max_bytes) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return make_error(ErrorCode::invalid_input, path.string() + ": " + ec.message());
    if (size > max_bytes) return make_error(ErrorCode::invalid_input, path.string() + ": larger than expected");
    std::ifstream in(path, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    if (!in && !in.eof()) return make_error(ErrorCode::invalid_input, path.string() + ": cannot be read");
    return bytes;
}

}  // namespace shoal::control
