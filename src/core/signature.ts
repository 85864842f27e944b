/**
 * A model's signature: what goes in and what comes out, read from the weight file where the format
 * records it (ONNX graph inputs/outputs, for instance). Stored in the manifest and compared between
 * versions to tell breaking changes from compatible ones.
 */
export interface SignatureTensor {
  name: string;
  /** The format's own element type name, e.g. 'float32', 'int64'. */
  elementType: string;
  /** Fixed sizes as numbers, symbolic dimensions as their names, unknown dimensions as null. */
  shape: (number | string | null)[];
}

export interface ModelSignature {
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
}
