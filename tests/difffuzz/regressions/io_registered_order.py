"""Descriptors come out ready in the order epoll has them, registration too.

epoll lists a descriptor that is ready when it is registered then, and one
that becomes ready later at that moment; a descriptor whose events change
keeps its place. Under python3 (the epoll selector) each round below prints
"a" before "b". aiodemo's loop once printed "b" first in the first two
rounds: libev passed a registration on to the kernel only at its next poll,
after "b" had become ready (seed 6004518 of tests/difffuzz, where a client's
"closed" came a line late), and kept a descriptor nobody watched in the
kernel's set. src/loop/evloop.c now passes changes on at once; the third
round holds host/bootstrap.py to modifying in place, as epoll does, not
unregistering and registering again.

    aiodemo run io_registered_order.py --format json
"""
import asyncio
import socket


async def round_(name, setup):
    loop = asyncio.get_running_loop()
    a, a_peer = socket.socketpair()
    b, b_peer = socket.socketpair()
    order = []
    done = asyncio.Event()

    def ready(label, sock):
        sock.recv(16)
        loop.remove_reader(sock)
        loop.remove_writer(sock)
        order.append(label)
        if len(order) == 2:
            done.set()

    setup(loop, a, a_peer, b, b_peer, ready)
    await done.wait()
    print(f"{name}: {' '.join(order)}")
    for s in (a, a_peer, b, b_peer):
        s.close()


def registered_ready(loop, a, a_peer, b, b_peer, ready):
    # b registered first but not ready; a ready when it is registered; then b.
    loop.add_reader(b, ready, "b", b)
    a_peer.send(b"x")
    loop.add_reader(a, ready, "a", a)
    b_peer.send(b"y")


def registered_again(loop, a, a_peer, b, b_peer, ready):
    # b, watched and ready, is unwatched; a becomes ready; b is watched
    # again: it was not in the set when a became ready.
    b_peer.send(b"y")
    loop.add_reader(b, ready, "b", b)
    loop.remove_reader(b)
    a_peer.send(b"x")
    loop.add_reader(a, ready, "a", a)
    loop.add_reader(b, ready, "b", b)


def modified(loop, a, a_peer, b, b_peer, ready):
    # a ready and watched, then b; a's events change: it keeps its place.
    a_peer.send(b"x")
    loop.add_reader(a, ready, "a", a)
    b_peer.send(b"y")
    loop.add_reader(b, ready, "b", b)
    loop.add_writer(a, lambda: None)


async def main():
    # Each round waits for a new pass of the loop to start with.
    for name, setup in (("registered ready", registered_ready), ("registered again", registered_again),
                        ("modified", modified)):
        await asyncio.sleep(0)
        await round_(name, setup)


asyncio.run(main())
