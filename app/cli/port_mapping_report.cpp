#include "cli/port_mapping_report.hpp"

namespace shoal::cli {
namespace {

bool is_mapped(const NetworkState::Mapping& m) {
    return m.state == "mapped";
}
bool is_failed(const NetworkState::Mapping& m) {
    return m.state == "failed";
}

std::string external_endpoint(const NetworkState::Mapping& m) {
    return m.external_address + ":" + std::to_string(m.external_port);
}

std::string reason(const NetworkState::Mapping& m) {
    return m.error.empty() ? "" : " (" + m.error + ")";
}

}  // namespace

std::vector<std::string> PortMappingReport::update(const NetworkState& now) {
    std::vector<std::string> lines;
    for (const auto& m : now.port_mapping) {
        auto& said = said_[m.protocol];
        std::string line;
        if (is_mapped(m)) {
            if (!is_mapped(said) || external_endpoint(said) != external_endpoint(m))
                line = m.protocol + ": mapped " + external_endpoint(m);
        } else if (is_mapped(said)) {
            line = m.protocol + ": lost the mapping " + external_endpoint(said) +
                   (is_failed(m) ? reason(m) : "");
        } else if (is_failed(m) && !(is_failed(said) && said.error == m.error)) {
            line = m.protocol + ": failed" + reason(m);
        }
        if (line.empty())
            continue;
        said = m;
        lines.push_back(std::move(line));
    }
    return lines;
}

}  // namespace shoal::cli
