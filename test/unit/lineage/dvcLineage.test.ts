import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { captureLineage } from '../../../src/lineage/captureLineage';
import { captureDataLineage } from '../../../src/lineage/dataLineage';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

/**
 * A project laid out as DVC's example-get-started is: data/data.xml imported from a data registry
 * (data/data.xml.dvc with `repo: {url, rev_lock}`), a dvc.lock whose train stage outputs model.pkl,
 * and a legacy (DVC 2.x, no `hash:` field) entry for a CRLF text file. Python's hashlib computes
 * every md5, DVC's way: raw bytes for `hash: md5`; for legacy text files, each 2**20-byte read
 * with CRLF turned into LF (dvc/utils `_fobj_md5` with `dos2unix`).
 */
const MAKE_PROJECT = String.raw`
import hashlib, json, os, sys
root = sys.argv[1]
def write(rel, data):
    p = os.path.join(root, rel); os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'wb').write(data)
md5 = lambda b: hashlib.md5(b).hexdigest()
def dos2unix_md5(b):
    h = hashlib.md5()
    for i in range(0, len(b), 2**20): h.update(b[i:i + 2**20].replace(b'\r\n', b'\n'))
    return h.hexdigest()
xml = b'<posts>\n' + b''.join(b'<row Id="%d" Body="question %d"/>\n' % (i, i) for i in range(400)) + b'</posts>\n'
model = bytes(range(256)) * 40
notes = b'line one\r\nline two\r\n' * 50
# A CRLF split by the 2**20 boundary: DVC leaves that one as it is.
big = b'a' * (2**20 - 1) + b'\r\n' + b'b\r\n' * 10
write('data/data.xml.dvc', ('md5: f5ea021eddd7b1df6de80b904cba1da6\nfrozen: true\ndeps:\n- path: get-started/data.xml\n  repo:\n    url: https://github.com/iterative/dataset-registry\n    rev_lock: f59388cd04276e75d70b2136597aaa27e7937cc3\nouts:\n- md5: %s\n  size: %d\n  hash: md5\n  path: data.xml\n' % (md5(xml), len(xml))).encode())
write('dvc.lock', ("schema: '2.0'\nstages:\n  train:\n    cmd: python src/train.py data/features model.pkl\n    deps:\n    - path: data/data.xml\n      hash: md5\n      md5: %s\n      size: %d\n    outs:\n    - path: model.pkl\n      hash: md5\n      md5: %s\n      size: %d\n  notes:\n    cmd: python notes.py\n    outs:\n    - path: notes.txt\n      md5: %s\n      size: %d\n    - path: big.txt\n      md5: %s\n      size: %d\n" % (md5(xml), len(xml), md5(model), len(model), dos2unix_md5(notes), len(notes), dos2unix_md5(big), len(big))).encode())
write('model.pkl', model)
write('notes.txt', notes)
write('big.txt', big)
print(json.dumps({'xml': md5(xml), 'xmlSize': len(xml), 'xmlText': xml.decode(), 'model': md5(model), 'notesLegacy': dos2unix_md5(notes), 'notesRaw': md5(notes), 'bigLegacy': dos2unix_md5(big), 'bigAllConverted': md5(big.replace(b'\r\n', b'\n'))}))
`;

interface Truth {
  xml: string;
  xmlSize: number;
  xmlText: string;
  model: string;
  notesLegacy: string;
  notesRaw: string;
  bigLegacy: string;
  bigAllConverted: string;
}

function dvcProject(): { root: string; truth: Truth } {
  const root = tempFolder('dvc');
  const truth = JSON.parse(execFileSync('python3', ['-c', MAKE_PROJECT, root], { encoding: 'utf8' })) as Truth;
  return { root, truth };
}

const noHashing = { hash: (): Promise<never> => Promise.reject(new Error('DVC data is not hashed with sha256')) };

