#pragma once
// The ErrorCode of a failed system call.

#include <system_error>

#include "util/result.hpp"

namespace shoal {

// From an errno value: ENOSPC is no_space, EACCES permission, ENOENT not_found, ...; io for
// the rest.
ErrorCode error_code_from_errno(int error);

// The same for a std::error_code of the generic or system category; io for other categories.
ErrorCode error_code_from(const std::error_code& ec);

}  // namespace shoal
