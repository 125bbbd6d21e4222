#pragma once
// A value or a user-facing error message; the engine's one result type for parsers.

#include <string>
#include <utility>
#include <variant>

namespace shoal {

// The kinds of failure a caller may want to tell apart.
enum class ErrorCode {
    other,          // nothing more specific is known
    invalid_input,  // malformed data or an unusable argument; trying again will not help
    not_found,      // a file, folder or host that does not exist
    io,             // reading or writing failed
    no_space,       // the disk or the quota is full
    permission,     // the system refused access
    too_large,      // over a size or count limit
    timeout,        // no answer in time
    refused,        // the other side answered with a refusal
    network,        // a connection, a send or a receive failed
    cancelled,      // stopped on request
    already_exists, // what was to be added is there already (a torrent, a tracker)
    unavailable,    // not known yet (a magnet link's files before its metadata)
};

// An error a user can act on: one line, no trailing period.
struct Error {
    std::string message;
    ErrorCode code = ErrorCode::other;
};

// The value of a Result that succeeded with nothing to return.
struct Done {};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }
inline Error make_error(ErrorCode code, std::string message) {
    return Error{std::move(message), code};
}

}  // namespace shoal
