#include "util/error_code.hpp"

#include <cerrno>

namespace shoal {

ErrorCode error_code_from_errno(int error) {
    switch (error) {
        case ENOSPC:
        case EDQUOT:
            return ErrorCode::no_space;
        case EACCES:
        case EPERM:
        case EROFS:
            return ErrorCode::permission;
        case ENOENT:
        case ENOTDIR:
            return ErrorCode::not_found;
        case EFBIG:
        case ENAMETOOLONG:
            return ErrorCode::too_large;
        case ETIMEDOUT:
            return ErrorCode::timeout;
        case ECONNREFUSED:
        case ECONNRESET:
        case EHOSTUNREACH:
        case ENETUNREACH:
            return ErrorCode::network;
        case ECANCELED:
            return ErrorCode::cancelled;
        default:
            return ErrorCode::io;
    }
}

ErrorCode error_code_from(const std::error_code& ec) {
    if (ec.category() == std::generic_category() || ec.category() == std::system_category())
        return error_code_from_errno(ec.value());
    return ErrorCode::io;
}

}  // namespace shoal