describe('DVC as DVC sees it', () => {
  it('records an import with its repository URL, path and rev_lock, not as a local path', async () => {
    const { root } = dvcProject();
    const entries = await captureDataLineage(path.join(root, 'data/data.xml.dvc'), root, noHashing);
    const dep = entries.find((entry) => entry.role === 'dep');
    assert.deepEqual(dep, {
      uri: 'https://github.com/iterative/dataset-registry',
      kind: 'uri',
      repo: { url: 'https://github.com/iterative/dataset-registry', path: 'get-started/data.xml', revLock: 'f59388cd04276e75d70b2136597aaa27e7937cc3' },
      source: 'data/data.xml.dvc',
      role: 'dep',
    });
  });

  it('takes data that is tracked but not pulled (a fresh clone) from the .dvc file, marked as not verified locally', async () => {
    const { root, truth } = dvcProject();
    const [entry] = await captureDataLineage(path.join(root, 'data/data.xml'), root, noHashing);
    assert.deepEqual(entry, { uri: 'data/data.xml', kind: 'file', md5: truth.xml, hash: 'md5', size: truth.xmlSize, source: 'data/data.xml.dvc', role: 'out', local: 'not-pulled' });
  });

  it('verifies pulled data by md5, and keeps both facts with a warning when the file on disk is stale', async () => {
    const { root, truth } = dvcProject();
    const file = path.join(root, 'data/data.xml');
    writeFileSync(file, truth.xmlText);
    const [pulled] = await captureDataLineage(file, root, noHashing);
    assert.equal(pulled.local, 'verified');
    // The same size, other bytes: only the md5 tells.
    const stale = truth.xmlText.replace('question 7"', 'question 8"');
    writeFileSync(file, stale);
    const staleMd5 = execFileSync('python3', ['-c', 'import hashlib,sys; print(hashlib.md5(open(sys.argv[1],"rb").read()).hexdigest())', file], { encoding: 'utf8' }).trim();
    const [entry] = await captureDataLineage(file, root, noHashing);
    assert.equal(entry.md5, truth.xml);
    assert.equal(entry.local, 'differs');
    assert.equal(entry.localMd5, staleMd5);
    assert.match(entry.warning ?? '', new RegExp(`data/data.xml has md5 ${staleMd5} on disk where data/data.xml.dvc records ${truth.xml}`));
    writeFileSync(file, `${stale}extra`);
    const [grown] = await captureDataLineage(file, root, noHashing);
    assert.deepEqual([grown.local, grown.localSize, grown.size], ['differs', truth.xmlSize + 5, truth.xmlSize]);
  });

  it("hashes DVC 2.x entries (no hash field) as DVC did: text with CRLF as LF within each 1 MiB read", async () => {
    const { root, truth } = dvcProject();
    assert.notEqual(truth.notesLegacy, truth.notesRaw);
    assert.notEqual(truth.bigLegacy, truth.bigAllConverted);
    for (const file of ['notes.txt', 'big.txt']) {
      const [entry] = await captureDataLineage(path.join(root, file), root, noHashing);
      assert.deepEqual([entry.hash, entry.local], ['md5-dos2unix', 'verified'], file);
    }
    // The same bytes under a DVC 3 entry (`hash: md5`) are hashed raw, and then differ.
    writeFileSync(path.join(root, 'notes.txt.dvc'), `outs:\n- md5: ${truth.notesRaw}\n  size: 1000\n  hash: md5\n  path: notes.txt\n`);
    const [raw] = await captureDataLineage(path.join(root, 'notes.txt'), root, noHashing);
    assert.deepEqual([raw.hash, raw.local, raw.source], ['md5', 'verified', 'notes.txt.dvc']);
  });

  it('cross-checks a registered artifact that is a dvc.lock out: a match, or a warning in the capture and the summary', async () => {
    const { root, truth } = dvcProject();
    const model = path.join(root, 'model.pkl');
    const matching = await captureLineage(root, { artifacts: [model], params: null, metrics: null });
    const out = matching.data.find((entry) => entry.uri === 'model.pkl');
    assert.deepEqual(out?.artifactCheck, { artifact: 'model.pkl', result: 'match' });
    assert.equal(out?.md5, truth.model);
    assert.deepEqual(matching.warnings, []);

    const bytes = readFileSync(model);
    bytes[0] ^= 0xff;
    writeFileSync(model, bytes);
    const retrained = await captureLineage(root, { artifacts: [model], params: null, metrics: null });
    const changed = retrained.data.find((entry) => entry.uri === 'model.pkl');
    assert.deepEqual(changed?.artifactCheck, { artifact: 'model.pkl', result: 'differs' });
    assert.equal(changed?.md5, truth.model, "DVC's record is kept");
    assert.match(changed?.localMd5 ?? '', /^[0-9a-f]{32}$/);
    assert.match(retrained.warnings.join('\n'), /Registered model\.pkl is an out of stage 'train' in dvc\.lock, but model\.pkl has md5 [0-9a-f]{32} on disk where dvc\.lock records/);
  });

  it('discovery records tracked data of a fresh clone without hashing it', async () => {
    const { root } = dvcProject();
    rmSync(path.join(root, 'notes.txt'));
    const captured = await captureLineage(root, { params: null, metrics: null });
    const byUri = Object.fromEntries(captured.data.filter((entry) => entry.kind !== 'uri').map((entry) => [`${entry.uri} ${entry.role ?? ''} ${entry.stage ?? ''}`, entry.local]));
    assert.deepEqual(byUri, {
      'data/data.xml out ': 'not-pulled',
      'data/data.xml dep train': 'not-pulled',
      'model.pkl out train': 'size-matches',
      'notes.txt out notes': 'not-pulled',
      'big.txt out notes': 'size-matches',
    });
  });
});
