// aiodemo's Chrome traces (--trace) in the parsers of real viewers: Chrome
// DevTools' trace engine (@paulirish/trace_engine, the Performance panel's)
// and speedscope's importer, both from tests/trace/package-lock.json. Each
// program runs at --scale 0.1 with --trace and --record; both parsers must
// read the trace without an error or a warning, and show its tasks, its
// jobs on their workers (as many as the record has, as long), the waits,
// and the flows from each offload to its job and back. TAP on stdout.
//
//   node tests/trace/check_trace.mjs build/src/aiodemo [PROGRAM...]
//
// The parsers are installed by `npm ci --prefix tests/trace`; without them
// the test fails and says so.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const here = path.dirname(fileURLToPath(import.meta.url));
const SETUP = 'npm ci --prefix tests/trace';

let count = 0, failed = 0;
function ok(cond, what, detail) {
    count++;
    if (!cond)
        failed++;
    console.log(`${cond ? 'ok' : 'not ok'} ${count} - ${what}`);
    if (!cond && detail !== undefined)
        for (const line of String(detail).split('\n'))
            console.log(`#   ${line}`);
    return cond;
}
function bail(why) {
    console.log(`Bail out! ${why}`);
    process.exit(1);
}

// ---- the parsers -----------------------------------------------------------

// The console of a parser: what it says, kept, and not on the TAP stream.
function quietConsole(said) {
    const keep = level => (...args) => said.push(`${level}: ${args.map(String).join(' ')}`);
    return { log: () => {}, info: () => {}, debug: () => {}, warn: keep('warn'), error: keep('error'),
             assert: (c, ...a) => { if (!c) keep('assert')(...a); } };
}

async function loadDevTools() {
    // DevTools expects a browser: the one thing it needs of one here.
    globalThis.DOMRect ??= class DOMRect {
        constructor(x = 0, y = 0, width = 0, height = 0) {
            Object.assign(this, { x, y, width, height, left: x, top: y, right: x + width, bottom: y + height });
        }
    };
    // Debian 12's node 18 has no Array.prototype.toSorted, which an insight uses.
    if (!Array.prototype.toSorted)
        Object.defineProperty(Array.prototype, 'toSorted', { value(cmp) { return [...this].sort(cmp); } });
    return await import('@paulirish/trace_engine');
}

