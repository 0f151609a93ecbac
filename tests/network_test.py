#!/usr/bin/env python3
"""The network programs' side of aiodemo: the local HTTP server (aiodemo
httpbin, and the one a run starts for a program's url parameters), url
parameters in the header and on the command line, and a missing module's
message. Output is TAP.

usage: network_test.py AIODEMO

(python_e2e.py runs the network programs themselves against python3.)"""
import concurrent.futures
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import strict_json  # noqa: E402

strict_json.install()

AIODEMO = os.path.abspath(sys.argv[1])
SANITIZED = os.environ.get('AIODEMO_SANITIZE', 'none') != 'none'
THREADS = os.environ.get('AIODEMO_SANITIZE') == 'thread'
SLACK = 0.25 if SANITIZED else 0.08  # seconds a request may take beyond its delay
WORK = tempfile.mkdtemp(prefix='aiodemo-network-')
ENV = dict(os.environ, LC_ALL='C.UTF-8', LANG='C.UTF-8')
ENV.pop('LANGUAGE', None)
# urllib must not send 127.0.0.1 to a proxy of the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Failure(Exception):
    pass


class Httpbin:
    """aiodemo httpbin ARGS..., until close()."""

    def __init__(self, *args):
        self.p = subprocess.Popen([AIODEMO, 'httpbin', *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=ENV)
        self.first = self.p.stdout.readline()
        m = re.search(r'http://127\.0\.0\.1:(\d+)', self.first)
        if not m:
            self.p.kill()
            raise Failure(f'aiodemo httpbin {" ".join(args)} said {self.first!r}, '
                          f'{self.p.stderr.read()!r}')
        self.url, self.port = m.group(0), int(m.group(1))
        self.lines = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.p.stdout))
        self.reader.start()

    def close(self, sig=signal.SIGINT):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=10)
        finally:
            if self.p.poll() is None:
                self.p.kill()
        self.reader.join()
        self.err = self.p.stderr.read()
        self.p.stderr.close()
        self.p.stdout.close()
        return rc


def get(url, method='GET', data=None, timeout=30):
    """(status, body, seconds) of a request; HTTP errors are answers too."""
    start = time.monotonic()
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return r.status, r.read(), time.monotonic() - start
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - start


def expect(what, ok, detail=''):
    if not ok:
        raise Failure(f'{what}{": " + str(detail) if detail != "" else ""}')


def run(*args, timeout=120):
    return subprocess.run([AIODEMO, *args], capture_output=True, text=True, env=ENV, cwd=WORK,
                          timeout=timeout)


def program(name, text):
    path = os.path.join(WORK, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def port_closed(port):
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) != 0


# --- aiodemo httpbin ------------------------------------------------------------

def case_endpoints():
    """/get echoes, /bytes is the same for a seed, /status, /redirect, and
    what is not served says what is."""
    h = Httpbin()
    try:
        status, body, _ = get(h.url + '/get?name=alice&x=a%20b')
        d = json.loads(body)
        expect('/get status', status == 200, status)
        expect('/get args', d['args'] == {'name': 'alice', 'x': 'a b'}, d['args'])
        expect('/get url', d['url'] == h.url + '/get?name=alice&x=a%20b', d['url'])
        expect('/get origin', d['origin'] == '127.0.0.1', d['origin'])
        expect('/get headers', d['headers'].get('Host') == f'127.0.0.1:{h.port}', d['headers'])
        s1, b1, _ = get(h.url + '/bytes/1000?seed=3')
        _, b2, _ = get(h.url + '/bytes/1000?seed=3')
        _, b3, _ = get(h.url + '/bytes/1000?seed=4')
        expect('/bytes/1000', s1 == 200 and len(b1) == 1000, (s1, len(b1)))
        expect('/bytes: the same for a seed, not for another', b1 == b2 and b1 != b3)
        expect('/bytes/0', get(h.url + '/bytes/0')[:2] == (200, b''))
        expect('/status/418', get(h.url + '/status/418')[0] == 418)
        status, body, _ = get(h.url + '/redirect/3')  # urllib follows them
        expect('/redirect/3 ends at /get', status == 200 and json.loads(body)['url'] == h.url + '/get',
               (status, body[:80]))
        status, body, _ = get(h.url + '/nope')
        expect('404 says what is served', status == 404 and b'/delay/N' in body, (status, body))
        status, body, _ = get(h.url + '/get', method='POST', data=b'a=1')
        expect('POST is refused', status == 405 and b'GET and HEAD' in body, (status, body))
        expect('HEAD is served', get(h.url + '/get', method='HEAD')[:2] == (200, b''))
        for bad in ('/delay/61', '/delay/x', '/bytes/-1', '/bytes/1.5', '/status/99',
                    '/redirect/0'):
            expect(f'{bad} is a bad request', get(h.url + bad)[0] == 400, bad)
    finally:
        rc = h.close()
    expect('exit status after Ctrl-C', rc == 0, (rc, h.err))
    answered = [l for l in h.lines if ' answered ' in l]
    expect('a line per answer', len(answered) == 19, len(answered))
    expect('the count at the end', h.lines[-1].strip() == 'stopped by SIGINT, after 19 requests',
           h.lines[-1:])


