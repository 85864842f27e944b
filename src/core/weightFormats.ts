
/**
 * One row per file kind that models ship as: the one place that knows a format's extensions, its
 * media type, which inspector reads it and whether it can hold a pickle (code that runs when a
 * framework loads the file). The inspectors, the promotion gates, the search fields, the extension's
 * menus and package.json's defaults (checked by a test) all read this table.
 */
export interface WeightFormat {
  /** Short name, as search shows it (`format = 'onnx'`). */
  name: string;
  /** Lowercase, with the dot. */
  extensions: readonly string[];
  mediaType: string;
  /** Which inspector in src/formats reads it (see inspectArtifact.ts); none: size and hash only. */
  inspector?: 'safetensors' | 'gguf' | 'onnx' | 'pickle' | 'torch' | 'keras' | 'h5' | 'npy' | 'npz' | 'tflite';
  /** Loading it may unpickle, so it must be scanned (the noPickleFindings gate). */
  pickleCapable: boolean;
  /** Offered as a weight file in the Explorer's Register menu and the file picker. */
  weightFile: boolean;
}

export const WEIGHT_FORMATS: readonly WeightFormat[] = [
  { name: 'safetensors', extensions: ['.safetensors'], mediaType: 'application/vnd.safetensors', inspector: 'safetensors', pickleCapable: false, weightFile: true },
  { name: 'onnx', extensions: ['.onnx'], mediaType: 'application/onnx', inspector: 'onnx', pickleCapable: false, weightFile: true },
  // PyTorch: a zip archive since torch 1.6, a bare pickle before.
  { name: 'pytorch', extensions: ['.pt', '.pth', '.ckpt'], mediaType: 'application/vnd.pytorch', inspector: 'torch', pickleCapable: true, weightFile: true },
  // Anybody's format, but often a PyTorch checkpoint (what transformers saves): read as one when its bytes say so.
  { name: 'binary', extensions: ['.bin'], mediaType: 'application/octet-stream', inspector: 'torch', pickleCapable: true, weightFile: true },
  { name: 'h5', extensions: ['.h5', '.hdf5'], mediaType: 'application/x-hdf5', inspector: 'h5', pickleCapable: false, weightFile: true },
  // A zip whose members may be pickles: numpy.load(allow_pickle=True) of an .npz of weights runs an object array's pickle.
  { name: 'keras', extensions: ['.keras'], mediaType: 'application/vnd.keras', inspector: 'keras', pickleCapable: true, weightFile: true },
  { name: 'protobuf', extensions: ['.pb'], mediaType: 'application/x-protobuf', pickleCapable: false, weightFile: true },
  { name: 'tflite', extensions: ['.tflite'], mediaType: 'application/vnd.tflite', inspector: 'tflite', pickleCapable: false, weightFile: true },
  { name: 'gguf', extensions: ['.gguf'], mediaType: 'application/vnd.gguf', inspector: 'gguf', pickleCapable: false, weightFile: true },
  { name: 'ggml', extensions: ['.ggml'], mediaType: 'application/vnd.ggml', pickleCapable: false, weightFile: true },
  { name: 'pickle', extensions: ['.pkl', '.pickle', '.joblib'], mediaType: 'application/x-python-pickle', inspector: 'pickle', pickleCapable: true, weightFile: true },
  // NumPy arrays: an object array is stored as a pickle after the header.
  { name: 'npy', extensions: ['.npy'], mediaType: 'application/x-npy', inspector: 'npy', pickleCapable: true, weightFile: false },
  { name: 'npz', extensions: ['.npz'], mediaType: 'application/x-npz', inspector: 'npz', pickleCapable: true, weightFile: false },
  { name: 'coreml', extensions: ['.mlmodel'], mediaType: 'application/vnd.coreml', pickleCapable: false, weightFile: true },
  // Companion files: recorded with a media type, never offered as weight files.
  { name: 'json', extensions: ['.json'], mediaType: 'application/json', pickleCapable: false, weightFile: false },
  { name: 'yaml', extensions: ['.yaml', '.yml'], mediaType: 'application/yaml', pickleCapable: false, weightFile: false },
  { name: 'text', extensions: ['.txt'], mediaType: 'text/plain', pickleCapable: false, weightFile: false },
  { name: 'markdown', extensions: ['.md'], mediaType: 'text/markdown', pickleCapable: false, weightFile: false },
  { name: 'binary', extensions: ['.model'], mediaType: 'application/octet-stream', pickleCapable: false, weightFile: false },
  // Any member of a zip may be a pickle some loader runs; zips are read as archives by their bytes.
  { name: 'zip', extensions: ['.zip'], mediaType: 'application/zip', pickleCapable: true, weightFile: false },
];

const BY_EXTENSION = new Map(WEIGHT_FORMATS.flatMap((format) => format.extensions.map((extension) => [extension, format] as const)));
/** The first row of each media type names it (octet-stream: 'binary'). */
const BY_MEDIA_TYPE = new Map([...WEIGHT_FORMATS].reverse().map((format) => [format.mediaType, format] as const));

/** The row for a file, by its extension (any case); undefined for anything else. */
export function weightFormatOf(file: string): WeightFormat | undefined {
  return BY_EXTENSION.get(extensionOf(file).toLowerCase());
}

/** A format by the media type artifacts are stored with. */
export function weightFormatByMediaType(mediaType: string): WeightFormat | undefined {
  return BY_MEDIA_TYPE.get(mediaType);
}

/** The media type an artifact is recorded with; anything unknown is octet-stream. */
export function mediaTypeOf(file: string): string {
  return weightFormatOf(file)?.mediaType ?? 'application/octet-stream';
}

/** Extensions of weight files (with the dot), for menus and file pickers. */
export function weightFileExtensions(): string[] {
  return WEIGHT_FORMATS.filter((format) => format.weightFile).flatMap((format) => format.extensions);
}

/**
 * The extension as `path.extname` gives it ('.onnx'; '' for '.bashrc' or none), for '/' and '\\'
 * separators alike. Written out so that the query language, which names formats, runs in a webview.
 */
function extensionOf(file: string): string {
  const trimmed = file.replace(/[\\/]+$/, '');
  const base = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}
