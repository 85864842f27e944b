import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OpLog } from '../../../../src/store/persistence/opLog';
import type { RegistryEvent } from '../../../../src/core/events';
import { useTempFolders } from '../../../support/tempFolders';

const tempFolder = useTempFolders();
const fakeEvents = (n: number) => [{ seq: n }] as unknown as RegistryEvent[];

describe('OpLog', () => {
  it('appends one line per batch and reads them back with their end offsets', () => {
    const log = new OpLog(path.join(tempFolder(), 'oplog.jsonl'));
    const first = OpLog.encode(fakeEvents(1));
    log.append(first, 0);
    log.append(OpLog.encode(fakeEvents(2)), first.length);
    const lines = [...log.linesAfter(0)];
    assert.deepEqual(lines.map((line) => line.events[0].seq), [1, 2]);
    assert.equal(lines[0].endOffset, first.length);
    assert.equal(lines[1].endOffset, log.fileState().size);
    assert.deepEqual([...log.linesAfter(first.length)].map((line) => line.events[0].seq), [2]);
  });

  it('ignores a torn last line and cuts it off before the next append', () => {
    const log = new OpLog(path.join(tempFolder(), 'oplog.jsonl'));
    const first = OpLog.encode(fakeEvents(1));
    log.append(first, 0);
    appendFileSync(log.file, '[{"seq":2,"half-writ');
    assert.deepEqual([...log.linesAfter(0)].map((line) => line.events[0].seq), [1]);
    log.append(OpLog.encode(fakeEvents(3)), first.length);
    assert.equal(readFileSync(log.file, 'utf8'), `${JSON.stringify(fakeEvents(1))}\n${JSON.stringify(fakeEvents(3))}\n`);
  });

  it('refuses to append where the caller did not read up to', () => {
    const log = new OpLog(path.join(tempFolder(), 'oplog.jsonl'));
    log.append(OpLog.encode(fakeEvents(1)), 0);
    assert.throws(() => log.append(OpLog.encode(fakeEvents(2)), 0), { code: 'CONFLICT' });
  });

  it('reports a damaged line in the middle with its byte offset', () => {
    const file = path.join(tempFolder(), 'oplog.jsonl');
    writeFileSync(file, `${JSON.stringify(fakeEvents(1))}\n{not json}\n${JSON.stringify(fakeEvents(3))}\n`);
    const offset = JSON.stringify(fakeEvents(1)).length + 1;
    assert.throws(() => [...new OpLog(file).linesAfter(0)], (error: Error & { code?: string }) => error.code === 'CORRUPT' && error.message.includes(`byte ${offset}`));
  });

  it('reads lines longer than its read buffer', () => {
    const log = new OpLog(path.join(tempFolder(), 'oplog.jsonl'));
    const big = [{ seq: 1, pad: 'x'.repeat(9 * 1024 * 1024) }] as unknown as RegistryEvent[];
    const line = OpLog.encode(big);
    log.append(line, 0);
    log.append(OpLog.encode(fakeEvents(2)), line.length);
    const lines = [...log.linesAfter(0)];
    assert.equal(lines.length, 2);
    assert.equal((lines[0].events[0] as unknown as { pad: string }).pad.length, 9 * 1024 * 1024);
  });
});
