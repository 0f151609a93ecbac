# The clients of `aiodemo serve --clients N` (src/net/clients.c): N
# requests at once, each GET URL from a thread of its own, started together
# (a barrier), as N users of a server would. One line a request as it is
# answered, on stdout:
#
#   ID <TAB> SENT <TAB> ANSWERED <TAB> STATUS <TAB> BODY
#
# SENT and ANSWERED on CLOCK_MONOTONIC (time.monotonic), which aiodemo's
# timeline counts from; STATUS 0 when no answer came (BODY then says why);
# BODY the first 200 characters of the answer, control characters as
# spaces. Only the standard library: any python3 runs it.
import sys
import threading
import time
import urllib.error
import urllib.request

url, n, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
# 127.0.0.1 is never a proxy's to answer.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
start = threading.Barrier(n)
out = threading.Lock()


def ask(i):
    start.wait()
    sent = time.monotonic()
    try:
        with opener.open(url, timeout=timeout) as r:
            status, body = r.status, r.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode('utf-8', 'replace')
    except Exception as e:  # noqa: BLE001 - whatever stops a request is its answer
        status, body = 0, f'{type(e).__name__}: {e}'
    answered = time.monotonic()
    body = ''.join(c if c >= ' ' else ' ' for c in body[:200])
    with out:
        print(f'{i}\t{sent:.6f}\t{answered:.6f}\t{status}\t{body}', flush=True)


threads = [threading.Thread(target=ask, args=(i,)) for i in range(1, n + 1)]
for t in threads:
    t.start()
for t in threads:
    t.join()
