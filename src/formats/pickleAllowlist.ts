/**
 * The imports a model pickle may make without a finding: exact (module, qualified name) pairs, as
 * CPython's find_class receives them after its Python 2 renames. Reviewed data, per framework: each
 * entry is a class or function that builds a value from its arguments and runs no code it was
 * handed, except where ROLES below says what else the scanner must check. Anything else a pickle
 * imports is a high-severity finding: importing a module runs it, and calling what it holds runs that.
 *
 * Kept small on purpose: what torch.save, numpy, joblib and scikit-learn write for ordinary models.
 * A name under an allowed package is not allowed (`numpy.core.multiarray` + `exec` is not
 * `numpy.core.multiarray._reconstruct`).
 */
export const PICKLE_ALLOWLIST: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  python: {
    builtins: ['set', 'frozenset', 'dict', 'list', 'tuple', 'bytearray', 'bytes', 'slice', 'complex', 'range', 'int', 'float', 'str', 'bool', 'object'],
    collections: ['OrderedDict', 'defaultdict', 'Counter', 'deque'],
    copyreg: ['_reconstructor'],
    _codecs: ['encode'],
    datetime: ['datetime', 'date', 'time', 'timedelta', 'timezone'],
    decimal: ['Decimal'],
    fractions: ['Fraction'],
    uuid: ['UUID'],
    argparse: ['Namespace'],
    pathlib: ['PosixPath', 'WindowsPath', 'PurePosixPath', 'PureWindowsPath'],
  },
  numpy: {
    numpy: [
      'ndarray', 'dtype', 'bool_', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
      'float16', 'float32', 'float64', 'complex64', 'complex128', 'str_', 'bytes_',
    ],
    'numpy.core.multiarray': ['_reconstruct', 'scalar'],
    'numpy._core.multiarray': ['_reconstruct', 'scalar'],
    'numpy.core.numeric': ['_frombuffer'],
    'numpy._core.numeric': ['_frombuffer'],
  },
  torch: {
    torch: [
      'Size', 'device', 'strided', 'sparse_coo', 'UntypedStorage',
      'DoubleStorage', 'FloatStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage', 'CharStorage',
      'ByteStorage', 'BoolStorage', 'ComplexFloatStorage', 'ComplexDoubleStorage', 'QInt8Storage', 'QUInt8Storage', 'QInt32Storage',
      'float16', 'float32', 'float64', 'bfloat16', 'half', 'float', 'double', 'int8', 'int16', 'int32', 'int64', 'uint8',
      'short', 'int', 'long', 'bool', 'complex64', 'complex128', 'cfloat', 'cdouble',
    ],
    'torch._utils': [
      '_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state',
      '_rebuild_qtensor', '_rebuild_sparse_tensor', '_rebuild_device_tensor_from_numpy', '_rebuild_meta_tensor_no_storage',
    ],
    'torch._tensor': ['_rebuild_from_type_v2'],
    'torch.nn.parameter': ['Parameter'],
    'torch.storage': ['_load_from_bytes'],
    'torch.nn.modules.container': ['Sequential', 'ModuleList', 'ModuleDict'],
    'torch.nn.modules.linear': ['Linear', 'Identity'],
    'torch.nn.modules.conv': ['Conv1d', 'Conv2d'],
    'torch.nn.modules.activation': ['ReLU', 'GELU', 'Tanh', 'Sigmoid', 'Softmax'],
    'torch.nn.modules.dropout': ['Dropout'],
    'torch.nn.modules.normalization': ['LayerNorm'],
    'torch.nn.modules.batchnorm': ['BatchNorm1d', 'BatchNorm2d'],
    'torch.nn.modules.sparse': ['Embedding'],
    'torch.nn.modules.flatten': ['Flatten'],
  },
  sklearn: {
    'sklearn.linear_model._base': ['LinearRegression'],
    'sklearn.linear_model._logistic': ['LogisticRegression'],
    'sklearn.preprocessing._data': ['StandardScaler', 'MinMaxScaler'],
    'sklearn.preprocessing._label': ['LabelEncoder'],
    'sklearn.pipeline': ['Pipeline'],
    'sklearn.tree._classes': ['DecisionTreeClassifier', 'DecisionTreeRegressor'],
    'sklearn.tree._tree': ['Tree'],
    'sklearn.ensemble._forest': ['RandomForestClassifier', 'RandomForestRegressor'],
  },
  joblib: {
    'joblib.numpy_pickle': ['NumpyArrayWrapper'],
    'sklearn.externals.joblib.numpy_pickle': ['NumpyArrayWrapper'],
  },
};

/**
 * What else an allowed callable does with its arguments, which the scanner then follows:
 * - `unpickles`: its first argument is a pickle it loads (torch.load of the bytes): scanned in turn;
 * - `calls`: the arguments at these positions are called (or instantiated), so each must be an
 *   imported callable the scanner has judged, never a value computed while unpickling;
 * - `latin1Bytes`: `_codecs.encode(text, 'latin1')`, how protocol 2 writes bytes; its result is known.
 */
export const PICKLE_CALLABLE_ROLES: Readonly<Record<string, { unpickles?: true; calls?: readonly number[]; latin1Bytes?: true }>> = {
  'torch.storage._load_from_bytes': { unpickles: true },
  // Not allowed, and reported as such; their payloads are scanned too, so the finding names what they would run.
  'pickle.loads': { unpickles: true },
  'pickle._loads': { unpickles: true },
  '_pickle.loads': { unpickles: true },
  'dill.loads': { unpickles: true },
  'cloudpickle.loads': { unpickles: true },
  'torch._tensor._rebuild_from_type_v2': { calls: [0, 1] },
  'collections.defaultdict': { calls: [0] },
  'copyreg._reconstructor': { calls: [0, 1] },
  '_codecs.encode': { latin1Bytes: true },
};

/**
 * Imports known to run commands, load code, open files or connections: reported with a message
 * saying so (every import outside the allowlist is high severity; these are the usual suspects).
 */
export const DANGEROUS_MODULES: ReadonlySet<string> = new Set([
  'os', 'posix', 'nt', 'subprocess', 'socket', 'sys', 'shutil', 'importlib', 'runpy', 'pty', 'pickle', '_pickle', 'marshal', 'ctypes',
  'webbrowser', 'code', 'codeop', 'commands', 'multiprocessing', 'asyncio', 'requests', 'urllib', 'urllib2', 'http', 'httplib', 'ftplib',
  'telnetlib', 'smtplib', 'tempfile', 'signal', 'threading', '_thread', 'platform', 'glob', 'zipimport', 'dill', 'cloudpickle', 'pip',
  'pydoc', 'timeit', 'bdb', 'pdb', 'trace', 'profile', 'cProfile', 'ensurepip', 'venv', 'distutils', 'setuptools', 'torch.hub',
]);
export const DANGEROUS_BUILTINS: ReadonlySet<string> = new Set([
  'eval', 'exec', 'execfile', 'compile', '__import__', 'open', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'input', 'breakpoint', 'apply', 'help', 'exit', 'quit',
]);
