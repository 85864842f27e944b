import type { ModelSignature } from '../core/signature';

/**
 * What an inspector learns from a weight file without executing it: the contract between
 * src/formats (which reads files) and the registry (which records the result in the manifest).
 */
export interface Inspection {
  /** 'safetensors', 'onnx', 'gguf', 'keras', 'h5', 'pytorch', 'pickle', 'joblib', 'tfjs', 'savedmodel' or 'unknown'. */
  format: string;
  /** Key facts to show a person (architecture, opsets, producer, layer count …). */
  summary: InspectionSummary;
  parameterCount?: number;
  tensorCount?: number;
  /** The first tensors (at most 100, see tensorCount for all) where the format names them. */
  tensors?: TensorInfo[];
  signature?: ModelSignature;
  /** Set when the file claims this format but could not be read as it: why ("not a readable onnx file: …"). */
  error?: string;
  /** Dangerous things found in the file (pickle imports outside the allowlist); never executed. */
  findings: SecurityFinding[];
}

export type InspectionSummary = Record<string, string | number | boolean | null>;

export interface TensorInfo {
  name: string;
  /** The format's own type name: 'F32', 'BF16', 'Q4_K', 'float32' … */
  dtype: string;
  shape: number[];
}

export interface SecurityFinding {
  severity: 'high' | 'medium' | 'low';
  /** A stable short code, e.g. 'pickle.unsafe-import'. */
  code: string;
  /** What was found, for a person: "imports os.system (can run any command)". */
  message: string;
  /** Where inside the file: a member of a zip archive, an opcode offset. */
  where?: string;
}
