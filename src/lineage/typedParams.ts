import type { ParamValue } from '../core/manifest';

/** A decimal number as Python's str() writes ints and floats: 10, -3, 0.1, 1e-05, 2.5E+10, .5 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A param value from a source that stores only text (MLflow params are `str(value)`), typed as the
 * same value in params.yaml would be, so that `params.alpha = 0.1` finds it whichever source it came
 * from: numbers become numbers and Python's `True`/`False` booleans. Text that only looks numeric is
 * kept as text: a leading zero (`007`, an id or a code), an integer beyond 2^53 (not exact as a
 * number), white space around it, `nan`/`inf` (no JSON number).
 */
export function typedParamValue(text: string): ParamValue {
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (!DECIMAL.test(text)) return text;
  const integerPart = text.replace(/^[+-]/, '').split(/[.eE]/)[0];
  if (integerPart.length > 1 && integerPart.startsWith('0')) return text;
  const value = Number(text);
  if (!Number.isFinite(value)) return text;
  if (/^[+-]?\d+$/.test(text) && !Number.isSafeInteger(value)) return text;
  return value;
}