def case_delays_scaled():
    """/delay/N and --latency are program time: multiplied by --scale."""
    h = Httpbin('--scale', '0.2', '--latency', '0.5')
    try:
        _, _, t_get = get(h.url + '/get')
        _, body, t_delay = get(h.url + '/delay/1?k=v')
        expect('/delay echoes its args', json.loads(body)['args'] == {'k': 'v'})
    finally:
        h.close()
    expect('latency 0.5 at scale 0.2 takes 0.1 s', 0.1 <= t_get <= 0.1 + SLACK, round(t_get, 3))
    expect('/delay/1 with latency 0.5 at scale 0.2 takes 0.3 s', 0.3 <= t_delay <= 0.3 + SLACK,
           round(t_delay, 3))
    expect('the first line says the scale and the latency',
           'delays x 0.2, latency 0.5 s' in h.first, h.first)


def case_stop_during_delay():
    """Ctrl-C ends a delay still running: the server stops at once."""
    h = Httpbin()
    errors = []

    def slow():
        try:
            get(h.url + '/delay/30')
        except Exception as e:  # noqa: BLE001 - the connection closes unanswered
            errors.append(e)
    t = threading.Thread(target=slow)
    t.start()
    while not any('/delay/30' in l for l in h.lines):
        time.sleep(0.01)
    start = time.monotonic()
    rc = h.close()
    took = time.monotonic() - start
    t.join(timeout=10)
    expect('stopped within 2 s of Ctrl-C', took < 2, round(took, 3))
    expect('exit status', rc == 0, rc)
    expect('the client is not left waiting', not t.is_alive() and errors, errors)
    expect('the port is closed', port_closed(h.port))


def case_sigterm():
    h = Httpbin()
    rc = h.close(signal.SIGTERM)
    expect('SIGTERM stops it too', rc == 0 and 'SIGTERM' in h.lines[-1], (rc, h.lines))


def case_port_in_use():
    h = Httpbin()
    try:
        p = run('httpbin', '--port', str(h.port), timeout=10)
    finally:
        h.close()
    expect('exit status', p.returncode == 1, p.returncode)
    expect('the error', f'cannot serve on 127.0.0.1:{h.port}' in p.stderr, p.stderr)


def case_many_clients():
    """1,000 requests from 50 clients at once: every one answered."""
    h = Httpbin()
    try:
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            statuses = list(pool.map(lambda i: get(f'{h.url}/get?i={i}')[0], range(1000)))
    finally:
        h.close()
    expect('all answered 200', statuses.count(200) == 1000,
           {s: statuses.count(s) for s in set(statuses)})
    expect('the count', h.lines[-1].strip() == 'stopped by SIGINT, after 1000 requests', h.lines[-1:])


def case_usage():
    p = run('httpbin', '--latency', 'x')
    expect('--latency x', p.returncode == 2 and "--latency takes seconds" in p.stderr, p.stderr)
    p = run('httpbin', 'extra')
    expect('an operand', p.returncode == 2 and "unexpected argument 'extra'" in p.stderr, p.stderr)
    p = run('run', 'offload-sleep', '--latency', '1')
    expect('--latency is httpbin\'s', p.returncode == 2 and 'only of' in p.stderr, p.stderr)


# --- url parameters ------------------------------------------------------------

