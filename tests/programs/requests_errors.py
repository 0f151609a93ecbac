# aiodemo: url base = http://httpbin.test
# aiodemo: end
"""requests in threads against the local server: what a timeout, a
refused connection, an HTTP error status and a redirect give, as python3
gives them (the timeouts are program time under --scale)."""
import asyncio
import socket
import time

import requests


def get(path, **kw):
    start = time.monotonic()
    try:
        r = requests.get("http://httpbin.test" + path, **kw)
        what = f"{r.status_code} {len(r.content)} bytes, {len(r.history)} redirects"
        r.raise_for_status()
    except requests.exceptions.RequestException as e:
        what = f"{type(e).__name__}"
    return f"{path}: {what} after {round(time.monotonic() - start)} s"


def refused():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    try:
        requests.get(f"http://127.0.0.1:{port}/", timeout=2)
    except requests.exceptions.ConnectionError as e:
        return "refused: ConnectionError " + type(e.args[0]).__name__


async def main():
    lines = await asyncio.gather(
        asyncio.to_thread(get, "/delay/2", timeout=1),
        asyncio.to_thread(get, "/delay/1", timeout=3),
        asyncio.to_thread(get, "/status/503"),
        asyncio.to_thread(get, "/redirect/3"),
        asyncio.to_thread(get, "/bytes/5000?seed=7"),
        asyncio.to_thread(refused),
    )
    for line in lines:
        print(line)


asyncio.run(main())
