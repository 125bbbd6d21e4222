#pragma once
// A torrent's labels: short texts a user tags torrents with (Transmission's `labels`).

#include <cstddef>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace shoal::control {

using Labels = std::vector<std::string>;

inline constexpr std::size_t k_max_labels = 64;
inline constexpr std::size_t k_max_label_bytes = 256;

// The labels as kept: in the order given, repeats dropped; an error names the first label
// that is empty, longer than k_max_label_bytes, not plain UTF-8 text or holding a comma (the
// separator of label lists), or says there are more than k_max_labels.
Result<Labels> checked_labels(Labels labels);

}  // namespace shoal::control