// speedscope is published as its web app: one script whose importers sit in
// a module of the bundle (the one exporting importProfileGroupFromText). The
// script runs in a sandbox up to where the app would start, and hands that
// module out instead.
function loadSpeedscope(said) {
    const dir = path.join(here, 'node_modules', 'speedscope', 'dist', 'release');
    const file = fs.readdirSync(dir).find(f => /^speedscope-[\w-]+\.js$/.test(f));
    if (!file)
        throw new Error(`no speedscope-*.js in ${dir}`);
    let src = fs.readFileSync(path.join(dir, file), 'utf8');
    const ns = /var ([\w$]+)=\{\};[\w$]+\(\1,\{importFromFileSystemDirectoryEntry/.exec(src);
    const esc = s => s.replace(/\$/g, '\\$');
    const init = ns && new RegExp(`\\(\\(\\)=>\\(([\\w$]+)\\(\\),${esc(ns[1])}\\)\\)`).exec(src);
    const boot = src.lastIndexOf('console.log(`speedscope v');
    if (!ns || !init || boot < 0)
        throw new Error(`${file}: the importers' module is not where this test looks for it`);
    src = `${src.slice(0, boot)}globalThis.importers=(${init[1]}(),${ns[1]});})();`;
    const noop = () => {};
    // Whatever the app's modules touch of the page, while they load.
    const page = new Proxy(function () {}, {
        get: (t, k) => (k === Symbol.toPrimitive ? () => '' : page),
        apply: () => page,
        construct: () => page,
    });
    const sandbox = {
        console: quietConsole(said), setTimeout, clearTimeout, TextDecoder, TextEncoder, URL, atob, btoa,
        document: page, navigator: { userAgent: 'node' }, location: { hash: '', search: '', href: '' },
        localStorage: { getItem: () => null, setItem: noop }, addEventListener: noop,
        removeEventListener: noop, matchMedia: () => ({ matches: false, addEventListener: noop, addListener: noop }),
    };
    sandbox.window = sandbox.self = sandbox;
    vm.createContext(sandbox);
    vm.runInContext(src, sandbox, { filename: file });
    return sandbox.importers;
}

// The trace in DevTools: threads by tid ({name, entries}), flows, and what
// the engine said while parsing.
async function devtoolsParse(Trace, events) {
    const said = [];
    const saved = { warn: console.warn, error: console.error };
    Object.assign(console, { warn: quietConsole(said).warn, error: quietConsole(said).error });
    try {
        const model = Trace.TraceModel.Model.createWithAllHandlers();
        await model.parse(structuredClone(events));
        const data = model.parsedTrace().data;
        const threads = new Map();
        for (const proc of data.Renderer.processes.values())
            for (const [tid, t] of proc.threads)
                threads.set(tid, { name: t.name, entries: t.entries });
        return { threads, flows: data.Flows.flows, said };
    } finally {
        Object.assign(console, saved);
    }
}

// The trace in speedscope: per thread, its frames as they open and close,
// with their times (µs from the thread's first slice).
async function speedscopeParse(importers, said, name, text) {
    said.length = 0;
    const group = await importers.importProfileGroupFromText(name, text);
    const threads = new Map();
    for (const p of group ? group.profiles : []) {
        const calls = [];
        const open = [];
        p.forEachCall((node, t) => open.push({ name: node.frame.name, t }),
            (node, t) => { const c = open.pop(); calls.push({ name: c.name, t0: c.t, t1: t }); });
        const m = /\), (.*) \(tid (\d+)\)$/.exec(p.getName());
        threads.set(m ? Number(m[2]) : p.getName(), { name: m ? m[1] : p.getName(), calls });
    }
    return { threads, said: [...said] };
}

// ---- aiodemo ---------------------------------------------------------------

// @program: a built-in one's name, or a file under tests/.
function runAiodemo(aiodemo, program, dir) {
    const base = path.basename(program);
    const trace = path.join(dir, `${base}.trace.json`), record = path.join(dir, `${base}.record.json`);
    const what = program.includes('/') ? path.join(here, '..', program) : program;
    execFileSync(aiodemo, ['run', what, '--scale', '0.1', '--trace', trace, '--record', record],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120000 });
    return { text: fs.readFileSync(trace, 'utf8'), record: JSON.parse(fs.readFileSync(record, 'utf8')) };
}

// The record's jobs: by number, {worker lane name, seconds from start to done}.
function recordJobs(record) {
    const jobs = new Map();
    for (const e of record.events) {
        if (!e.job || e.kind === 'child' || e.kind === 'waits' || e.kind === 'timer' || e.kind === 'timer-off')
            continue;
        const j = jobs.get(e.job) ?? {};
        if (e.kind === 'offload') {
            j.by = record.lanes[e.lane].name;
            j.task = record.lanes[e.lane].kind === 'task';
        }
        if (e.kind === 'job-start') {
            j.worker = record.lanes[e.lane].name;
            j.start = e.t;
        }
        if ((e.kind === 'job-done' || e.kind === 'error') && j.start !== undefined && j.done === undefined)
            j.done = e.t;
        jobs.set(e.job, j);
    }
    return jobs;
}

// ---- the checks ------------------------------------------------------------

