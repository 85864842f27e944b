import path from 'node:path';

/** Media types of the weight and companion files models ship as; anything else is octet-stream. */
const BY_EXTENSION: Record<string, string> = {
  '.safetensors': 'application/vnd.safetensors',
  '.onnx': 'application/onnx',
  '.pt': 'application/vnd.pytorch',
  '.pth': 'application/vnd.pytorch',
  '.ckpt': 'application/vnd.pytorch',
  '.bin': 'application/octet-stream',
  '.gguf': 'application/vnd.gguf',
  '.ggml': 'application/vnd.ggml',
  '.h5': 'application/x-hdf5',
  '.keras': 'application/vnd.keras',
  '.pb': 'application/x-protobuf',
  '.tflite': 'application/vnd.tflite',
  '.pkl': 'application/x-python-pickle',
  '.joblib': 'application/x-python-pickle',
  '.mlmodel': 'application/vnd.coreml',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.model': 'application/octet-stream',
};

export function mediaTypeOf(file: string): string {
  return BY_EXTENSION[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
