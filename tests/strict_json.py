"""JSON as strict parsers read it, for every stream, record and trace the
tests read: NaN, Infinity and -Infinity are refused (Python's json module
takes them by default), as are lone surrogates in strings, which no UTF-8
text can hold. install() makes json.load and json.loads strict."""
import json
import re

_loads = json.loads
_SURROGATE = re.compile('[\ud800-\udfff]')


def _refuse(name):
    raise ValueError(f'{name} is not JSON')


def _check(value):
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise ValueError(f'a lone surrogate in {value!r}: not UTF-8')
    elif isinstance(value, dict):
        for k, v in value.items():
            _check(k)
            _check(v)
    elif isinstance(value, list):
        for v in value:
            _check(v)
    return value


def loads(s, **kw):
    if kw.get('parse_constant') is None:
        kw['parse_constant'] = _refuse
    if isinstance(s, (bytes, bytearray)):
        s = s.decode('utf-8')  # strict: bytes that are not UTF-8 are an error
    return _check(_loads(s, **kw))


def load(fp, **kw):
    return loads(fp.read(), **kw)


def install():
    json.loads = loads
    json.load = load