const near = (x, want, tol) => Math.abs(x - want) <= tol;
const ms = us => (us / 1000).toFixed(3);
// Under the sanitizers a worker thread takes up to some 100 ms to start,
// and everything runs slower: lengths may be that much longer.
const SANITIZE = process.env.AIODEMO_SANITIZE ?? 'none';
const LATE = SANITIZE === 'thread' ? 400 : SANITIZE && SANITIZE !== 'none' ? 150 : 0;
// Whether @us microseconds is some @want ms: 30% less at most, 30% more
// and what the sanitizers add.
const some = (us, want) => us / 1000 >= 0.7 * want && us / 1000 <= 1.3 * want + LATE;

// What each program's trace must show, at --scale 0.1 (ms; tolerances are
// wide: the machine is shared).
const PROGRAMS = {
    'offload-sleep': {
        tasks: ['Task-2 blocked_task()', 'Task-3 normal_task()'],
        jobs: 1, jobMs: 200,
        waits: { 'Task-2 blocked_task()': [/^await job 1$/, 200], 'Task-3 normal_task()': [/^await asyncio\.sleep$/, 100] },
    },
    'bounded-pool': {
        tasks: ['Task-2 download_task(\'url1\')', 'Task-5 download_task(\'url4\')'],
        jobs: 4, jobMs: 100, workers: 3,
        // (200 ms where the fourth waits for a worker: not where the loop
        // is slow to run it, as under ThreadSanitizer.)
        waits: { 'Task-5 download_task(\'url4\')': [/^await job 4$/, SANITIZE === 'thread' ? undefined : 200] },
    },
    'process-primes': {
        tasks: ['Task-1 main()'],
        jobs: 2, process: true,
        waits: { 'Task-1 main()': [/^await 2 jobs$/] },
    },
    'blocking-sleep': {
        tasks: ['Task-1 main()', 'Task-3 good_task()'],
        jobs: 0,
        slices: { 'Task-2 bad_task()': [/^blocking the loop$/, 200], 'Task-3 good_task()': [/^ready$/, 200],
                  'loop': [/^blocking the loop$/, 200] },
        waits: { 'Task-3 good_task()': [/^await asyncio\.sleep$/, 100] },
    },
    // A job that ends while its task still runs.
    'thread-file-read': { tasks: ['Task-1 main()'], jobs: 2 },
    // Threads that wait for the GIL inside their jobs.
    'thread-cpu-primes': {},
    'semaphore': {
        tasks: ['Task-1 main()'],
        jobs: 0,
        waits: { 'Task-6 ': [/^await a Semaphore$/, 100, 'semaphore'] },
    },
    // Producers and consumers of an asyncio.Queue (a program of the tests).
    'programs/queue_producers.py': {
        jobs: 0,
        waits: { 'Task-1 ': [/^await the tasks of a Queue to be done$/, undefined, 'queue'],
                 'Task-2 ': [/^await an item of a Queue$/, undefined, 'queue'],
                 'Task-4 ': [/^await room in a Queue$/, undefined, 'queue'] },
    },
};

