"""The JSON Schemas of schemas/ (draft 2020-12), for every test that reads
what aiodemo writes: a stream (--format json), a record, a trace, the
bench's JSON. Each validator is made once and kept.

    import schemas
    header, events, summary = schemas.check_stream(objs)   # the lines, parsed
    schemas.check('record', doc)                            # raises schemas.Invalid

A trace is checked also for what a schema cannot say (check_trace): its
slices nest on each thread, and each flow binds to slices at both ends.

It needs the jsonschema module (Debian's python3-jsonschema, 4.10 or
later): without it every check raises Invalid, so that a test fails rather
than skips what it cannot check."""
import functools
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = os.path.join(ROOT, 'schemas')
NAMES = ('stream', 'record', 'trace', 'bench', 'compare', 'sweep')

try:
    import jsonschema
except ImportError:  # reported by every check, not skipped
    jsonschema = None


class Invalid(ValueError):
    """A document its schema refuses (or no jsonschema to tell)."""


def load(name):
    with open(os.path.join(SCHEMAS, f'{name}.schema.json'), encoding='utf-8') as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def validator(name):
    """The validator of schemas/@name.schema.json, or of one of its $defs
    (@name 'stream#event'), made once."""
    if jsonschema is None:
        raise Invalid('the jsonschema module is missing (apt-get install python3-jsonschema): '
                      f'cannot check against {name.split("#")[0]}.schema.json')
    cls = jsonschema.Draft202012Validator
    if '#' in name:
        whole, part = name.split('#')
        validator(whole)  # (the whole schema checked)
        schema = load(whole)
        return cls({'$schema': schema['$schema'], '$defs': schema['$defs'], '$ref': f'#/$defs/{part}'})
    schema = load(name)
    cls.check_schema(schema)
    return cls(schema)


def check(name, doc, what=None):
    """Raises Invalid unless @doc is valid against schemas/@name.schema.json
    (or the part @name names: 'stream#event')."""
    v = validator(name)
    if v.is_valid(doc):  # the fast path: no error objects made
        return doc
    error = jsonschema.exceptions.best_match(v.iter_errors(doc))
    where = '/'.join(str(p) for p in error.absolute_path)
    text = json.dumps(doc, ensure_ascii=False)
    whole, _, part = name.partition('#')
    against = f'{whole}.schema.json' + (f' ($defs/{part})' if part else '')
    raise Invalid(f'{what or whole}: not valid against {against} at /{where}: {error.message}'
                  f' ({text[:300]}{"..." if len(text) > 300 else ""})')


def check_trace(doc, what='the trace'):
    """Raises Invalid unless the trace @doc (valid against its schema) is
    one that the viewers read right: its times are multiples of 1/8 µs, so
    that ts + dur is exact; its slices are on named threads and nest on
    each (none ends inside another that it began in); each flow id has one
    s and one f of one name, in time order, each at the start of a slice of
    its thread (DevTools binds a flow only to a slice that begins at its ts)."""
    events = doc['traceEvents']
    threads = {e['tid'] for e in events if e['ph'] == 'M' and e['name'] == 'thread_name'}
    slices, starts = {}, set()
    for e in events:
        for key in ('ts', 'dur'):
            if key in e and e['ph'] in 'XsfiC' and (e[key] * 8) % 1:
                raise Invalid(f'{what}: a {key} that is not a multiple of 0.125: {e}')
        if e['ph'] == 'X':
            if e['tid'] not in threads:
                raise Invalid(f'{what}: a slice on a thread without a name: {e}')
            slices.setdefault(e['tid'], []).append(e)
            starts.add((e['tid'], e['ts']))
    for tid, xs in slices.items():
        stack = []
        for x in sorted(xs, key=lambda x: (x['ts'], -x['dur'])):
            while stack and stack[-1]['ts'] + stack[-1]['dur'] <= x['ts'] and \
                    not (x['dur'] == 0 and stack[-1]['ts'] + stack[-1]['dur'] == x['ts']):
                stack.pop()
            if stack and x['ts'] + x['dur'] > stack[-1]['ts'] + stack[-1]['dur']:
                raise Invalid(f'{what}: on thread {tid}, {x} ends after {stack[-1]}, which it began in')
            stack.append(x)
    flows = {}
    for e in events:
        if e['ph'] in 'sf':
            flows.setdefault(e['id'], []).append(e)
            if (e['tid'], e['ts']) not in starts:
                raise Invalid(f'{what}: a flow event where no slice of its thread begins: {e}')
    for fid, fs in flows.items():
        if [f['ph'] for f in fs] != ['s', 'f'] or fs[0]['name'] != fs[1]['name'] or fs[0]['ts'] > fs[1]['ts']:
            raise Invalid(f'{what}: flow {fid} is not one s and then one f, in time order: {fs}')
    return doc


def check_stream(objs, what='the stream', complete=True):
    """Checks the parsed lines of a JSON stream: each against the stream's
    schema, the header first and, when @complete, the summary last and only
    there. Returns (header, events, summary); summary is None if the stream
    (not @complete) has none, header None if it is empty."""
    for n, obj in enumerate(objs, 1):
        # The part of the schema that the line's kind picks, as the whole
        # schema's if/then does, at half its cost.
        kind = obj.get('kind') if isinstance(obj, dict) else None
        part = 'stream' if not isinstance(kind, str) else \
            f'stream#{kind}' if kind in ('header', 'summary') else 'stream#event'
        check(part, obj, f'{what}, line {n}')
    if not objs:
        if complete:
            raise Invalid(f'{what}: no line at all')
        return None, [], None
    if objs[0].get('kind') != 'header':
        raise Invalid(f'{what}: the first line is not the header: {json.dumps(objs[0])[:300]}')
    kinds = [o['kind'] for o in objs]
    if 'header' in kinds[1:]:
        raise Invalid(f'{what}: a header on line {kinds.index("header", 1) + 1}')
    if 'summary' in kinds[:-1]:
        raise Invalid(f'{what}: a summary on line {kinds.index("summary") + 1}, not last')
    if complete and kinds[-1] != 'summary':
        raise Invalid(f'{what}: the last line is not the summary: {json.dumps(objs[-1])[:300]}')
    summary = objs[-1] if kinds[-1] == 'summary' else None
    return objs[0], objs[1:-1] if summary is not None else objs[1:], summary


def check_file(name, path):
    """The document in @path (JSON), checked (a trace by check_trace too);
    returns it."""
    with open(path, 'rb') as f:
        doc = json.loads(f.read().decode('utf-8'))
    check(name, doc, path)
    return check_trace(doc, path) if name == 'trace' else doc
