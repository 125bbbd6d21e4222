#!/usr/bin/python3
"""Writes the malformed torrents in this folder, one fault per file.

Run with Debian's python3 from this folder: /usr/bin/python3 make_malformed.py
Each torrent is valid except for the fault its name describes. expected.tsv lists the
substring of the error Shoal must give for those it refuses; sanitized.tsv the paths Shoal
gives the files of those it accepts by rewriting unsafe or clashing names (as libtorrent,
qBittorrent and Transmission accept them). Only the standard library is used, so the files
can be regenerated anywhere.
"""

import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BLOCK = 16 * 1024


def bencode(value, sort_keys=True):
    """Encodes ints, bytes/str, lists and dicts. A dict given as a list of pairs keeps
    its order (and duplicates), which is how the non-canonical cases are built."""
    if isinstance(value, bool):
        raise TypeError("bool is not bencodable")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v, sort_keys) for v in value) + b"e"
    if isinstance(value, Pairs):
        return b"d" + b"".join(bencode(k) + bencode(v, sort_keys) for k, v in value.items) + b"e"
    if isinstance(value, dict):
        items = [(k.encode() if isinstance(k, str) else k, v) for k, v in value.items()]
        if sort_keys:
            items.sort(key=lambda kv: kv[0])
        return b"d" + b"".join(bencode(k) + bencode(v, sort_keys) for k, v in items) + b"e"
    raise TypeError(type(value))


class Pairs:
    """A dictionary written in exactly the given order."""

    def __init__(self, *items):
        self.items = list(items)


def sha1(data):
    return hashlib.sha1(data).digest()


def sha256(data):
    return hashlib.sha256(data).digest()


