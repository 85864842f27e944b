"""Writes hostile model files, one per evasion class, into the folder given as argv[1].

Every file is built from opcodes or with pickle.dumps of an object whose __reduce__ names a
dangerous callable: pickling never calls it, and nothing here is ever unpickled. Each opcode stream
is checked with pickletools: dis validates stack, marks and memo the way CPython's unpickler uses
them (it refuses re-used memo keys, which CPython accepts: those streams are only parsed with genops). expected.json lists, per file, the
evasion class and the import a scanner must report as high severity.
"""

import io
import json
import os
import pickle
import pickletools
import struct
import sys
import zipfile

OUT = sys.argv[1]
EXPECTED = {}


class Reduce:
    """An object that pickles as a call of `func(*args)`."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


SYSTEM = Reduce(os.system, "id")  # pickles as posix.system('id') on POSIX
SYSTEM_NAME = f"{os.system.__module__}.system"


def su(text):
    """SHORT_BINUNICODE."""
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data


MEMOIZE, POP, DUP, MARK, POP_MARK, STACK_GLOBAL = b"\x94", b"0", b"2", b"(", b"1", b"\x93"


def binput(i):
    return b"q" + bytes([i])


def binget(i):
    return b"h" + bytes([i])


def checked(data, reuses_memo=False):
    """The bytes, after pickletools has validated every pickle in them (it raises on a bad memo or stack)."""
    stream = io.BytesIO(data)
    while stream.tell() < len(data):
        if reuses_memo:
            for opcode, _, _ in pickletools.genops(stream):
                if opcode.name == "STOP":
                    break
        else:
            pickletools.dis(stream, out=io.StringIO())
    return data


def write(name, data, evasion, imports, code=None):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    EXPECTED[name] = {"evasion": evasion, "imports": imports, **({"code": code} if code else {})}


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members:
            archive.writestr(member, content)
    return buffer.getvalue()


def npy_bytes(descr, shape, payload):
    """An .npy file as numpy.save writes it (format 1.0); `payload` follows the header."""
    header = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (descr, shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload


# (a) memo bookkeeping: MEMOIZE stores at len(memo), the number of entries, not at the highest index
# plus one; PUT overwrites. CPython fetches 'os' and 'system'; a max-index model fetches
# 'collections' and 'OrderedDict'.
memo_game = (
    b"\x80\x04" + su("collections") + binput(2) + POP
    + su("x") + MEMOIZE + POP  # memo[1]
    + su("os") + MEMOIZE + POP  # memo[2], overwriting 'collections'
    + su("OrderedDict") + binput(7) + POP
    + b"".join(su(filler) + MEMOIZE + POP for filler in "yzwv")  # memo[3..6]
    + su("system") + MEMOIZE + POP  # memo[7], overwriting 'OrderedDict'
    + binget(2) + binget(7) + STACK_GLOBAL + su("id") + b"\x85R."
)
write("memo-len.pkl", checked(memo_game, reuses_memo=True), "a", ["os.system"])
# PUT at an index already used by another entry, then MEMOIZE: len(memo) is 1, not 6.
memo_put = b"\x80\x04" + su("numpy") + binput(5) + POP + su("os") + MEMOIZE + su("dtype") + binput(5) + POP + POP + binget(1) + su("system") + STACK_GLOBAL + su("id") + b"\x85R."
write("memo-put.pkl", checked(memo_put, reuses_memo=True), "a", ["os.system"])

# (b) names under an allowlisted package with a dangerous attribute.
write("prefix-sklearn.pkl", checked(b"\x80\x04" + su("sklearn.utils._testing") + su("os.system") + STACK_GLOBAL + su("id") + b"\x85R."), "b", ["sklearn.utils._testing.os.system"])
write("prefix-numpy.pkl", checked(b"\x80\x02cnumpy.core.multiarray\nexec\n(X\x0e\x00\x00\x00print('pwned')tR."), "b", ["numpy.core.multiarray.exec"])
prefix_torch = checked(b"\x80\x04" + su("torch.nn.modules.module") + su("os.system") + STACK_GLOBAL + su("id") + b"\x85R.")
write("prefix-torch.pt", zip_bytes([("archive/data.pkl", prefix_torch), ("archive/version", b"3\n")]), "b", ["torch.nn.modules.module.os.system"])

# (c) an allowlisted callable that unpickles its argument.
system_pickle = pickle.dumps(SYSTEM, protocol=2)
write("reunpickle-bytes.pkl", checked(b"\x80\x03ctorch.storage\n_load_from_bytes\nB" + struct.pack("<I", len(system_pickle)) + system_pickle + b"\x85R."), "c", [SYSTEM_NAME])


class LoadFromBytes:
    """Pickles as torch.storage._load_from_bytes(data) without needing torch: the same opcodes."""

    def __init__(self, data):
        self.data = data

    def __reduce__(self):
        return (_load_from_bytes, (self.data,))


def _load_from_bytes(data):
    raise AssertionError("never called")


_load_from_bytes.__module__, _load_from_bytes.__qualname__ = "torch.storage", "_load_from_bytes"
# pickle.dumps looks the function up by name to check it: a stand-in module (this process only) answers.
sys.modules.setdefault("torch", type(sys)("torch"))
sys.modules.setdefault("torch.storage", type(sys)("torch.storage")).__dict__["_load_from_bytes"] = _load_from_bytes
# Protocol 2 writes bytes as _codecs.encode(text, 'latin1'); the inner file is a legacy torch.save.
legacy_inner = b"".join(pickle.dumps(value, protocol=2) for value in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True})) + pickle.dumps(SYSTEM, protocol=2)
write("reunpickle-codecs.pkl", checked(pickle.dumps({"storage": LoadFromBytes(legacy_inner)}, protocol=2)), "c", [SYSTEM_NAME])
write("reunpickle-twice.pkl", checked(pickle.dumps([LoadFromBytes(pickle.dumps(LoadFromBytes(system_pickle), protocol=4))], protocol=4)), "c", [SYSTEM_NAME])

# (d) a legacy torch.save: magic number, protocol version, sys_info, the model, the storage keys.
magic, version = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2), pickle.dumps(1001, protocol=2)
sys_info = pickle.dumps({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
write("legacy-model.pth", checked(magic + version + sys_info + pickle.dumps(SYSTEM, protocol=0) + pickle.dumps([], protocol=2)), "d", [SYSTEM_NAME])
write("legacy-keys.pth", checked(magic + version + sys_info + pickle.dumps({}, protocol=2) + pickle.dumps(SYSTEM, protocol=1)), "d", [SYSTEM_NAME])

# (e) protocol 0 and 1 pickles, which start with no PROTO opcode.
write("text-protocol.bin", checked(pickle.dumps(SYSTEM, protocol=0)), "e", [SYSTEM_NAME])
write("protocol-one.bin", checked(pickle.dumps(SYSTEM, protocol=1)), "e", [SYSTEM_NAME])

# (f) stack opcodes between the names and STACK_GLOBAL.
write("stack-pop.pkl", checked(b"\x80\x04" + su("os") + su("system") + su("junk") + POP + STACK_GLOBAL + su("id") + b"\x85R."), "f", ["os.system"])
write("stack-dup.pkl", checked(b"\x80\x04" + su("os") + DUP + POP + su("system") + STACK_GLOBAL + su("id") + b"\x85R."), "f", ["os.system"])
write("stack-pop-mark.pkl", checked(b"\x80\x04" + su("os") + su("system") + MARK + su("junk") + su("more") + POP_MARK + STACK_GLOBAL + su("id") + b"\x85R."), "f", ["os.system"])
write("stack-empty-pop.pkl", checked(b"\x80\x04" + su("os") + su("system") + MARK + POP + STACK_GLOBAL + su("id") + b"\x85R."), "f", ["os.system"])

# Archives: a .keras whose weights are an .npz with an object array (numpy.load(allow_pickle=True)
# runs it), a .keras with a stray pickle, bare .npy and .npz files, a .pt with a pickle under another name.
evil_npy = npy_bytes("|O", (1,), system_pickle)
config = json.dumps({"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": []}})
write("weights-npz.keras", zip_bytes([("metadata.json", '{"keras_version": "3.1.0"}'), ("config.json", config), ("model.weights.npz", zip_bytes([("vars/0.npy", evil_npy)]))]), "archive", [SYSTEM_NAME])
write("stray-pickle.keras", zip_bytes([("metadata.json", '{"keras_version": "3.1.0"}'), ("config.json", config), ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(64)), ("assets/tokenizer.pkl", pickle.dumps(SYSTEM, protocol=4))]), "archive", [SYSTEM_NAME])
write("object-array.npy", evil_npy, "archive", [SYSTEM_NAME])
write("object-array.npz", zip_bytes([("x.npy", npy_bytes("<f8", (2,), bytes(16))), ("y.npy", evil_npy)]), "archive", [SYSTEM_NAME])
write("other-member.pt", zip_bytes([("archive/data.pkl", pickle.dumps({}, protocol=2)), ("archive/extra/state.bin", pickle.dumps(SYSTEM, protocol=2))]), "archive", [SYSTEM_NAME])
with open(os.path.join(OUT, "duplicate.pt"), "wb") as f:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(SYSTEM, protocol=2))
        import warnings

        warnings.simplefilter("ignore")
        archive.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
    f.write(buffer.getvalue())
EXPECTED["duplicate.pt"] = {"evasion": "archive", "imports": [SYSTEM_NAME], "code": "zip.duplicate-member"}

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(EXPECTED, f, indent=1)
