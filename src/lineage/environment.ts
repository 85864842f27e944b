import { loadChildProcess } from '../core/lazyModules';
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseYaml } from '../core/lazyModules';
import { RegistryError } from '../core/registryError';
import { sha256Hex } from '../core/sha256';
import { isRecord, projectRelative, readProjectBytes, readProjectText } from './projectFiles';
import { ownValue, setOwn, userKeyedRecord } from '../core/userKeyedRecord';

export interface LockFileRecord {
  /** Relative to the project. */
  path: string;
  sha256: string;
  /** Package name → pinned version, or the requirement as written when not pinned. */
  packages: Record<string, string>;
  /** The Python version or range the file asks for, when it says. */
  python?: string;
}

export interface EnvironmentOptions {
  /** A Python interpreter whose `pip freeze` is recorded too (the one VS Code's Python extension chose). */
  pythonInterpreter?: string;
}

/** Helper programs (nvidia-smi, pip) get this long; a hung driver must not hang registration. */
const PROGRAM_TIMEOUT_MS = 10_000;

/**
 * The software and machine a model was produced with: OS, architecture and CPU; the Python packages
 * the project pins (requirements*.txt, poetry.lock, uv.lock, Pipfile.lock, environment.yml), each
 * lock file with its sha256; optionally `pip freeze` of a chosen interpreter; and the CUDA and
 * driver version when nvidia-smi is there. Files are read, never executed.
 */
export async function captureEnvironment(projectRoot: string, options: EnvironmentOptions = {}): Promise<Record<string, unknown>> {
  const cpus = os.cpus();
  const environment: Record<string, unknown> = {
    os: `${os.type()} ${os.release()}`,
    platform: process.platform,
    arch: process.arch,
    cpu: cpus[0]?.model.trim() || 'unknown',
    cpus: cpus.length,
  };
  const [interpreter, gpu] = await Promise.all([
    options.pythonInterpreter ? freezeInterpreter(options.pythonInterpreter) : Promise.resolve(undefined),
    queryNvidiaSmi(),
  ]);
  const lockFiles = readLockFiles(projectRoot);
  const python = interpreter?.python ?? lockFiles.find((file) => file.python)?.python ?? pythonVersionFile(projectRoot);
  if (python) environment.python = python;
  if (lockFiles.length > 0) environment.lockFiles = lockFiles;
  if (interpreter) environment.interpreter = interpreter;
  if (gpu) Object.assign(environment, gpu);
  return environment;
}

const LOCK_FILE = /^(requirements.*\.txt|poetry\.lock|uv\.lock|Pipfile\.lock|environment\.ya?ml)$/;

/** The Python dependency files at the project root, each with its hash and the packages it names. */
export function readLockFiles(projectRoot: string): LockFileRecord[] {
  let names: string[];
  try {
    names = readdirSync(projectRoot).filter((name) => LOCK_FILE.test(name)).sort();
  } catch {
    return [];
  }
  return names.map((name) => readLockFile(projectRoot, path.join(projectRoot, name)));
}

export function readLockFile(projectRoot: string, file: string): LockFileRecord {
  const bytes = readProjectBytes(file);
  const text = bytes.toString('utf8');
  const name = path.basename(file);
  const record: LockFileRecord = { path: projectRelative(projectRoot, file), sha256: sha256Hex(bytes), packages: userKeyedRecord() };
  try {
    if (name.endsWith('.txt')) record.packages = parseRequirements(text);
    else if (name === 'poetry.lock' || name === 'uv.lock') Object.assign(record, parseTomlLock(text));
    else if (name === 'Pipfile.lock') Object.assign(record, parsePipfileLock(text));
    else Object.assign(record, parseCondaEnvironment(parseYaml(text) as unknown));
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError('INVALID_INPUT', `${file} cannot be read: ${(error as Error).message.split('\n')[0]}. Fix the file, or leave it out with --no-discover.`);
  }
  return record;
}

/** `name==1.2`, `name[extra]>=1 ; markers  # comment`; options (-r, -e, --hash) are not packages. */
export function parseRequirements(text: string): Record<string, string> {
  const packages = userKeyedRecord<string>();
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').split(';')[0].replace(/\s--hash[= ]\S+/g, '').trim();
    if (!line || line.startsWith('-')) continue;
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(line);
    if (!match) continue;
    const spec = match[3].trim();
    const pinned = /^===?\s*([^\s,]+)$/.exec(spec);
    setOwn(packages, normalizeName(match[1]), pinned ? pinned[1] : spec);
  }
  return packages;
}

