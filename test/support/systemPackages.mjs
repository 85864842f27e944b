#!/usr/bin/env node
// The system packages the test suite needs, checked before `npm test` runs anything (its pretest
// step, and .ci/run's install step); with --bench, also those `npm run bench` compares against (its
// prebench step). As root with apt, the missing ones are installed; otherwise the run stops within
// seconds with the exact command to type, instead of failing minutes later.
// Plain JavaScript: it must run before anything is built.
import { execFileSync, spawnSync } from 'node:child_process';

/** Debian package, a program it provides (to check where there is no dpkg), and why the tests need it. */
const PACKAGES = [
  ['git', 'git', 'lineage capture, and the repositories the tests build'],
  ['chromium', 'chromium', 'the end-to-end tests drive the VS Code workbench in it'],
  ['libkrb5-dev', 'krb5-config', 'a native module of code-server (the browser-based VS Code the tests install) builds against it'],
  ['faketime', 'faketime', 'the sync tests run clients whose clocks are hours off'],
  ['python3', 'python3', "the Python client's tests, and fixtures computed independently of our code"],
  ['ceph-mon', 'ceph-mon', 'the S3 tests start a throw-away Ceph cluster with radosgw (a real S3 with conditional writes)'],
  ['ceph-osd', 'ceph-osd', 'the same cluster: its one storage daemon, on memory'],
  ['radosgw', 'radosgw', "the same cluster: Ceph's S3 gateway"],
  ['ceph-common', 'ceph', 'the same cluster: its command-line tools'],
  ['uuid-runtime', 'uuidgen', 'the same cluster: ids for its daemons'],
  ['curl', 'curl', 'the same cluster: radosgw pulls it in'],
];

/** What the benchmarks add: the peers they time side by side with mreg, and the meter they time them with. */
const BENCH_PACKAGES = [
  ['git-lfs', 'git-lfs', 'registering a large file is compared with git lfs add'],
  ['openssl', 'openssl', 'registering a large file is compared with openssl dgst -sha256 + cp + sync'],
  ['time', '/usr/bin/time', 'GNU time measures the wall time and peak memory of each run'],
];

const bench = process.argv.includes('--bench');
const wanted = bench ? [...PACKAGES, ...BENCH_PACKAGES] : PACKAGES;
const run = bench ? 'npm run bench' : 'npm test';
const who = bench ? 'The benchmarks' : 'The tests';

function hasDpkg() {
  return spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;
}

function installed(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function onPath(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

function explain(missing) {
  return missing.map(([name, , why]) => `  ${name}: ${why}`).join('\n');
}

const dpkg = hasDpkg();
const missing = wanted.filter(([name, program]) => (dpkg ? !installed(name) : !onPath(program)));
if (missing.length === 0) process.exit(0);

const names = missing.map(([name]) => name).join(' ');
const command = `apt-get install -y --no-install-recommends ${names}`;
if (!dpkg) {
  process.stderr.write(`${who} need programs this machine lacks:\n${explain(missing)}\nOn Debian or Ubuntu: sudo ${command}\nElsewhere, install the same programs with your package manager.\n`);
  process.exit(1);
}
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !onPath('apt-get')) {
  process.stderr.write(`${who} need system packages that are not installed:\n${explain(missing)}\nInstall them, then run ${run} again:\n  sudo ${command}\n`);
  process.exit(1);
}
process.stdout.write(`Installing the system packages ${who.toLowerCase()} need (${names}):\n${explain(missing)}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const install = () => execFileSync('apt-get', command.split(' ').slice(1), { stdio: 'inherit', env });
try {
  try {
    install();
  } catch {
    // A fresh machine may not have read the package lists yet.
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    install();
  }
} catch {
  process.stderr.write(`Installing the packages failed (see apt-get's messages above). Install them, then run ${run} again:\n  ${command}\n`);
  process.exit(1);
}
