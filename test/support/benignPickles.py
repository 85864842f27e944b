"""Writes benign pickles of stdlib values at every protocol (0-5) into argv[1], and expected.json:
for each file, the (module, name) pairs CPython's unpickler imports while loading it, recorded by
loading these benign files with pickle._Unpickler (the pure-Python unpickler) whose find_class
notes each import after CPython's own Python 2 renames (_compat_pickle), as its find_class applies them.
"""

import argparse
import collections
import datetime
import decimal
import fractions
import io
import json
import os
import pathlib
import pickle
import sys
import uuid
import _compat_pickle

OUT = sys.argv[1]

shared = ["shared", 1]
recursive = []
recursive.append(recursive)
VALUES = {
    "containers": collections.OrderedDict(
        [
            ("ints", [0, 1, -1, 255, 256, 65535, 65536, -(2**31), 2**31, 2**64, -(2**100)]),
            ("floats", (0.5, -1e300, float("inf"))),
            ("text", ["", "plain", "quote ' \" and \\ backslash", "new\nline", "\u00e9\u4e2d\U0001f600", "x" * 300]),
            ("bytes", [b"", b"\x00\xff\n", bytearray(b"abc"), b"y" * 300]),
            ("sets", [set([1, 2]), frozenset(["a"]), set()]),
            ("flags", [None, True, False]),
            ("shared", [shared, shared, (shared,)]),
            ("nested", {"a": {"b": {"c": [[[()]]]}}}),
        ]
    ),
    "recursive": recursive,
    "stdlib": [
        datetime.datetime(2024, 5, 6, 7, 8, 9, 10),
        datetime.date(2020, 1, 2),
        datetime.timedelta(days=3),
        decimal.Decimal("1.25"),
        fractions.Fraction(3, 4),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        collections.deque([1, 2]),
        collections.Counter("abca"),
        collections.defaultdict(list, {"k": [1]}),
        range(3),
        slice(1, 5, 2),
        complex(1, 2),
        pathlib.PurePosixPath("a/b"),
        argparse.Namespace(lr=0.1, name="run"),
    ],
}


class Recorder(pickle._Unpickler):
    def __init__(self, data):
        super().__init__(io.BytesIO(data))
        self.imports = []

    def find_class(self, module, name):
        mapped = (module, name)
        if self.proto < 3 and self.fix_imports:
            if mapped in _compat_pickle.NAME_MAPPING:
                mapped = _compat_pickle.NAME_MAPPING[mapped]
            elif module in _compat_pickle.IMPORT_MAPPING:
                mapped = (_compat_pickle.IMPORT_MAPPING[module], name)
        qualified = ".".join(mapped)
        if qualified not in self.imports:
            self.imports.append(qualified)
        return super().find_class(module, name)


expected = {}
for label, value in VALUES.items():
    for protocol in range(6):
        data = pickle.dumps(value, protocol=protocol)
        name = f"{label}-p{protocol}.pkl"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        recorder = Recorder(data)
        recorder.load()
        expected[name] = recorder.imports
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
