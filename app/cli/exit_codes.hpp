#pragma once
// shoal-cli's exit codes; documented in the README and in `shoal-cli --help`.

namespace shoal::cli {

constexpr int k_exit_ok = 0;
constexpr int k_exit_verify_failed = 1;  // verify found missing files or bad pieces
constexpr int k_exit_usage = 2;          // bad command line
constexpr int k_exit_bad_input = 3;      // unreadable or invalid torrent, magnet link or path
constexpr int k_exit_io = 4;             // cannot write the output or the downloaded data
constexpr int k_exit_network = 5;        // cannot listen on the requested address and port

constexpr const char* k_exit_codes_help =
    "Exit codes: 0 success, 1 verify found problems, 2 bad command line,\n"
    "            3 invalid or unreadable input, 4 cannot write output or data,\n"
    "            5 cannot listen on the requested address and port.";

}  // namespace shoal::cli
