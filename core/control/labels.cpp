#include "control/labels.hpp"

#include <algorithm>

#include "util/encoding.hpp"

namespace shoal::control {

Result<Labels> checked_labels(Labels labels) {
    Labels kept;
    for (auto& label : labels) {
        if (label.empty()) return make_error(ErrorCode::invalid_input, "a label is empty");
        if (label.size() > k_max_label_bytes) {
            return make_error(ErrorCode::too_large,
                              "a label is longer than " + std::to_string(k_max_label_bytes) + " bytes");
        }
        if (!is_plain_text(label)) return make_error(ErrorCode::invalid_input, "a label is not plain UTF-8 text");
        if (label.find(',') != std::string::npos) {
            return make_error(ErrorCode::invalid_input, "the label \"" + label + "\" holds a comma");
        }
        if (std::find(kept.begin(), kept.end(), label) != kept.end()) continue;
        if (kept.size() == k_max_labels) {
            return make_error(ErrorCode::too_large, "more than " + std::to_string(k_max_labels) + " labels");
        }
        kept.push_back(std::move(label));
    }
    return kept;
}

}  // namespace shoal::control