def payload(size, seed=0):
    """Deterministic file content."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += sha256(b"%d:%d" % (seed, counter))
        counter += 1
    return bytes(out[:size])


def v1_pieces(data, piece_length):
    return b"".join(sha1(data[i:i + piece_length]) for i in range(0, len(data), piece_length))


def merkle(nodes, width, pad):
    """Root of `nodes` padded with `pad` to `width` leaves (a power of two)."""
    level = list(nodes) + [pad] * (width - len(nodes))
    while len(level) > 1:
        level = [sha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def next_pow2(n):
    p = 1
    while p < n:
        p *= 2
    return p


def v2_file(data, piece_length):
    """(pieces root, piece layer) of one file, per BEP 52."""
    leaves = [sha256(data[i:i + BLOCK]) for i in range(0, len(data), BLOCK)]
    blocks_per_piece = piece_length // BLOCK
    zero = bytes(32)
    if len(leaves) <= blocks_per_piece:
        return merkle(leaves, next_pow2(len(leaves)), zero), b""
    layer = []
    for i in range(0, len(leaves), blocks_per_piece):
        layer.append(merkle(leaves[i:i + blocks_per_piece], blocks_per_piece, zero))
    piece_pad = merkle([], blocks_per_piece, zero)
    root = merkle(layer, next_pow2(len(layer)), piece_pad)
    return root, b"".join(layer)


def v1_multi(paths_and_sizes, name="malformed", piece_length=BLOCK):
    files = []
    data = b""
    for i, (path, size) in enumerate(paths_and_sizes):
        files.append({"length": size, "path": path})
        data += payload(size, i)
    return {"announce": "http://tracker.example/announce",
            "info": {"files": files, "name": name, "piece length": piece_length,
                     "pieces": v1_pieces(data, piece_length)}}


def v1_single(size=1000, name="file.bin", piece_length=BLOCK):
    data = payload(size)
    return {"info": {"length": size, "name": name, "piece length": piece_length,
                     "pieces": v1_pieces(data, piece_length)}}


def v2_single(size, piece_length=BLOCK, name="file.bin"):
    data = payload(size)
    root, layer = v2_file(data, piece_length)
    t = {"info": {"file tree": {name: {"": {"length": size, "pieces root": root}}},
                  "meta version": 2, "name": name, "piece length": piece_length}}
    if layer:
        t["piece layers"] = {root: layer}
    return t, root, layer


def cases():
    c = {}
    c["path_dotdot"] = v1_multi([(["..", "escape.txt"], 10), (["ok.txt"], 10)])
    c["path_absolute"] = v1_multi([(["/etc", "passwd"], 10)])
    c["path_empty_component"] = v1_multi([(["dir", "", "file.txt"], 10)])
    c["path_dot_component"] = v1_multi([([".", "file.txt"], 10)])
    c["path_nul_in_name"] = v1_multi([([b"file\x00.txt"], 10)])
    c["path_separator_in_name"] = v1_multi([(["dir/file.txt"], 10)])
    c["path_backslash_in_name"] = v1_multi([(["dir\\file.txt"], 10)])
    c["name_dotdot"] = v1_single(name="..")
    c["name_too_long"] = v1_single(name="n" * 256)
    c["path_too_deep"] = v1_multi([(["d"] * 65 + ["f"], 10)])
    c["path_duplicate"] = v1_multi([(["a.txt"], 10), (["a.txt"], 10)])
    c["path_case_clash"] = v1_multi([(["Data.bin"], 10), (["DATA.BIN"], 10)])
    c["path_file_and_folder"] = v1_multi([(["x"], 10), (["x", "y"], 10)])
    c["path_invalid_utf8"] = v1_multi([([b"caf\xe9.txt"], 10)])
    c["path_direction_mark"] = v1_multi([(["evil\u202etxt.exe"], 10)])

    t, _, _ = v2_single(3 * BLOCK, piece_length=3 * BLOCK)
    c["v2_piece_length_not_power_of_two"] = t
    t, _, _ = v2_single(BLOCK)
    t["info"]["piece length"] = BLOCK // 2
    c["v2_piece_length_below_16k"] = t

    t = v1_single(size=1000)
    t["info"]["pieces"] += sha1(b"one too many")
    c["pieces_length_mismatch"] = t
    t = v1_single(size=1000)
    t["info"]["pieces"] = t["info"]["pieces"][:19]
    c["pieces_partial_hash"] = t
    t = v1_single(size=1000)
    del t["info"]["pieces"]
    c["pieces_missing"] = t

    # Sizes that overflow int64 when added, and a single size past the total-size limit.
    big = 2**63 - 1
    t = v1_multi([(["a"], 0), (["b"], 0)])
    t["info"]["files"][0]["length"] = big
    t["info"]["files"][1]["length"] = big
    c["size_sum_overflows_int64"] = t
    t = v1_single()
    t["info"]["length"] = 2**53
    c["size_past_total_limit"] = t
    t = v1_single()
    t["info"]["length"] = -1
    c["length_negative"] = t
    t = v1_multi([(["a"], 10)])
    t["info"]["files"][0]["length"] = -10
    c["file_length_negative"] = t

    # A file of 3 pieces (64 KiB each) so it carries a piece layer.
    t, root, layer = v2_single(3 * 4 * BLOCK - 100, piece_length=4 * BLOCK)
    bad = bytearray(layer)
    bad[0] ^= 1
    t["piece layers"] = {root: bytes(bad)}
    c["piece_layer_root_mismatch"] = t
    t, root, layer = v2_single(3 * 4 * BLOCK - 100, piece_length=4 * BLOCK)
    t["piece layers"] = {root: layer[:-32]}
    c["piece_layer_wrong_length"] = t
    t, root, layer = v2_single(3 * 4 * BLOCK - 100, piece_length=4 * BLOCK)
    t["piece layers"] = {root[:31]: layer}
    c["piece_layer_short_key"] = t
    t, _, _ = v2_single(BLOCK)
    t["info"]["file tree"]["file.bin"][""]["pieces root"] = bytes(32)
    c["v2_zero_pieces_root"] = t
    t, _, _ = v2_single(BLOCK)
    t["info"]["file tree"]["file.bin"][""]["attr"] = "p"
    c["v2_pad_attribute"] = t

    c["info_missing"] = {"announce": "http://tracker.example/announce"}
    c["info_not_dict"] = {"info": [1, 2, 3]}
    t = v1_single()
    info = t["info"]
    t["info"] = Pairs(("name", info["name"]), ("length", info["length"]),
                      ("piece length", info["piece length"]), ("pieces", info["pieces"]))
    c["info_keys_unsorted"] = t
    t = v1_single()
    info = t["info"]
    t["info"] = Pairs(("length", info["length"]), ("name", info["name"]), ("name", "again"),
                      ("piece length", info["piece length"]), ("pieces", info["pieces"]))
    c["info_duplicate_key"] = t
    t = v1_multi([(["a.txt"], 10), (["b.txt"], 10)])
    t["info"]["files"] = [Pairs(("path", f["path"]), ("length", f["length"]))
                          for f in t["info"]["files"]]
    c["file_keys_unsorted"] = t
    t, _, _ = v2_single(BLOCK, name="b.bin")
    t["info"]["file tree"] = Pairs(("b.bin", t["info"]["file tree"]["b.bin"]),
                                   ("a.bin", t["info"]["file tree"]["b.bin"]))
    c["v2_file_tree_unsorted"] = t
    t = v1_single()
    c["root_not_dict"] = [t]
    t = v1_single()
    t["info"]["piece length"] = 0
    c["piece_length_zero"] = t
    t = v1_single()
    t["info"]["meta version"] = 3
    c["meta_version_unknown"] = t

    # Hybrid: the v1 list says 16385 bytes where the v2 tree says 16384.
    t, root, _ = v2_single(BLOCK, name="a.bin")
    data = payload(BLOCK + 1)
    t["info"]["length"] = BLOCK + 1
    t["info"]["pieces"] = v1_pieces(data, BLOCK)
    c["hybrid_lists_disagree"] = t
    return c


def controls():
    """Valid torrents built by the same helpers: proof that each malformed case fails
    for its one fault and not for something the helpers got wrong."""
    c = {}
    c["control_v1_single"] = v1_single()
    c["control_v1_multi"] = v1_multi([(["dir", "a.txt"], 10), (["b.txt"], 20000)])
    t, _, _ = v2_single(3 * 4 * BLOCK - 100, piece_length=4 * BLOCK)
    c["control_v2_layers"] = t
    t, _, _ = v2_single(BLOCK, name="a.bin")
    data = payload(BLOCK)
    t["info"]["length"] = BLOCK
    t["info"]["pieces"] = v1_pieces(data, BLOCK)
    c["control_hybrid"] = t
    return c


def main():
    for name, torrent in controls().items():
        with open(os.path.join(HERE, name + ".torrent"), "wb") as f:
            f.write(bencode(torrent))
    for name, torrent in cases().items():
        with open(os.path.join(HERE, name + ".torrent"), "wb") as f:
            f.write(bencode(torrent))
    # Cut inside the 'pieces' string: the declared length runs past the end of the file.
    whole = bencode(v1_single())
    with open(os.path.join(HERE, "truncated.torrent"), "wb") as f:
        f.write(whole[:len(whole) - 12])
    # Anything but whitespace after the root dictionary.
    with open(os.path.join(HERE, "trailing_garbage.torrent"), "wb") as f:
        f.write(whole + b"garbage")


if __name__ == "__main__":
    main()