function checkProgram(program, want, dt, ss, trace, record) {
    const events = trace.traceEvents;
    const tidOf = new Map(events.filter(e => e.ph === 'M' && e.name === 'thread_name').map(e => [e.args.name, e.tid]));
    const nameOf = new Map([...tidOf].map(([n, t]) => [t, n]));
    ok(dt.said.length === 0, `${program}: DevTools parses it without a word`, dt.said.slice(0, 5).join('\n'));
    ok(ss.said.length === 0, `${program}: speedscope imports it without a word`, ss.said.slice(0, 5).join('\n'));
    const slices = (tid) => (dt.threads.get(tid)?.entries ?? []).filter(e => e.ph === 'X');

    // A step is "running", or "blocking the loop" when it is as long as the
    // threshold: at --scale 0.1 that is 10 ms, which a process pool's start
    // (some 5-10 ms in CPython, whatever the scale) reaches on a busy machine.
    const step = (name) => name.startsWith('running') || name.startsWith('blocking the loop');
    for (const task of want.tasks ?? []) {
        const tid = tidOf.get(task);
        ok(tid !== undefined && slices(tid).some(e => step(e.name)),
            `${program}: DevTools has ${task}, with its step slices`, [...tidOf.keys()].join(', '));
        ok(ss.threads.get(tid)?.name === task && ss.threads.get(tid).calls.some(c => step(c.name)),
            `${program}: speedscope has ${task}, with its step slices`);
    }

    // Jobs: each on a worker lane, as in the record, as long as there.
    const jobs = recordJobs(record);
    const jobSlices = [];
    for (const [tid, t] of dt.threads)
        for (const e of slices(tid))
            if (e.args?.job !== undefined && e.name.startsWith('job '))
                jobSlices.push({ tid, e });
    const njobs = want.jobs ?? jobs.size;
    ok(jobSlices.length === njobs && jobs.size === njobs,
        `${program}: DevTools has ${njobs} job slices`, `trace ${jobSlices.length}, record ${jobs.size}`);
    const workers = new Set();
    for (const { tid, e } of jobSlices) {
        const j = jobs.get(e.args.job);
        const lane = nameOf.get(tid);
        workers.add(lane);
        ok(j && j.worker === lane && (want.process ? /Process/.test(lane) : /\/\d+$/.test(lane)),
            `${program}: job ${e.args.job} is on its worker ${j?.worker}`, `on ${lane}`);
        const recorded = j && j.done !== undefined ? (j.done - j.start) * 1e6 : NaN;
        ok(near(e.dur, recorded, 1), `${program}: job ${e.args.job} lasts what the record says`,
            `${ms(e.dur)} ms, recorded ${ms(recorded)} ms`);
        if (want.jobMs)
            ok(some(e.dur, want.jobMs), `${program}: job ${e.args.job} lasts some ${want.jobMs} ms`,
                `${ms(e.dur)} ms`);
        const call = ss.threads.get(tid)?.calls.find(c => c.name.startsWith(`${e.name} `) && near(c.t1 - c.t0, e.dur, 1));
        ok(call !== undefined, `${program}: speedscope has job ${e.args.job} on ${lane}, as long`);
    }
    if (want.workers)
        ok(workers.size === want.workers, `${program}: the jobs ran on ${want.workers} workers`, [...workers].join(', '));

    // Waits, and other slices, by name and length.
    for (const [kind, table] of [['wait', want.waits ?? {}], ['slice', want.slices ?? {}]])
        for (const [prefix, [re, length, primitive]] of Object.entries(table)) {
            const lane = [...tidOf.keys()].find(n => n.startsWith(prefix)) ?? prefix;
            const tid = tidOf.get(lane);
            const found = slices(tid).filter(e => re.test(e.name));
            const long = length === undefined ? found : found.filter(e => some(e.dur, length));
            ok(long.length > 0, `${program}: DevTools has a ${kind} ${re} on ${lane}${length ? `, some ${length} ms` : ''}`,
                found.map(e => `${e.name}: ${ms(e.dur)} ms`).join('\n') || slices(tid).map(e => e.name).join(', '));
            if (kind === 'wait')
                ok(long.some(e => e.args && Number.isInteger(e.args.line) && e.args.line > 0),
                    `${program}: the wait ${re} on ${lane} says its line`);
            if (primitive)
                ok(long.some(e => e.args?.waits_for === primitive),
                    `${program}: the wait ${re} on ${lane} says it waits for a ${primitive}`,
                    long.map(e => JSON.stringify(e.args)).join('\n'));
            ok(ss.threads.get(tid)?.calls.some(c => re.test(c.name.replace(/ \{.*$/, ''))),
                `${program}: speedscope has the ${kind} ${re} on ${lane}`);
        }

    // Flows: job N's offload (a slice of its task) to its job slice, and
    // from the job back to the task, where it goes on after the job.
    for (const { tid, e } of jobSlices) {
        const n = e.args.job, j = jobs.get(n);
        const flows = dt.flows.filter(f => f.length === 2 && f.includes(e));
        const other = f => f[0] === e ? f[1] : f[0];
        const said = flows.map(f => f.map(x => `${x.name}@${nameOf.get(x.tid)} at ${x.ts}`).join(' -> ')).join('\n');
        const out = flows.find(f => other(f).name === `offload job ${n}`);
        ok(out !== undefined && nameOf.get(other(out).tid) === j.by && other(out).ts <= e.ts,
            `${program}: a flow goes from ${j.by}'s offload of job ${n} to the job on ${nameOf.get(tid)}`, said);
        // Back to the task where it runs on: after the wait the job ended
        // in, or after its next wait when the job ended while it ran. (The
        // job's end is stamped as its function returns, before its future
        // wakes the loop: the task runs on after it, give or take the
        // microsecond of the trace's rounding.) Not to a lane that is not
        // a task's.
        const early = 1;
        const back = flows.find(f => f !== out && nameOf.get(other(f).tid) === j.by && other(f).ts >= e.ts + e.dur - early);
        if (j.task)
            ok(back !== undefined && ['running', 'blocking the loop'].includes(other(back).name),
            `${program}: a flow goes from job ${n} back to ${j.by}, where it runs on after the job`,
            `${said}\nthe job ends at ${e.ts + e.dur}`);
    }
    if (!njobs)
        ok(dt.flows.length === 0, `${program}: no flows without jobs`);

    // Well-nested per thread: no slice ends inside another it began in.
    let crossing = null;
    for (const [tid] of dt.threads) {
        const xs = slices(tid).slice().sort((a, b) => a.ts - b.ts || b.dur - a.dur);
        const stack = [];
        for (const x of xs) {
            while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= x.ts && !(x.dur === 0 && stack.at(-1).ts + stack.at(-1).dur === x.ts))
                stack.pop();
            if (stack.length && x.ts + x.dur > stack.at(-1).ts + stack.at(-1).dur)
                crossing ??= `${nameOf.get(tid)}: ${x.name} at ${x.ts} crosses the end of ${stack.at(-1).name}`;
            stack.push(x);
        }
    }
    ok(crossing === null, `${program}: the slices nest on every thread`, crossing);
}

