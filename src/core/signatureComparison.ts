import type { ModelSignature, SignatureTensor } from './signature';

export type SignatureChangeKind = 'breaking' | 'compatible';

export interface SignatureChange {
  kind: SignatureChangeKind;
  side: 'input' | 'output';
  /** The tensor's name (in the newer signature when it exists there). */
  name: string;
  /** For a person: "input 'pixels' element type float32 → float16". */
  message: string;
}

export interface SignatureComparison {
  /** True when any change would break a caller written against the older signature. */
  breaking: boolean;
  changes: SignatureChange[];
}

/**
 * Compares the signature a caller was written against (`before`) with a newer one (`after`), from
 * the caller's point of view: anything the caller sends or reads that stops fitting is breaking
 * (an input removed, renamed or newly required, an element type or fixed dimension changed, an
 * output removed); anything the caller can ignore is compatible (an output added, a fixed dimension
 * relaxed to a symbolic or unknown one). A rename shows as one tensor removed and one added.
 */
export function compareSignatures(before: ModelSignature | undefined, after: ModelSignature | undefined): SignatureComparison {
  const changes: SignatureChange[] = [];
  if (before && after) {
    compareSide('input', before.inputs, after.inputs, changes);
    compareSide('output', before.outputs, after.outputs, changes);
  } else if (before && !after) {
    changes.push({ kind: 'breaking', side: 'input', name: '', message: 'the newer version records no signature, so callers cannot be checked against it' });
  }
  return { breaking: changes.some((change) => change.kind === 'breaking'), changes };
}

function compareSide(side: 'input' | 'output', before: SignatureTensor[], after: SignatureTensor[], changes: SignatureChange[]): void {
  const afterByName = new Map(after.map((tensor) => [tensor.name, tensor]));
  const beforeNames = new Set(before.map((tensor) => tensor.name));
  for (const old of before) {
    const current = afterByName.get(old.name);
    if (!current) {
      changes.push({ kind: 'breaking', side, name: old.name, message: `${side} '${old.name}' was removed (or renamed)` });
      continue;
    }
    if (old.elementType !== current.elementType) {
      changes.push({ kind: 'breaking', side, name: old.name, message: `${side} '${old.name}' element type ${old.elementType} → ${current.elementType}` });
    }
    changes.push(...compareShapes(side, old, current));
  }
  for (const added of after) {
    if (beforeNames.has(added.name)) continue;
    changes.push(
      side === 'input'
        ? { kind: 'breaking', side, name: added.name, message: `input '${added.name}' was added: callers written against the older version do not send it` }
        : { kind: 'compatible', side, name: added.name, message: `output '${added.name}' was added` },
    );
  }
}

function compareShapes(side: 'input' | 'output', before: SignatureTensor, after: SignatureTensor): SignatureChange[] {
  const name = before.name;
  const shown = (shape: SignatureTensor['shape']) => `[${shape.map((dim) => dim ?? '?').join(', ')}]`;
  if (before.shape.length !== after.shape.length) {
    return [{ kind: 'breaking', side, name, message: `${side} '${name}' rank ${before.shape.length} → ${after.shape.length} (${shown(before.shape)} → ${shown(after.shape)})` }];
  }
  const changes: SignatureChange[] = [];
  before.shape.forEach((old, axis) => {
    const current = after.shape[axis];
    if (old === current) return;
    const wasFixed = typeof old === 'number';
    const isFixed = typeof current === 'number';
    const where = `${side} '${name}' dimension ${axis}: ${old ?? '?'} → ${current ?? '?'}`;
    // A caller sends inputs and reads outputs: an input may accept more, an output may promise more.
    if (wasFixed && isFixed) changes.push({ kind: 'breaking', side, name, message: `${where} (fixed size changed)` });
    else if (isFixed) changes.push({ kind: side === 'input' ? 'breaking' : 'compatible', side, name, message: `${where} (now fixed)` });
    else if (wasFixed) changes.push({ kind: side === 'input' ? 'compatible' : 'breaking', side, name, message: `${where} (no longer fixed)` });
    else changes.push({ kind: 'compatible', side, name, message: `${where} (symbolic dimension renamed)` });
  });
  return changes;
}