/** poetry.lock and uv.lock: `[[package]]` tables with name and version; uv adds `requires-python`. */
function parseTomlLock(text: string): Pick<LockFileRecord, 'packages' | 'python'> {
  const document = parseToml(text) as Record<string, unknown>;
  const packages = userKeyedRecord<string>();
  for (const item of Array.isArray(document.package) ? document.package : []) {
    if (isRecord(item) && typeof item.name === 'string' && typeof item.version === 'string') setOwn(packages, normalizeName(item.name), item.version);
  }
  const metadata = isRecord(document.metadata) ? document.metadata : {};
  const python = typeof document['requires-python'] === 'string' ? document['requires-python'] : typeof metadata['python-versions'] === 'string' ? metadata['python-versions'] : undefined;
  return python ? { packages, python } : { packages };
}

function parsePipfileLock(text: string): Pick<LockFileRecord, 'packages' | 'python'> {
  const document = JSON.parse(text) as unknown;
  if (!isRecord(document)) return { packages: userKeyedRecord() };
  const packages = userKeyedRecord<string>();
  for (const section of ['default', 'develop']) {
    const entries = document[section];
    if (!isRecord(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      if (isRecord(entry) && typeof entry.version === 'string' && ownValue(packages, normalizeName(name)) === undefined) setOwn(packages, normalizeName(name), entry.version.replace(/^==/, ''));
    }
  }
  const meta = isRecord(document._meta) && isRecord(document._meta.requires) ? document._meta.requires : {};
  const python = typeof meta.python_full_version === 'string' ? meta.python_full_version : typeof meta.python_version === 'string' ? meta.python_version : undefined;
  return python ? { packages, python } : { packages };
}

/** environment.yml: conda specs `name=version[=build]` and a nested `pip:` list. */
function parseCondaEnvironment(document: unknown): Pick<LockFileRecord, 'packages' | 'python'> {
  const packages = userKeyedRecord<string>();
  let python: string | undefined;
  const dependencies = isRecord(document) && Array.isArray(document.dependencies) ? document.dependencies : [];
  for (const dependency of dependencies) {
    if (typeof dependency === 'string') {
      const [name, version = ''] = dependency.trim().split(/\s*=+\s*|\s+/);
      const key = normalizeName(name.replace(/^.*::/, ''));
      if (key === 'python') python = version || undefined;
      else setOwn(packages, key, version);
    } else if (isRecord(dependency) && Array.isArray(dependency.pip)) {
      for (const [name, version] of Object.entries(parseRequirements(dependency.pip.filter((item): item is string => typeof item === 'string').join('\n')))) setOwn(packages, name, version);
    }
  }
  return python ? { packages, python } : { packages };
}

/** PEP 503: names compare case-insensitively, with runs of -, _ and . alike. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function pythonVersionFile(projectRoot: string): string | undefined {
  try {
    return readProjectText(path.join(projectRoot, '.python-version')).trim().split(/\s+/)[0] || undefined;
  } catch {
    return undefined;
  }
}

function run(program: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    loadChildProcess().execFile(program, args, { timeout: PROGRAM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : stdout);
    });
  });
}

/** `pip freeze` of an interpreter chosen by the user; an interpreter that fails is an error, since it was asked for. */
async function freezeInterpreter(interpreter: string): Promise<{ path: string; python: string; packages: Record<string, string> }> {
  const [version, freeze] = await Promise.all([run(interpreter, ['--version']), run(interpreter, ['-m', 'pip', 'freeze', '--all'])]);
  const python = /Python\s+(\S+)/.exec(version ?? '')?.[1];
  if (!python || freeze === undefined) {
    throw new RegistryError('INVALID_INPUT', `The Python interpreter ${interpreter} did not answer '--version' and 'pip freeze'; choose another interpreter or leave it out.`);
  }
  return { path: interpreter, python, packages: parseRequirements(freeze) };
}

/** Looked up before spawning: most machines have no GPU, and a failed spawn still costs a fork. */
function onPath(program: string): boolean {
  const names = process.platform === 'win32' ? [`${program}.exe`] : [program];
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && names.some((name) => isFile(path.join(dir, name))));
}

/** A PATH folder this user may not read (another user's ~/.cargo/bin) holds nothing we can run. */
function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** CUDA version, driver version and GPU names; nothing when nvidia-smi is missing or fails. */
async function queryNvidiaSmi(): Promise<{ cuda?: string; gpuDriver?: string; gpus: string[] } | undefined> {
  if (!onPath('nvidia-smi')) return undefined;
  const [summary, list] = await Promise.all([run('nvidia-smi', []), run('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'])]);
  if (summary === undefined) return undefined;
  const result: { cuda?: string; gpuDriver?: string; gpus: string[] } = { gpus: (list ?? '').split('\n').map((line) => line.trim()).filter(Boolean) };
  const cuda = /CUDA Version:\s*([\d.]+)/.exec(summary)?.[1];
  const driver = /Driver Version:\s*([\d.]+)/.exec(summary)?.[1];
  if (cuda) result.cuda = cuda;
  if (driver) result.gpuDriver = driver;
  return result;
}