async function main() {
    const [aiodemo, ...only] = process.argv.slice(2);
    if (!aiodemo)
        bail('usage: node check_trace.mjs AIODEMO [PROGRAM...]');
    let Trace, importers;
    const said = [];
    try {
        Trace = await loadDevTools();
        importers = loadSpeedscope(said);
    } catch (err) {
        bail(`the trace parsers are not installed (${String(err.message).split('\n')[0]}): run \`${SETUP}\``);
    }
    const programs = only.length ? only : Object.keys(PROGRAMS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiodemo-trace-'));
    try {
        for (const program of programs) {
            let run;
            try {
                run = runAiodemo(path.resolve(aiodemo), program, dir);
            } catch (err) {
                ok(false, `${program}: aiodemo run --trace`, err.stderr ? err.stderr.toString() : err.message);
                continue;
            }
            const trace = JSON.parse(run.text);
            let dt, ss;
            try {
                dt = await devtoolsParse(Trace, trace.traceEvents);
                ok(true, `${program}: DevTools' trace engine parses it`);
            } catch (err) {
                ok(false, `${program}: DevTools' trace engine parses it`, err.stack);
                continue;
            }
            try {
                ss = await speedscopeParse(importers, said, `${program}.json`, run.text);
                ok(ss.threads.size > 0 || !trace.traceEvents.some(e => e.ph === 'X'), `${program}: speedscope imports it`);
            } catch (err) {
                ok(false, `${program}: speedscope imports it`, err.stack);
                continue;
            }
            // Any other program: what every trace must be.
            checkProgram(program, PROGRAMS[program] ?? {}, dt, ss, trace, run.record);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`1..${count}`);
    process.exit(failed ? 1 : 0);
}

await main();
