import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registrationSummary } from '../../../../src/extension/flows/registrationSummary';

describe('registrationSummary', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mr-summary-'));
    mkdirSync(path.join(root, 'models'));
    writeFileSync(path.join(root, 'models', 'fraud.onnx'), Buffer.alloc(2048));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const captured = {
    git: { commit: 'c0ffee0000000000000000000000000000000001', branch: 'main', dirty: false },
    data: [],
    params: { lr: 0.001 },
    metrics: { auc: 0.93, f1: 0.8 },
    environment: { python: '3.11.2', platform: 'linux', arch: 'x64' },
    sources: { params: 'params.json', metrics: 'metrics.json' },
  };

  it('reads as one "Label: value" fact per line, with no column padding for a proportional font', () => {
    const { lines, missing } = registrationSummary({ projectRoot: root, model: 'fraud', newModel: true, paths: [path.join(root, 'models', 'fraud.onnx')], semver: '2.0.0' }, captured);
    assert.deepEqual(missing, []);
    assert.deepEqual(lines, [
      'Model: fraud (new)',
      'File: models/fraud.onnx (2.0 KiB)',
      'Semver: 2.0.0',
      'Description: none',
      'Git: c0ffee0000000000000000000000000000000001 (main)',
      'Data: 0 items',
      'Params: 1 from params.json',
      'Metrics: 2 from metrics.json',
      'Environment: Python 3.11.2, linux x64',
    ]);
    for (const line of lines) assert.doesNotMatch(line, /\s{2,}/, `no padding: ${line}`);
  });

  it('names the chosen files that are gone', () => {
    const { lines, missing } = registrationSummary({ projectRoot: root, model: 'fraud', newModel: false, paths: [path.join(root, 'models', 'fraud.onnx'), path.join(root, 'models', 'gone.onnx')] }, captured);
    assert.deepEqual(missing, ['models/gone.onnx']);
    assert.equal(lines[1], 'Files: models/fraud.onnx (2.0 KiB), models/gone.onnx (missing)');
  });
});
