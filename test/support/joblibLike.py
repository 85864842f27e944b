"""Writes files in joblib.dump's single-file layout into argv[1] without joblib or numpy installed:
stand-in classes named like joblib's NumpyArrayWrapper and numpy's dtype pickle with the same
opcodes (this process only), and the array data is written after each wrapper's BUILD as
joblib's NumpyPickler.save does: an alignment byte and padding, then the raw elements, or, for an
object array, a pickle of it. Nothing is unpickled.
"""

import io
import os
import pickle
import sys

OUT = sys.argv[1]


def stand_in(module, name, cls):
    for part in range(1, module.count(".") + 2):
        sys.modules.setdefault(".".join(module.split(".")[:part]), type(sys)(".".join(module.split(".")[:part])))
    cls.__module__, cls.__qualname__, cls.__name__ = module, name, name
    setattr(sys.modules[module], name, cls)
    return cls


class Dtype:
    def __init__(self, descr, elsize=-1):
        self.descr, self.elsize = descr, elsize

    def __reduce__(self):
        return (Dtype, (self.descr, False, True), (3, "<", None, None, None, self.elsize, -1, 0))


class Ndarray:
    pass


class NumpyArrayWrapper:
    def __init__(self, shape, dtype, data):
        self.subclass, self.shape, self.order, self.dtype, self.allow_mmap = Ndarray, shape, "C", dtype, False
        self.numpy_array_alignment_bytes = 16
        self._data = data

    def __getstate__(self):
        return {key: value for key, value in self.__dict__.items() if key != "_data"}


stand_in("numpy", "dtype", Dtype)
stand_in("numpy", "ndarray", Ndarray)
stand_in("joblib.numpy_pickle", "NumpyArrayWrapper", NumpyArrayWrapper)


def dump(value):
    """`value` pickled at protocol 4, each wrapper followed by its data."""
    buffer = io.BytesIO()

    class Writer(pickle._Pickler):
        def save(self, obj, save_persistent_id=True):
            super().save(obj, save_persistent_id)
            if isinstance(obj, NumpyArrayWrapper) and not getattr(obj, "_written", False):
                obj._written = True
                self.framer.commit_frame(force=True)
                if obj.dtype.descr.startswith("O"):
                    pickle.dump(obj._data, buffer, protocol=2)
                else:
                    padding = 16 - (buffer.tell() + 1) % 16
                    buffer.write(bytes([padding]) + b"\xff" * padding + obj._data)

    Writer(buffer, protocol=4).dump(value)
    return buffer.getvalue()


class Reduce:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


# Raw float data that happens to be a pickle calling os.system: joblib.load never unpickles it.
looks_like_a_pickle = pickle.dumps(Reduce(os.system, "id"), protocol=0)
looks_like_a_pickle += b"\x00" * (-len(looks_like_a_pickle) % 8)
benign = dump({"coef": NumpyArrayWrapper((len(looks_like_a_pickle) // 8,), Dtype("f8"), looks_like_a_pickle), "names": NumpyArrayWrapper((2,), Dtype("U3", 12), b"a\0\0\0" * 6)})
with open(os.path.join(OUT, "benign.joblib"), "wb") as f:
    f.write(benign)
hostile = dump({"objects": NumpyArrayWrapper((1,), Dtype("O8"), Reduce(os.system, "id")), "after": NumpyArrayWrapper((1,), Dtype("f8"), b"\0" * 8)})
with open(os.path.join(OUT, "object-array.joblib"), "wb") as f:
    f.write(hostile)
