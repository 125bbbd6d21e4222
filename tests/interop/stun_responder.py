"""A minimal STUN responder (RFC 5389 Binding requests only) for nat_topology.py: answers each
request from the socket it arrived on with a MAPPED-ADDRESS (and an XOR-MAPPED-ADDRESS) naming
the sender, ignoring CHANGE-REQUEST. miniupnpd asks it at start; an answer to all four of its requests, naming its
own address and ports, tells it that nothing filters and that it may map ports.
Usage: stun_responder.py ADDRESS PORT (prints "ready" once bound)."""
import socket
import struct
import sys

MAGIC = 0x2112A442


def answer(request, sender):
    if len(request) < 20:
        return None
    kind, length, magic = struct.unpack("!HHI", request[:8])
    if kind != 0x0001 or magic != MAGIC or length + 20 != len(request):
        return None
    transaction = request[8:20]
    address, port = sender
    xport = port ^ (MAGIC >> 16)
    xaddr = struct.unpack("!I", socket.inet_aton(address))[0] ^ MAGIC
    plain = struct.pack("!HHBBH", 0x0001, 8, 0, 1, port) + socket.inet_aton(address)
    xored = struct.pack("!HHBBHI", 0x0020, 8, 0, 1, xport, xaddr)
    return struct.pack("!HHI", 0x0101, len(plain + xored), MAGIC) + transaction + plain + xored


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((sys.argv[1], int(sys.argv[2])))
    print("ready", flush=True)
    while True:
        request, sender = sock.recvfrom(2048)
        reply = answer(request, sender)
        if reply:
            sock.sendto(reply, sender)


if __name__ == "__main__":
    main()
