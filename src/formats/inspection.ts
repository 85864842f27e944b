import type { ModelSignature } from '../core/signature';

/**
 * What an inspector learns from a weight file without executing it: the contract between
 * src/formats (which reads files) and the registry (which records the result in the manifest).
 */
export interface Inspection {
  /** 'safetensors', 'onnx', 'gguf', 'keras', 'h5', 'pytorch', 'pickle', 'joblib', 'tfjs', 'savedmodel' or 'unknown'. */
  format: string;
  /** Key facts to show a person (architecture, opsets, producer, layer count …). */
  summary: Record<string, string | number | boolean | null>;
  parameterCount?: number;
  tensorCount?: number;
  signature?: ModelSignature;
  /** Dangerous things found in the file (pickle imports outside the allowlist); never executed. */
  findings: SecurityFinding[];
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