FETCH = '''# aiodemo: url base = https://example.test latency 1s
# aiodemo: end
import asyncio
import urllib.request

opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def fetch(path):
    with opener.open("https://example.test" + path, timeout=5) as r:
        return r.status

async def main():
    print(await asyncio.gather(*(asyncio.to_thread(fetch, f"/get?n={i}") for i in range(3))))

asyncio.run(main())
'''


def events_of(stdout):
    lines = [json.loads(l) for l in stdout.splitlines()]
    return lines[0], lines[1:-1], lines[-1]


def case_local_server():
    """A run starts its own server for the url, with the header's latency
    at the run's scale, and stops it at the end."""
    path = program('fetch.py', FETCH)
    p = run('run', path, '--scale', '0.2', '--format', 'json')
    expect('exit status', p.returncode == 0, p.stderr)
    header, events, summary = events_of(p.stdout)
    url = header['params'].get('base', '')
    expect('the header keeps the URL the run used', re.fullmatch(r'http://127\.0\.0\.1:\d+', url),
           header['params'])
    expect('as the default', header['params_set'] == [], header['params_set'])
    says = [e['text'] for e in events if e['kind'] == 'say']
    expect('three answers', says == ['[200, 200, 200]'], says)
    # 1 s of latency at scale 0.2, the three at once.
    t = [e['t'] for e in events if e['kind'] == 'say'][0]
    expect('at once: 0.2 s, not 0.6 s', 0.2 <= t <= 0.2 + SLACK + 0.1, t)
    expect('the server is gone after the run', port_closed(int(url.rsplit(':', 1)[1])))


def case_param_url():
    """--param base=URL asks that server, and no local one starts."""
    h = Httpbin()
    try:
        path = program('fetch.py', FETCH)
        p = run('run', path, '--param', f'base={h.url}', '--format', 'json')
        shown = run('show', path, '--param', f'base={h.url}')
    finally:
        h.close()
    expect('exit status', p.returncode == 0, p.stderr)
    header, events, _ = events_of(p.stdout)
    expect('the value set', header['params'] == {'base': h.url} and header['params_set'] == ['base'],
           (header['params'], header['params_set']))
    got = sorted(l.split()[3] for l in h.lines if ' GET ' in l)
    expect('the requests came to the server given', got == ['/get', '/get', '/get'], h.lines)
    expect('show prints the program with the URL', f'"{h.url}" + path' in shown.stdout
           and 'https://example.test" + path' not in shown.stdout, shown.stdout[-300:])


def case_url_errors():
    path = program('fetch.py', FETCH)
    for bad in ('ftp://x', 'http://', 'http://a b', 'http://a"b', "http://a'b", 'http://a\\b', 'x'):
        p = run('run', path, '--param', f'base={bad}')
        expect(f'--param base={bad}', p.returncode == 2 and 'takes a URL' in p.stderr, p.stderr)
    p = run('run', path, '--param', 'bse=http://x')
    expect('a mistyped name', p.returncode == 2 and "did you mean 'base'" in p.stderr, p.stderr)
    for header, want in (('url base = https://nowhere.test', 'url base: https://nowhere.test does not occur'),
                         ('url base https://example.test', 'url takes NAME = URL'),
                         ('url base = https://example.test latency soon', 'url takes NAME = URL'),
                         ('url base = https://example.test extra', 'url takes NAME = URL')):
        text = FETCH.replace('url base = https://example.test latency 1s', header)
        p = run('run', program('bad.py', text))
        expect(f'header {header!r}', p.returncode == 2 and f'bad.py:1: ' in p.stderr and want in p.stderr,
               (p.returncode, p.stderr))


# --- a missing module ------------------------------------------------------------

