import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GENESIS_HASH, sealEvents, type EventDraft } from '../../../../src/core/events';
import { OpLog } from '../../../../src/store/persistence/opLog';
import { scanOpLog } from '../../../../src/store/persistence/opLogScan';
import { useTempFolders } from '../../../support/tempFolders';

const tempFolder = useTempFolders();

/** A log of `count` one-event batches, chained; returns it and where each line starts. */
function logOf(count: number): { log: OpLog; starts: number[]; bytes: Buffer } {
  const log = new OpLog(path.join(tempFolder('scan'), 'oplog.jsonl'));
  let head = { seq: 0, hash: GENESIS_HASH };
  const starts: number[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const draft: EventDraft = { type: 'model.created', model: `m${i}`, payload: {} };
    const events = sealEvents([draft], head, 'test@example.com');
    const line = OpLog.encode(events);
    starts.push(offset);
    log.append(line, offset);
    offset += line.length;
    head = { seq: events[0].seq, hash: events[0].hash };
  }
  return { log, starts, bytes: readFileSync(log.file) };
}

describe('scanOpLog', () => {
  it('finds a healthy log intact to its end', () => {
    const { log, bytes } = logOf(3);
    const scan = scanOpLog(log);
    assert.deepEqual([scan.intactEnd, scan.intactHead.seq, scan.size, scan.damage, scan.salvageable.length], [bytes.length, 3, bytes.length, undefined, 0]);
  });

  it('reports a torn last line with its offset and length', () => {
    const { log, bytes } = logOf(2);
    appendFileSync(log.file, '[{"v":1,"seq":3,"ty');
    const scan = scanOpLog(log);
    assert.equal(scan.intactEnd, bytes.length);
    assert.deepEqual(scan.damage, { kind: 'torn-tail', offset: bytes.length, length: 19 });
  });

  it('stops the intact prefix at a garbled line and still reads the batches after it', () => {
    const { log, starts, bytes } = logOf(4);
    const damaged = Buffer.from(bytes);
    damaged.write('%%%%', starts[1] + 5);
    writeFileSync(log.file, damaged);
    const scan = scanOpLog(log);
    assert.equal(scan.intactEnd, starts[1]);
    assert.equal(scan.intactHead.seq, 1);
    assert.deepEqual(scan.damage, { kind: 'garbled', offset: starts[1], length: starts[2] - starts[1] });
    assert.deepEqual(scan.salvageable.map((batch) => [batch.start, batch.events[0].seq]), [[starts[2], 3], [starts[3], 4]]);
    assert.equal(scan.unreadableBytes, starts[2] - starts[1]);
  });

  it('calls a readable batch that does not continue the chain damage, and keeps it salvageable', () => {
    const { log, starts, bytes } = logOf(3);
    writeFileSync(log.file, Buffer.concat([bytes.subarray(0, starts[1]), bytes.subarray(starts[2])]));
    const scan = scanOpLog(log);
    assert.equal(scan.damage?.kind, 'broken-chain');
    assert.match((scan.damage as { detail: string }).detail, /Event #3 follows event #1/);
    assert.deepEqual(scan.salvageable.map((batch) => batch.events[0].seq), [3]);
  });
});
