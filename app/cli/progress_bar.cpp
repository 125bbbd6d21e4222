#include "cli/progress_bar.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "cli/format.hpp"

namespace shoal::cli {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(stderr_is_terminal()),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::int64_t done, std::int64_t total) {
    if (!enabled_ || total <= 0) return;
    constexpr int k_width = 30;
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    const int filled = static_cast<int>(fraction * k_width);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const auto rate = seconds > 0 ? static_cast<std::int64_t>(static_cast<double>(done) / seconds) : 0;
    fmt::print(stderr, "\r{} [{}{}] {:3.0f}%  {} / {}  {}/s\x1b[K", label_, std::string(filled, '#'),
               std::string(k_width - filled, '.'), fraction * 100, human_size(done),
               human_size(total), human_size(rate));
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (drawn_) {
        fmt::print(stderr, "\r\x1b[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

}  // namespace shoal::cli