def case_missing_module():
    p = run('run', program('typo.py', 'import asyncio\n\nimport requestz\n'))
    expect('exit status', p.returncode == 1, p.returncode)
    expect('file:line:column and a suggestion',
           "typo.py:3:1: no module named 'requestz'; did you mean 'requests'?" in p.stderr, p.stderr)
    expect('CPython\'s own traceback too', "ModuleNotFoundError: No module named 'requestz'" in p.stdout,
           p.stdout[-400:])
    # A module of the table that this machine lacks: its Debian package.
    for module, package in (('trio', 'python3-trio'), ('websockets', 'python3-websockets'),
                            ('yaml', 'python3-yaml'), ('bs4', 'python3-bs4')):
        if subprocess.run(['/usr/bin/python3.11', '-c', f'import {module}'],
                          capture_output=True).returncode != 0:
            text = f'import asyncio\n\nasync def main():\n    import {module}.sub\n\nasyncio.run(main())\n'
            p = run('run', program('lacks.py', text))
            expect('the package named',
                   f"lacks.py:4:5: no module named '{module}': Debian's {package} has it "
                   f"(apt-get install {package})" in p.stderr, p.stderr)
            break
    # A package that is there without the module: CPython's message alone.
    p = run('run', program('sub.py', 'import json.nosuch\n'))
    expect('no line of aiodemo\'s for a missing submodule', p.returncode == 1 and 'sub.py:1' not in p.stderr,
           p.stderr)


# --- a server program and its clients (serve --clients) ----------------------

