#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal.

#include <chrono>
#include <cstdint>
#include <string>

namespace shoal::cli {

class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();

    void update(std::int64_t done, std::int64_t total);
    // Clears the line so the next output starts clean.
    void finish();

private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace shoal::cli
