/**
 * A FlatBuffer written by hand (flatbuffers.dev "internals"): every table has its own vtable, and
 * every field a 4-byte slot, scalars or offsets to vectors, strings and tables. Offsets are
 * unsigned, so what is written later lies lower, as FlatBuffers builders write back to front.
 */
class FlatBufferWriter {
  private readonly buffer: Buffer;
  private low: number;

  constructor(size: number) {
    this.buffer = Buffer.alloc(size);
    this.low = size;
  }

  private alloc(bytes: number): number {
    this.low = Math.floor((this.low - bytes) / 4) * 4;
    return this.low;
  }

  /** A table whose fields (by index) are scalars, or offsets to what `place` put elsewhere. */
  table(fields: (number | { to: number } | undefined)[]): number {
    const vtable = this.alloc(4 + 2 * fields.length);
    const table = this.alloc(4 + 4 * fields.length);
    this.buffer.writeUInt16LE(4 + 2 * fields.length, vtable);
    this.buffer.writeUInt16LE(4 + 4 * fields.length, vtable + 2);
    this.buffer.writeInt32LE(table - vtable, table);
    fields.forEach((field, index) => {
      if (field === undefined) return;
      const slot = table + 4 + 4 * index;
      this.buffer.writeUInt16LE(4 + 4 * index, vtable + 4 + 2 * index);
      if (typeof field === 'number') this.buffer.writeInt32LE(field, slot);
      else this.buffer.writeUInt32LE(field.to - slot, slot);
    });
    return table;
  }

  /** A vector of 32-bit integers, or of offsets to tables; `length` may lie. */
  vector(elements: (number | { to: number })[], length = elements.length): { to: number } {
    const at = this.alloc(4 + 4 * elements.length);
    this.buffer.writeUInt32LE(length, at);
    elements.forEach((element, i) => {
      const slot = at + 4 + 4 * i;
      if (typeof element === 'number') this.buffer.writeInt32LE(element, slot);
      else this.buffer.writeUInt32LE(element.to - slot, slot);
    });
    return { to: at };
  }

  bytes(data: Buffer): { to: number } {
    const at = this.alloc(4 + data.length);
    this.buffer.writeUInt32LE(data.length, at);
    data.copy(this.buffer, at + 4);
    return { to: at };
  }

  /** The file: the root table's offset and the identifier, then everything written (moved as a whole, so offsets hold). */
  finish(root: number): Buffer {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(root - this.low + 8, 0);
    header.write('TFL3', 4, 'latin1');
    return Buffer.concat([header, this.buffer.subarray(this.low)]);
  }
}

/**
 * A TFLite model (schema.fbs field order): one subgraph of `copies` references to one constant
 * [2, 3] float32 tensor `w` in buffer 1, and one CONV_2D operator; its input and output are tensor 0.
 */
export function tfliteModel(copies: number, claimedSubgraphs?: number): Buffer {
  const fb = new FlatBufferWriter(64 * 1024 + 4 * copies);
  const weight = fb.table([{ to: fb.vector([2, 3]).to }, 0, 1, { to: fb.bytes(Buffer.from('w')).to }]);
  const operator = fb.table([0]);
  const subgraph = fb.table([fb.vector(Array.from({ length: copies }, () => ({ to: weight }))), fb.vector([0]), fb.vector([0]), fb.vector([{ to: operator }]), fb.bytes(Buffer.from('main'))]);
  const conv = fb.table([3, undefined, 1, 3]);
  const buffers = fb.vector([{ to: fb.table([]) }, { to: fb.table([fb.bytes(Buffer.alloc(24))]) }]);
  const model = fb.table([3, fb.vector([{ to: conv }]), fb.vector([{ to: subgraph }], claimedSubgraphs), fb.bytes(Buffer.from('hand-made')), buffers]);
  return fb.finish(model);
}