CPUS = os.cpu_count() or 1
PYTHON = '/usr/bin/python3.11' if os.path.exists('/usr/bin/python3.11') else 'python3'
FAILS = '''# aiodemo: param port = 8080 at "port=8080"
# aiodemo: clients 3 ask /boom
# aiodemo: end
from aiohttp import web


async def boom(request):
    return web.Response(status=500, text="boom")

app = web.Application()
app.add_routes([web.get("/boom", boom)])
web.run_app(app, port=8080, print=None)
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def own_processes(marker):
    """The processes whose command line holds @marker (a port: the server's
    or its clients'), but this one."""
    found = []
    for pid in os.listdir('/proc'):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open(f'/proc/{pid}/cmdline', 'rb') as f:
                    if marker.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def at_once(url, n=10):
    """[(sent, answered, status, body)] of @n requests sent together."""
    start = threading.Barrier(n)

    def one(_):
        start.wait()
        t0 = time.monotonic()
        status, body, _ = get(url)
        return t0, time.monotonic(), status, body.decode()
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def case_captcha_clients():
    """02 Level 4 as printed: ten captchas of 0.1 s through a ProcessPoolExecutor()
    of one worker per CPU take ceil(10 / CPUs) x 0.1 s, under aiodemo serve
    --clients 10 as under python3 with ten clients of the test's own."""
    port = free_port()
    p = run('serve', 'captcha-server', '--clients', '10', '--port', str(port), '--format', 'json')
    expect('exit status', p.returncode == 0, (p.returncode, p.stderr[-800:]))
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    summary = lines[-1]
    c = summary['clients']
    expect('the url', c['url'] == f'http://127.0.0.1:{port}/captcha?length=8', c['url'])
    expect('all answered, 2xx', (c['asked'], c['answered'], c['ok'], c['error']) == (10, 10, True, None), c)
    for r in c['requests']:
        expect('an answer', r['status'] == 200 and re.fullmatch(r'\{"captcha": "[a-f1-6]{8}"\}', r['body']), r)
    expect('a planned end', summary['status'] == 'ok', summary['status'])
    span = max(r['answered'] for r in c['requests']) - min(r['sent'] for r in c['requests'])
    want = -(-10 // CPUS) * 0.1
    # (Not under ThreadSanitizer, where forking a worker costs some 100 ms.)
    expect(f'ten captchas in ceil(10 / {CPUS}) x 0.1 s',
           want - 0.02 <= span <= want + 0.15 + 2 * SLACK or THREADS, f'{span:.3f} s')
    # Each request a task of aiohttp's on the loop, each captcha a job of the pool's workers.
    expect('jobs', summary['jobs'] >= 10, summary['jobs'])
    workers = {e['lane'] for e in lines if e.get('kind') == 'job-start' and e.get('lane_kind') == 'process'}
    expect('worker processes', len(workers) == min(CPUS, 10), sorted(workers))
    expect('nothing left', not own_processes(str(port)), own_processes(str(port)))
    expect('the port closed', port_closed(port))
    # The server's side: each request arrives on a server lane and is answered
    # there, its latency the server's own, no longer than its client saw.
    ev = io_events(lines)
    arrives = io_match(ev, r'a request from 127\.0\.0\.1:(\d+) arrives: \d+ bytes \(fd \d+\)')
    answers = io_match(ev, r'answers 127\.0\.0\.1:(\d+) after ([\d.]+) ms \(fd \d+\)')
    expect('ten requests arrive, ten answered', len(arrives) == 10 and len(answers) == 10,
           [e['text'] for e in ev][:30])
    expect('on a server lane of the port', all(
        e['lane_kind'] == 'server' and e['lane'].endswith(f':{port}') for e, _ in arrives + answers),
        {e['lane'] for e, _ in arrives + answers})
    lat = sorted(float(m.group(2)) / 1e3 for _, m in answers)
    seen = sorted(r['answered'] - r['sent'] for r in c['requests'])
    expect('each answered after its captcha', lat[0] >= 0.1 - 0.005, lat)
    expect('the server answers no later than its clients hear', lat[-1] <= seen[-1] + 0.005,
           (lat, seen))
    # The same program under python3, asked by ten clients of this test's.
    port2 = free_port()
    prog = program('captcha.py', run('show', 'captcha-server', '--param', f'port={port2}').stdout)
    py = subprocess.Popen([PYTHON, prog], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=WORK)
    try:
        deadline = time.monotonic() + 30
        while port_closed(port2):
            expect('python3 listens', time.monotonic() < deadline and py.poll() is None, py.poll())
            time.sleep(0.02)
        answers = at_once(f'http://127.0.0.1:{port2}/captcha?length=8')
    finally:
        py.send_signal(signal.SIGINT)
        try:
            py.wait(timeout=10)
        except subprocess.TimeoutExpired:
            py.kill()
            py.wait()
        py.stdout.close()
        py.stderr.close()
    expect('python3: all answered', [a[2] for a in answers] == [200] * 10, answers)
    span2 = max(a[1] for a in answers) - min(a[0] for a in answers)
    expect('python3 takes as long', abs(span2 - span) <= 0.1 + 2 * SLACK or THREADS,
           f'python3 {span2:.3f} s, aiodemo {span:.3f} s')


def case_clients_errors():
    """--clients where it cannot be, a server that ends by itself, answers that
    are not 2xx."""
    p = run('serve', 'offload-sleep', '--clients', '3')
    expect('no port parameter: exit 2', p.returncode == 2, p.returncode)
    expect('... and says so', "has no parameter 'port'" in p.stderr, p.stderr)
    p = run('run', 'captcha-server', '--clients', '3')
    expect('run --clients: exit 2', p.returncode == 2 and "--clients is not an option of 'run'" in p.stderr,
           p.stderr)
    p = run('serve', 'captcha-server', '--clients', '1001')
    expect('1001 clients: exit 2', p.returncode == 2 and 'from 1 to 1000' in p.stderr, p.stderr)
    quits = program('quits.py', '# aiodemo: param port = 8080 at "port=8080"\n'
                                '# aiodemo: end\nport=8080\nprint("no server on", port)\n')
    p = run('serve', quits, '--clients', '2', '--port', str(free_port()), timeout=60)
    expect('a program that ends by itself: exit 1', p.returncode == 1, (p.returncode, p.stderr))
    expect('... said', 'ended by itself' in p.stderr, p.stderr)
    # Started with SIGINT ignored (a shell's background job), the server is
    # stopped all the same once its clients are answered.
    port = free_port()
    p = subprocess.run([AIODEMO, 'serve', 'captcha-server', '--clients', '2', '--port', str(port), '--scale', '0.2',
                        '--format', 'json'], capture_output=True, text=True, env=ENV, cwd=WORK, timeout=60,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    expect('SIGINT ignored: exit 0', p.returncode == 0, (p.returncode, p.stderr[-800:]))
    summary = json.loads(p.stdout.splitlines()[-1])
    expect('... a planned end', (summary['status'], summary['clients']['ok']) == ('ok', True), summary['status'])
    port = free_port()
    p = run('serve', program('fails.py', FAILS), '--clients', '3', '--port', str(port), '--color', 'never')
    expect('answers of 500: exit 1', p.returncode == 1, (p.returncode, p.stderr))
    expect('... told', re.search(r'answered +3 of 3, 0 with a 2xx status', p.stdout), p.stdout[-1500:])
    expect('... each', p.stdout.count(' 500  boom') == 3, p.stdout[-1500:])
    expect('nothing left', not own_processes(str(port)), own_processes(str(port)))


# --- the loop's sockets on the timeline ------------------------------------------

ECHO = '''\
import asyncio


