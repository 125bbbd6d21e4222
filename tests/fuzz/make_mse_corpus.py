#!/usr/bin/env python3
"""Writes the seeds of fuzz_mse_handshake: whole MSE handshakes as an initiator sends them,
made with Python's pow() and hashlib and an RC4 written here, against the fuzzer's fixed
receiver key (bytes 0x21..0x34) and its torrents (0x11 * 20, 0x22 * 20).

    tests/fuzz/make_mse_corpus.py tests/fuzz/corpus/fuzz_mse_handshake
"""
import hashlib
import pathlib
import sys

P = int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
        "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36"
        "210000000000090563", 16)
RECEIVER_KEY = bytes(range(0x21, 0x35))
INITIATOR_KEY = bytes(range(1, 21))


def rc4(key):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    while True:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        yield s[(s[i] + s[j]) % 256]


def encrypt(stream, data):
    return bytes(b ^ next(stream) for b in data)


def handshake(skey, provide, pad_a, pad_c, payload):
    ya = pow(2, int.from_bytes(INITIATOR_KEY, "big"), P).to_bytes(96, "big")
    yb = pow(2, int.from_bytes(RECEIVER_KEY, "big"), P)
    s = pow(yb, int.from_bytes(INITIATOR_KEY, "big"), P).to_bytes(96, "big")
    sha1 = lambda *parts: hashlib.sha1(b"".join(parts)).digest()
    out = rc4(sha1(b"keyA", s, skey))
    for _ in range(1024):
        next(out)
    req23 = bytes(a ^ b for a, b in zip(sha1(b"req2", skey), sha1(b"req3", s)))
    body = (bytes(8) + provide.to_bytes(4, "big") + pad_c.to_bytes(2, "big") + bytes(pad_c) +
            len(payload).to_bytes(2, "big") + payload)
    sealed = encrypt(out, body)
    # The receiver selects RC4 when offered; what follows the handshake is then encrypted too.
    more = encrypt(out, b"more") if provide & 2 else b"more"
    return ya + bytes([0x5a]) * pad_a + sha1(b"req1", s) + req23 + sealed + more


def main():
    folder = pathlib.Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    bt = b"\x13BitTorrent protocol" + bytes(8) + bytes([0x11]) * 20 + b"-XX0000-" + bytes(12)
    seeds = {
        "rc4_with_handshake": (0, handshake(bytes([0x11]) * 20, 2, 0, 0, bt)),
        "both_offered_padded": (3, handshake(bytes([0x22]) * 20, 3, 512, 512, bt)),
        "plaintext_only": (255, handshake(bytes([0x11]) * 20, 1, 7, 9, b"")),
    }
    for name, (piece, data) in seeds.items():
        (folder / name).write_bytes(bytes([piece]) + data)


if __name__ == "__main__":
    main()
