import { GateFailedError } from '../core/governance/promotionGates';
import { gateEvaluationText } from '../core/governance/governanceReports';
import { isRegistryError, type RegistryErrorCode } from '../core/registryError';
import { registryErrorFromFileSystem } from '../store/fileSystemErrors';

/**
 * MLflow's error codes (databricks.proto's ErrorCode) that this server answers with, and the HTTP
 * status MLflow pairs each with (mlflow/exceptions.py, ERROR_CODE_TO_HTTP_STATUS). MLflow clients
 * retry 408, 429 and 5xx answers for minutes, so a refusal that waiting cannot fix is never a 5xx.
 */
export const MLFLOW_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_CONFLICT: 409,
  CANCELLED: 499,
  INTERNAL_ERROR: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;

export type MlflowErrorCode = keyof typeof MLFLOW_STATUS;

/** An answer in MLflow's error shape, `{"error_code": …, "message": …}`, with its HTTP status. */
export class MlflowError extends Error {
  readonly status: number;

  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    status?: number,
  ) {
    super(message);
    this.name = 'MlflowError';
    this.status = status ?? MLFLOW_STATUS[errorCode];
  }

  toJson(): { error_code: string; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** Each registry error as the MLflow error a client branches on. */
const CODE_OF: Record<RegistryErrorCode, MlflowErrorCode> = {
  INVALID_NAME: 'INVALID_PARAMETER_VALUE',
  INVALID_REF: 'INVALID_PARAMETER_VALUE',
  INVALID_INPUT: 'INVALID_PARAMETER_VALUE',
  UNSAFE_PATH: 'INVALID_PARAMETER_VALUE',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  DUPLICATE: 'RESOURCE_CONFLICT',
  CONFLICT: 'RESOURCE_CONFLICT',
  FILE_EXISTS: 'RESOURCE_CONFLICT',
  DIRTY_TREE: 'BAD_REQUEST',
  // The policy refuses the move: asking again without changing the version or the policy gets the same answer.
  GATE_FAILED: 'PERMISSION_DENIED',
  // Another process holds the writer lock for a moment, or the shared store did not answer: worth a retry.
  LOCKED: 'TEMPORARILY_UNAVAILABLE',
  IO: 'TEMPORARILY_UNAVAILABLE',
  STORE_UNREACHABLE: 'TEMPORARILY_UNAVAILABLE',
  WRONG_STORE: 'INTERNAL_ERROR',
  CORRUPT: 'DATA_LOSS',
  NEWER_FORMAT: 'INTERNAL_ERROR',
  UNSUPPORTED: 'NOT_IMPLEMENTED',
  CANCELLED: 'CANCELLED',
};

/**
 * What a failed request answers. A gate refusal carries the gates' report (every rule with its
 * numbers) after the one-line verdict, as `mreg promote` prints it; anything that is no registry
 * error is a defect and says so.
 */
export function mlflowErrorOf(error: unknown): MlflowError {
  if (error instanceof MlflowError) return error;
  if (error instanceof GateFailedError) return new MlflowError('PERMISSION_DENIED', `${error.message}\n${gateEvaluationText(error.evaluation)}`);
  const registryError = isRegistryError(error) ? error : registryErrorFromFileSystem(error);
  if (registryError) return new MlflowError(CODE_OF[registryError.code], registryError.message);
  const message = error instanceof Error ? error.message : String(error);
  return new MlflowError('INTERNAL_ERROR', `The registry server failed on this request (a defect; please report it): ${message}`);
}
