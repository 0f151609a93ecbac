"""I/O that is ready at once is dispatched in the order the kernel reports it.

Five clients connect to a local server at once. Under python3 (the epoll
selector) the loop runs the callbacks of sockets that are ready together in
the order epoll reports them: "c0: connected" .. "c4: connected", and the
replies "c0: got welcome c0" .. "c4: ...". aiodemo's selector once printed
"c4: connected" first and the replies in the order c4 .. c0, on every run:
libev invokes the watchers of one poll last first, and the ready list was
handed to asyncio in that order (src/loop/evloop.c now reverses it).

    aiodemo run io_ready_order.py --format json
"""
import asyncio

async def handle(reader, writer):
    name = (await reader.readline()).decode().strip()
    print(f"server: hello from {name}")
    writer.write(f"welcome {name}\n".encode())
    await writer.drain()
    writer.close()
    await writer.wait_closed()

async def client(name, port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    print(f"{name}: connected")
    writer.write(f"{name}\n".encode())
    await writer.drain()
    print(f"{name}: got {(await reader.readline()).decode().strip()}")
    writer.close()
    await writer.wait_closed()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await asyncio.gather(*(client(f"c{i}", port) for i in range(5)))
    print("main: done")

asyncio.run(main())
