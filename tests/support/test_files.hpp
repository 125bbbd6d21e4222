#pragma once
// Temporary folders and files of known content for tests that touch the disk.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace shoal::test {

// A fresh folder under the system's temporary folder, removed with everything in it.
class TempDir {
public:
    TempDir()
        : path_(std::filesystem::temp_directory_path() /
                ("shoal-test-" + std::to_string(std::random_device{}()) + std::to_string(std::random_device{}()))) {
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// `size` pseudo-random bytes from `seed`, so two calls with one seed write the same file.
inline void write_file(const std::filesystem::path& path, std::size_t size, unsigned seed) {
    std::filesystem::create_directories(path.parent_path());
    std::mt19937 rng(seed);
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(size));
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace shoal::test
