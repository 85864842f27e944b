import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { assertCorrupt, OS_SYSTEM_PICKLE, STACK_GLOBAL_EXEC_PICKLE, TORCH_STATE_DICT_PICKLE, pickleBytes, shortUnicode, zipBytes } from '../../support/modelFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function write(name: string, bytes: Buffer): string {
  const file = path.join(tempFolder('pickle'), name);
  writeFileSync(file, bytes);
  return file;
}

describe('pickle scanner', () => {
  it('finds nothing to report in a PyTorch state dict, and lists its imports', async () => {
    const inspection = await inspectArtifact(write('model.pkl', TORCH_STATE_DICT_PICKLE));
    assert.equal(inspection.format, 'pickle');
    assert.deepEqual(inspection.findings, []);
    assert.equal(inspection.summary.pickleImports, 'collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.FloatStorage');
    assert.equal(inspection.summary.pickleCalls, 3);
    assert.equal(inspection.summary.pickleScanComplete, true);
  });

  it('reports GLOBAL os.system as a high-severity finding, without running it', async () => {
    const file = write('model.pkl', OS_SYSTEM_PICKLE);
    const inspection = await inspectArtifact(file);
    assert.deepEqual(inspection.findings, [{ severity: 'high', code: 'pickle.unsafe-import', message: 'imports os.system (unpickling it can run commands or code)', where: 'offset 2' }]);
    assert.ok(!existsSync(path.join(path.dirname(file), 'pwned')) && !existsSync('pwned'));
  });

  for (const compression of ['zlib', 'gzip'] as const) {
    it(`decompresses a joblib file written through ${compression} and finds GLOBAL os.system inside`, async () => {
      // Compressed by Python's own module, as joblib.dump(compress='${compression}') would.
      const compressed = execFileSync('python3', ['-c', `import sys, ${compression}; sys.stdout.buffer.write(${compression}.compress(sys.stdin.buffer.read()))`], { input: OS_SYSTEM_PICKLE });
      const inspection = await inspectArtifact(write('model.joblib', compressed));
      assert.equal(inspection.format, 'joblib');
      assert.deepEqual(
        inspection.findings.map((finding) => finding.message),
        ['imports os.system (unpickling it can run commands or code)'],
      );
    });
  }

  it('resolves STACK_GLOBAL names pushed and memoized before it (protocol 4)', async () => {
    const inspection = await inspectArtifact(write('model.joblib', STACK_GLOBAL_EXEC_PICKLE));
    assert.equal(inspection.format, 'joblib');
    assert.equal(inspection.findings.length, 1);
    assert.equal(inspection.findings[0].message, 'imports builtins.exec (unpickling it can run commands or code)');
  });

  it('resolves STACK_GLOBAL names fetched back from the memo', async () => {
    const bytes = pickleBytes('\x80\x04', shortUnicode('subprocess'), shortUnicode('x'), '0', shortUnicode('Popen'), '0h\x00h\x02\x93', ')R.');
    const inspection = await inspectArtifact(write('model.pkl', bytes));
    assert.deepEqual(inspection.findings.map((finding) => finding.message), ['imports subprocess.Popen (unpickling it can run commands or code)']);
  });

  it('reads protocol 0 pickles, whose byte strings are lines of any length', async () => {
    const bytes = pickleBytes(`(S'${'a'.repeat(100_000)}'\np0\ncposix\nsystem\np1\n(S'id'\ntR.`);
    const inspection = await inspectArtifact(write('model.pkl', bytes));
    assert.deepEqual(inspection.findings.map((finding) => finding.message), ['imports posix.system (unpickling it can run commands or code)']);
  });

  it('counts memo entries of every kind, as NumPy arrays pickled at protocol 4 need', async () => {
    // EMPTY_DICT is memo 0; 'numpy' memo 1; BINGET 1 fetches it back for numpy.dtype.
    const bytes = pickleBytes('\x80\x04}\x94', shortUnicode('numpy'), shortUnicode('ndarray'), '\x93\x94', 'h\x01', shortUnicode('dtype'), '\x93\x94', '\x86\x94.');
    const inspection = await inspectArtifact(write('array.pkl', bytes));
    assert.equal(inspection.summary.pickleImports, 'numpy.ndarray, numpy.dtype');
    assert.deepEqual(inspection.findings, []);
  });

  it('flags a STACK_GLOBAL whose name is computed while unpickling, and stops where CPython refuses a name that is no str', async () => {
    const computed = pickleBytes('\x80\x04', shortUnicode('os'), 'cbuiltins\nstr\n', shortUnicode('system'), '\x85R\x93)R.');
    assert.deepEqual((await inspectArtifact(write('model.pkl', computed))).findings.map((finding) => [finding.severity, finding.code]), [['high', 'pickle.dynamic-import']]);
    const tuple = pickleBytes('\x80\x04', shortUnicode('os'), ')\x93)R.');
    const refused = await inspectArtifact(write('model.pkl', tuple));
    assert.deepEqual(refused.findings.map((finding) => finding.code), ['pickle.malformed']);
    assert.match(refused.findings[0].message, /STACK_GLOBAL requires str/);
  });

  const globalPickle = (module: string, name: string): Buffer => pickleBytes(`\x80\x02c${module}\n${name}\n)R.`);

  it('reports imports outside the allowlist as high, and names the usual suspects as able to run commands', async () => {
    const inspection = await inspectArtifact(write('model.pkl', globalPickle('mylib.models', 'Net')));
    assert.deepEqual(inspection.findings.map((finding) => [finding.severity, finding.code]), [['high', 'pickle.unknown-import']]);
    for (const [module, name] of [['posix', 'system'], ['nt', 'system'], ['builtins', 'eval'], ['__builtin__', 'getattr'], ['socket', 'create_connection'], ['shutil', 'rmtree'], ['importlib', 'import_module'], ['runpy', 'run_path'], ['pty', 'spawn'], ['sys', 'modules'], ['operator', 'methodcaller'], ['torch.hub', 'load'], ['pydoc', 'locate']]) {
      const findings = (await inspectArtifact(write('model.pkl', globalPickle(module, name)))).findings;
      assert.deepEqual(findings.map((finding) => [finding.severity, finding.code]), [['high', 'pickle.unsafe-import']], `${module}.${name}`);
    }
  });

  it('allows exactly the reviewed (module, name) pairs, never a name under an allowed package', async () => {
    for (const [module, name] of [['numpy.core.multiarray', '_reconstruct'], ['numpy', 'float64'], ['numpy', 'dtype'], ['builtins', 'set'], ['__builtin__', 'set'], ['copy_reg', '_reconstructor'], ['sklearn.linear_model._logistic', 'LogisticRegression'], ['torch', 'BFloat16Storage'], ['torch._utils', '_rebuild_tensor_v2'], ['collections', 'OrderedDict']]) {
      assert.deepEqual((await inspectArtifact(write('model.pkl', globalPickle(module, name)))).findings, [], `${module}.${name}`);
    }
    for (const [module, name] of [['numpy.core.multiarray', 'exec'], ['numpy', 'load'], ['sklearn', 'system'], ['torch._utils', '_rebuild_tensor_v2.__globals__'], ['collections', 'OrderedDict.fromkeys'], ['torch', 'load'], ['numpy.float64', '']]) {
      const findings = (await inspectArtifact(write('model.pkl', globalPickle(module, name)))).findings;
      assert.equal(findings.filter((finding) => finding.severity === 'high').length, 1, `${module}.${name}: ${JSON.stringify(findings)}`);
    }
  });

  it('renames Python 2 imports only below protocol 3, as CPython does', async () => {
    assert.deepEqual((await inspectArtifact(write('model.pkl', globalPickle('__builtin__', 'set')))).summary.pickleImports, 'builtins.set');
    const protocol3 = await inspectArtifact(write('model.pkl', pickleBytes('\x80\x03c__builtin__\nset\n)R.')));
    assert.equal(protocol3.summary.pickleImports, '__builtin__.set');
    assert.equal(protocol3.findings[0].severity, 'high');
    // commands.getoutput is subprocess.getoutput to Python 3.
    assert.match((await inspectArtifact(write('model.pkl', globalPickle('commands', 'getoutput')))).findings[0].message, /imports subprocess\.getoutput /);
  });

  it('scans the pickle inside a PyTorch zip checkpoint and lists the archive', async () => {
    const file = write('model.pt', zipBytes({ 'archive/data.pkl': OS_SYSTEM_PICKLE, 'archive/data/0': Buffer.alloc(24), 'archive/version': '3\n', 'archive/byteorder': 'little' }));
    const inspection = await inspectArtifact(file);
    assert.equal(inspection.format, 'pytorch');
    assert.equal(inspection.summary.archiveMembers, 4);
    assert.equal(inspection.summary.storages, 1);
    assert.equal(inspection.summary.storageBytes, 24);
    assert.deepEqual(inspection.findings.map((finding) => [finding.code, finding.where]), [['pickle.unsafe-import', 'archive/data.pkl offset 2']]);
  });

  it('reads a TorchScript archive: __torch__ classes come from its code (one medium finding), other imports are judged', async () => {
    const data = pickleBytes('\x80\x02c__torch__.model\nNet\n)\x81}b.');
    const members = { 'net/data.pkl': data, 'net/code/__torch__/model.py': 'class Net(Module):\n  pass\n', 'net/constants.pkl': pickleBytes('\x80\x02).') };
    const clean = await inspectArtifact(write('net.pt', zipBytes(members)));
    assert.equal(clean.summary.layout, 'torchscript zip');
    assert.deepEqual(clean.findings.map((finding) => [finding.severity, finding.code]), [['medium', 'pytorch.torchscript-code']]);
    const hostile = await inspectArtifact(write('net.pt', zipBytes({ ...members, 'net/constants.pkl': OS_SYSTEM_PICKLE })));
    assert.deepEqual(hostile.findings.map((finding) => [finding.severity, finding.code]), [['high', 'pickle.unsafe-import'], ['medium', 'pytorch.torchscript-code']]);
    // A member no loader names as a pickle, cut before its STOP, still runs its call when unpickled.
    const cut = await inspectArtifact(write('net.pt', zipBytes({ ...members, 'net/extra/notes.txt': pickleBytes("cos\nsystem\n(S'id'\ntR") })));
    assert.deepEqual(cut.findings.map((finding) => [finding.severity, finding.code]), [['high', 'pickle.unsafe-import'], ['high', 'pickle.malformed'], ['medium', 'pytorch.torchscript-code']]);
    // Outside a TorchScript archive, __torch__ is just an unknown Python module.
    assert.equal((await inspectArtifact(write('net.pt', zipBytes({ 'net/data.pkl': data })))).findings[0].code, 'pickle.unknown-import');
  });

  it('reads a legacy PyTorch file as torch.load does: five pickles, then raw storage bytes', async () => {
    const magic = pickleBytes('\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.');
    const sysInfo = pickleBytes('\x80\x02}q\x00X\r\x00\x00\x00little_endianq\x01\x88s.');
    const keys = pickleBytes('\x80\x02]q\x00X\x01\x00\x00\x000q\x01a.');
    // Storage '0' (a FloatStorage of 6 elements): its count as an int64, then 24 bytes that look like opcodes.
    const storage = Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]), pickleBytes('cos\nsystem\n(S\'id\'\ntR.'.padEnd(24, 'N'))]);
    const file = write('model.pth', Buffer.concat([magic, pickleBytes('\x80\x02M\xe9\x03.'), sysInfo, TORCH_STATE_DICT_PICKLE, keys, storage]));
    const inspection = await inspectArtifact(file);
    assert.equal(inspection.format, 'pytorch');
    assert.equal(inspection.summary.layout, 'legacy pickle');
    assert.equal(inspection.summary.pickleScanComplete, true);
    assert.deepEqual(inspection.findings, []);
    // The same bytes appended after the storages are never read by torch.load: a low finding, not an import.
    const appended = await inspectArtifact(write('model.pth', Buffer.concat([magic, pickleBytes('\x80\x02M\xe9\x03.'), sysInfo, TORCH_STATE_DICT_PICKLE, keys, storage, Buffer.from('junk')])));
    assert.deepEqual(appended.findings.map((finding) => [finding.severity, finding.code]), [['low', 'pickle.trailing-data']]);
  });

  it('reports a numpy.float64 global as nothing to worry about', async () => {
    const inspection = await inspectArtifact(write('model.pkl', pickleBytes('\x80\x02cnumpy\nfloat64\nq\x00.')));
    assert.deepEqual(inspection.findings, []);
    assert.equal(inspection.summary.pickleImports, 'numpy.float64');
  });

  it('scans the payload of pickle.loads too, and names what it would run', async () => {
    const inner = pickleBytes('\x80\x02cnt\nsystem\n(S\'dir\'\ntR.');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(inner.length);
    const outer = pickleBytes('\x80\x03c_pickle\nloads\nB', length, inner, '\x85R.');
    const findings = (await inspectArtifact(write('model.pkl', outer))).findings;
    assert.deepEqual(findings.map((finding) => [finding.message.split(' (')[0], finding.where]), [['imports _pickle.loads', 'offset 2'], ['imports nt.system', `offset ${outer.length - 2} → bytes passed to _pickle.loads offset 2`]]);
  });

  it('follows calls of call results however long the chain, and records at most 100 findings', async () => {
    const chain = await inspectArtifact(write('model.pkl', pickleBytes('\x80\x02cbuiltins\nset\n', ')R'.repeat(100_000), '.')));
    assert.equal(chain.summary.pickleCalls, 100_000);
    assert.deepEqual(chain.findings.map((finding) => finding.message.split(' (')[0]), ['calls what builtins.set returned', 'calls a value computed while unpickling']);
    const imports = Array.from({ length: 300 }, (_, i) => `cmodule${i}\nf\n0`).join('');
    const many = await inspectArtifact(write('model.pkl', pickleBytes('\x80\x02', imports, 'N.')));
    assert.equal(many.findings.length, 101);
    assert.deepEqual(many.findings[100], { severity: 'high', code: 'pickle.more-findings', message: '200 more finding(s) of this file are not listed' });
  });

  const damaged: [string, Buffer, RegExp, string[]][] = [
    ['a pickle cut mid-opcode, keeping the import before the cut', OS_SYSTEM_PICKLE.subarray(0, 20), /ends at byte 20/, ['pickle.unsafe-import', 'pickle.malformed']],
    ['a pickle with no STOP', TORCH_STATE_DICT_PICKLE.subarray(0, TORCH_STATE_DICT_PICKLE.length - 1), /truncated/, ['pickle.malformed']],
    ['a byte that is no opcode', Buffer.from('\x80\x02\xff\xff', 'latin1'), /byte 0xff is not a pickle opcode/, ['pickle.malformed']],
    ['a length past the end', pickleBytes('\x80\x02X\xff\xff\xff\x00abc.'), /truncated/, ['pickle.malformed']],
    ['a protocol Python does not know', pickleBytes('\x80\x06N.'), /unsupported pickle protocol: 6/, ['pickle.malformed']],
    ['a GET of a memo entry never stored', pickleBytes('\x80\x02h\x05.'), /memo value not found at index 5/, ['pickle.malformed']],
    ['a REDUCE with nothing on the stack', pickleBytes('\x80\x02(R.'), /stack underflow/, ['pickle.malformed']],
  ];
  for (const [what, bytes, message, codes] of damaged) {
    it(`reports ${what} as a high finding, not as a clean file`, async () => {
      const inspection = await inspectArtifact(write('model.pkl', bytes));
      assert.deepEqual(inspection.findings.map((finding) => finding.code), codes);
      assert.ok(inspection.findings.every((finding) => finding.severity === 'high'));
      assert.match(inspection.findings[inspection.findings.length - 1].message, message);
      assert.equal(inspection.summary.pickleScanComplete, false);
    });
  }

  const corrupt: [string, string, Buffer, RegExp][] = [
    ['a truncated PyTorch zip', 'model.pt', zipBytes({ 'archive/data.pkl': TORCH_STATE_DICT_PICKLE }).subarray(0, 60), /not a readable pytorch file: it is not a readable zip archive/],
    ['a zip with no data.pkl', 'model.pt', zipBytes({ 'readme.txt': 'hi' }), /holds no data\.pkl/],
    ['a .pt that is neither zip nor pickle', 'model.pt', Buffer.from('hello world, not a model'), /not a readable pytorch file: it is neither a zip archive nor a pickle/],
    ['an empty pickle', 'model.pkl', Buffer.alloc(0), /it is empty/],
  ];
  for (const [what, name, bytes, message] of corrupt) {
    it(`refuses ${what} with an error naming the file`, async () => {
      const file = write(name, bytes);
      await assertCorrupt(file, name.endsWith('.pt') ? 'pytorch' : 'pickle', message);
    });
  }
});