async def handle(reader, writer):
    data = await reader.readexactly(5)
    await asyncio.sleep(0.2)
    writer.write(data.upper() * 3)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def ask(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"hello")
    await writer.drain()
    print(await reader.read())
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await ask(port)
    server.close()
    await server.wait_closed()

asyncio.run(main())
'''


def io_events(lines):
    return [e for e in lines if e.get('kind') == 'io']


def io_match(events, pattern):
    return [(e, m) for e in events for m in [re.fullmatch(pattern, e['text'])] if m]


def case_loop_sockets():
    """Each socket the loop watches, on the lane of the task that uses it or on
    a server lane: connected, a request sent and its answer (with the time
    between them), the counts of bytes, closed; the server's side with its
    answer's latency."""
    path = program('echo.py', ECHO)
    p = run('run', path, '--scale', '0.5', '--format', 'json')
    expect('exit status', p.returncode == 0, p.stderr[-800:])
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    ev = io_events(lines)
    texts = [e['text'] for e in ev]
    says = [e['text'] for e in lines if e.get('kind') == 'say']
    expect('the program ran', says == ["b'HELLOHELLOHELLO'"], says)
    listen = io_match(ev, r'listens on 127\.0\.0\.1:(\d+) \(fd (\d+)\)')
    expect('listens, once', len(listen) == 1, texts)
    server_lane = listen[0][0]['lane']
    port = listen[0][1].group(1)
    expect('on a server lane of its own', server_lane == f'server 127.0.0.1:{port}' and
           listen[0][0]['lane_kind'] == 'server', listen[0][0])
    conn = io_match(ev, rf'connected to 127\.0\.0\.1:{port} in ([\d.]+) ms \(fd (\d+)\)')
    expect('connected, once', len(conn) == 1, texts)
    client_lane, cfd = conn[0][0]['lane'], conn[0][1].group(2)
    expect('on the lane of the task that connects', client_lane.startswith('Task-1 main()'),
           client_lane)
    sent = io_match(ev, rf'sends 5 bytes to 127\.0\.0\.1:{port} \(fd {cfd}\)')
    expect('the request: 5 bytes', len(sent) == 1 and sent[0][0]['lane'] == client_lane, texts)
    accepted = io_match(ev, r'accepted 127\.0\.0\.1:(\d+) \(fd (\d+)\)')
    expect('accepted on the server lane',
           len(accepted) == 1 and accepted[0][0]['lane'] == server_lane, texts)
    sfd = accepted[0][1].group(2)
    arrives = io_match(ev, rf'a request from 127\.0\.0\.1:\d+ arrives: 5 bytes \(fd {sfd}\)')
    answers = io_match(ev, rf'answers 127\.0\.0\.1:\d+ after ([\d.]+) ms \(fd {sfd}\)')
    expect('the request arrives, and is answered', len(arrives) == 1 and len(answers) == 1, texts)
    # asyncio.sleep(0.2) at --scale 0.5: 0.1 s on the clock.
    latency = float(answers[0][1].group(1)) / 1e3
    expect("answered after the handler's 0.2 s at scale 0.5", 0.1 <= latency <= 0.1 + SLACK,
           latency)
    expect('the latency is the event\'s dur', abs(answers[0][0]['dur'] - latency) < 1e-4,
           answers[0][0])
    expect('answered when it arrived + the latency',
           abs(answers[0][0]['t'] - arrives[0][0]['t'] - latency) < 0.002,
           (arrives[0][0]['t'], answers[0][0]['t'], latency))
    begins = io_match(ev, rf'the answer from 127\.0\.0\.1:{port} begins after ([\d.]+) ms: '
                          rf'15 bytes \(fd {cfd}\)')
    expect("the answer: 15 bytes, on the task's lane",
           len(begins) == 1 and begins[0][0]['lane'] == client_lane, texts)
    waited = float(begins[0][1].group(1)) / 1e3
    expect('the client waits as long as the server takes', latency <= waited <= latency + 0.02,
           (waited, latency))
    closed = io_match(ev, r'closed the connection to 127\.0\.0\.1:\d+ after [\d.]+ s: '
                          r'(\d+) bytes out, (\d+) in \(fd (\d+)\)')
    counts = sorted((m.group(3), int(m.group(1)), int(m.group(2)), e['lane']) for e, m in closed)
    expect('both ends closed, every byte counted',
           counts == sorted([(cfd, 5, 15, client_lane), (sfd, 15, 5, server_lane)]), counts)
    stops = io_match(ev, rf'stops listening on 127\.0\.0\.1:{port} \(fd \d+\)')
    expect('stops listening', len(stops) == 1, texts)
    order = [e['text'].split(' ')[0] for e in ev if e['lane'] == client_lane]
    expect("the client's socket in order", order == ['connected', 'sends', 'the', 'closed'], order)
    # The same events in the text, in Chinese too.
    p = run('run', path, '--scale', '0.5', '--lang', 'zh', '--width', '200')
    expect('zh: exit status', p.returncode == 0, p.stderr[-400:])
    expect('zh: translated', re.search(r'⇄ 向 127\.0\.0\.1:\d+ 发送 5 字节（fd \d+）', p.stdout) and
           '发出 5 字节，收到 15 字节' in p.stdout, p.stdout[-1500:])


def case_downloads_sockets():
    """04's v2 (httpx) asks from the loop's one thread: every request a socket
    of the loop's, on its own task's lane; v1 (requests in to_thread) asks
    from worker threads, whose blocking sockets are not the loop's."""
    p = run('run', 'downloads-httpx', '--scale', '0.2', '--format', 'json')
    expect('v2: exit status', p.returncode == 0, p.stderr[-800:])
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    ev = io_events(lines)
    sent = io_match(ev, r'sends (\d+) bytes to 127\.0\.0\.1:(\d+) \(fd (\d+)\)')
    begins = io_match(ev, r'the answer from 127\.0\.0\.1:\d+ begins after ([\d.]+) ms: '
                          r'\d+ bytes \(fd (\d+)\)')
    closed = io_match(ev, r'closed the connection to .* (\d+) bytes out, (\d+) in \(fd (\d+)\)')
    expect('v2: ten requests', len(sent) == 10 and len(begins) == 10 and len(closed) == 10,
           (len(sent), len(begins), len(closed)))
    lanes = {e['lane'] for e, _ in sent}
    expect('v2: each on a task of its own', len(lanes) == 10 and all(
        e['lane_kind'] == 'task' and 'download_single_image' in e['lane'] for e, _ in sent),
        sorted(lanes))
    by_fd = {m.group(2): e['lane'] for e, m in begins}
    expect('v2: each answer on the lane of the task that asked',
           all(by_fd.get(m.group(3)) == e['lane'] for e, m in sent),
           (by_fd, [(m.group(3), e['lane']) for e, m in sent]))
    # The server's latency of 1 s at scale 0.2.
    waits = sorted(float(m.group(1)) / 1e3 for _, m in begins)
    expect('v2: each answer after the latency', 0.2 <= waits[0] and waits[-1] <= 0.2 + SLACK + 0.1,
           waits)
    got = sorted(int(m.group(2)) for _, m in closed)
    expect('v2: each answer holds its image', all(n > 20000 for n in got), got)
    p = run('run', 'downloads-threads', '--scale', '0.2', '--format', 'json')
    expect('v1: exit status', p.returncode == 0, p.stderr[-800:])
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    expect("v1: no socket of the loop's", io_events(lines) == [], io_events(lines)[:3])
    starts = [e for e in lines if e.get('kind') == 'job-start']
    expect('v1: the requests are jobs of worker threads',
           len(starts) >= 10 and all(e['lane_kind'] == 'thread' for e in starts),
           sorted({e['lane'] for e in starts}))


CASES = [(n[5:].replace('_', '-'), f) for n, f in sorted(globals().items()) if n.startswith('case_')]


def main():
    print(f'1..{len(CASES)}')
    failed = 0
    for n, (name, fn) in enumerate(CASES, 1):
        try:
            fn()
            print(f'ok {n} - {name}')
        except Exception as e:  # noqa: BLE001 - any failure is the case's
            failed += 1
            print(f'not ok {n} - {name}')
            for line in f'{type(e).__name__}: {e}'.splitlines():
                print(f'# {line}')
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    finally:
        import shutil
        shutil.rmtree(WORK, ignore_errors=True)
