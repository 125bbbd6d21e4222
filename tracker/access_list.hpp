#pragma once
// Who may use the tracker: an allow- or deny-list of info-hashes and, in private mode,
// the passkeys that must lead the announce path. Both are text files, one entry a line.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "tracker/info_hash_set.hpp"
#include "tracker/types.hpp"
#include "util/result.hpp"

namespace shoal::tracker {

enum class AccessMode { off, allow, deny };

class AccessPolicy {
  public:
    // Lines hold a 40-digit hex info-hash; blank lines and lines starting with '#' are skipped.
    static std::optional<Error> parse_info_hashes(std::string_view text,
                                                  InfoHashSet& out);
    // Lines hold one passkey: 1 to 64 characters of [A-Za-z0-9_-].
    static std::optional<Error> parse_passkeys(std::string_view text,
                                               std::unordered_set<std::string>& out);

    // Reads the files named by the arguments (an empty name means "none").
    static Result<AccessPolicy> load(AccessMode mode, const std::string& list_file,
                                     bool private_mode, const std::string& keys_file);

    AccessPolicy() = default;
    AccessPolicy(AccessMode mode, InfoHashSet hashes,
                 bool private_mode, std::unordered_set<std::string> passkeys);

    bool torrent_allowed(const InfoHash& h) const;
    // True when no key is needed, or `passkey` is a known key.
    bool passkey_allowed(std::string_view passkey) const;
    bool private_mode() const { return private_; }
    std::size_t info_hash_count() const { return hashes_.size(); }
    std::size_t passkey_count() const { return passkeys_.size(); }

  private:
    AccessMode mode_ = AccessMode::off;
    InfoHashSet hashes_;
    bool private_ = false;
    std::unordered_set<std::string> passkeys_;
};

}  // namespace shoal::tracker
