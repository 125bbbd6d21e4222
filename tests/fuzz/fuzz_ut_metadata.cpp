// libFuzzer target: ut_metadata payloads from a hostile peer, fed to the decoder and the
// metadata assembler.
#include <cstdint>
#include <string_view>

#include "wire/metadata_assembler.hpp"
#include "wire/ut_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shoal::wire;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto m = decode_metadata_message(input);
    if (!m)
        return 0;
    if (m->type == MetadataType::data) {
        if (static_cast<std::int64_t>(m->data.size()) !=
            metadata_piece_size(m->total_size, m->piece)) {
            __builtin_trap();
        }
        // Re-encoding what we decoded must decode to the same message.
        const auto again = encode_metadata_data(m->piece, m->total_size, m->data);
        auto m2 = decode_metadata_message(again, m->total_size);
        if (!m2 || m2->data != m->data || m2->piece != m->piece)
            __builtin_trap();

        // The assembler allocates the whole metadata up front; keep executions fast.
        if (m->total_size > (1 << 20))
            return 0;
        shoal::InfoHashV1 h;
        auto a = MetadataAssembler::create(m->total_size, h, std::nullopt);
        if (!a)
            __builtin_trap();
        while (auto p = a->pick_piece(1)) {
            if (*p == m->piece)
                break;
        }
        auto r = a->on_data(1, *m);
        if (r && r->status == MetadataAssembler::Status::complete)
            __builtin_trap();
    }
    return 0;
}
