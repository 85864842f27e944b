import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { SeenRequest, TestS3Server } from './s3Server';

/**
 * A throw-away single-node Ceph cluster with its S3 gateway, radosgw: a real, distributed S3
 * implementation that honours conditional writes, from Debian's packages. One monitor, one OSD on
 * memstore (no disk), no manager, auth none, every daemon bound to 127.0.0.1, all of it in a folder
 * of the ignored `.s3-test/` cache. Started once per test process on first use and stopped by PID
 * when the process exits (or by `stopRadosgw`).
 *
 * Settings that matter (each found the hard way): msgr2 only with `ms mon client mode = crc`
 * (radosgw loops on error -13 otherwise); a short paxos interval (readiness takes ~14 s and the first
 * CreateBucket 8 s more otherwise); no `rgw dns name` (it breaks path-style requests).
 */

const ACCESS_KEY = 'MREGTESTACCESSKEY';
const SECRET_KEY = 'mreg-test-secret-key-not-a-credential';
const CACHE = path.resolve(__dirname, '..', '..', '.s3-test');
const PACKAGES = 'ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl';

/** The gateway's keys, for the AWS SDK's standard chain through the environment of `mreg` processes. */
export const RADOSGW_CREDENTIALS_ENV = { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_REGION: 'us-east-1' };

export interface Radosgw {
  endpoint: string;
  /** A new, empty bucket: each test gets its own, so tests never see each other's objects. */
  bucket(): Promise<string>;
  /** A store URI for `prefix` in `bucket`. */
  uri(bucket: string, prefix: string): string;
  /** An SDK client for the gateway (for tests that look at or tamper with objects directly). */
  client(): S3Client;
}

interface Cluster {
  directory: string;
  pids: number[];
  gateway: Radosgw;
}

let running: Promise<Cluster> | undefined;
let bucketCount = 0;

/** The process's cluster, started on first use (2–8 s). */
export function radosgw(): Promise<Radosgw> {
  running ??= startCluster();
  return running.then((cluster) => cluster.gateway);
}

/** Stops the cluster by its PIDs and removes its folder. */
export function stopRadosgw(): void {
  void running?.then(stopCluster, () => undefined);
  running = undefined;
}

async function startCluster(): Promise<Cluster> {
  for (const program of ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'monmaptool', 'ceph']) {
    if (!onPath(program)) throw new Error(`${program} is not installed, so the S3 tests cannot start radosgw. Install it: apt-get install -y --no-install-recommends ${PACKAGES}`);
  }
  removeAbandonedClusters();
  const directory = path.join(CACHE, `cluster-${process.pid}-${Date.now()}`);
  for (const sub of ['run', 'log', 'mon', 'osd/ceph-0', 'rgw']) mkdirSync(path.join(directory, sub), { recursive: true });
  writeFileSync(path.join(directory, 'owner'), String(process.pid));
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const fsid = randomUUID();
  const conf = path.join(directory, 'ceph.conf');
  writeFileSync(conf, cephConf(directory, fsid, monPort, rgwPort));
  writeFileSync(path.join(directory, 'keyring'), '');
  const cluster: Cluster = { directory, pids: [], gateway: undefined as unknown as Radosgw };
  process.on('exit', () => stopCluster(cluster));
  const run = (program: string, args: string[]) => execFileSync(program, ['-c', conf, ...args], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
  const daemon = (program: string, args: string[], log: string) => {
    const output = openSync(path.join(directory, 'log', log), 'a');
    const child = spawn(program, ['-c', conf, ...args, '-f'], { cwd: directory, stdio: ['ignore', output, output], detached: true });
    closeSync(output);
    child.unref();
    cluster.pids.push(child.pid!);
    writeFileSync(path.join(directory, 'pids'), cluster.pids.join('\n'));
  };
  try {
    execFileSync('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, path.join(directory, 'monmap')], { stdio: 'pipe' });
    run('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', path.join(directory, 'monmap'), '--keyring', path.join(directory, 'keyring')]);
    daemon('ceph-mon', ['-i', 'a'], 'mon.err');
    const osdUuid = randomUUID();
    run('ceph', ['--connect-timeout', '30', 'osd', 'create', osdUuid]);
    run('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    daemon('ceph-osd', ['-i', '0'], 'osd.err');
    daemon('radosgw', ['-n', 'client.rgw.a'], 'rgw.err');
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitForGateway(endpoint, directory);
    run('radosgw-admin', ['user', 'create', '--uid', 'mreg-test', '--display-name', 'mreg tests', '--access-key', ACCESS_KEY, '--secret', SECRET_KEY]);
    cluster.gateway = gatewayAt(endpoint);
    return cluster;
  } catch (error) {
    stopCluster(cluster);
    throw error;
  }
}

function gatewayAt(endpoint: string): Radosgw {
  const client = () =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  return {
    endpoint,
    client,
    async bucket() {
      const name = `mreg-${process.pid}-${++bucketCount}`;
      const s3 = client();
      try {
        await s3.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        s3.destroy();
      }
      return name;
    },
    uri: (bucket, prefix) => `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&forcePathStyle=true&region=us-east-1`,
  };
}

function cephConf(directory: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr1 = false
ms bind msgr2 = true
ms mon client mode = crc
paxos propose interval = 0.01
paxos min wait = 0.001
osd objectstore = memstore
memstore device bytes = 4294967296
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
osd crush chooseleaf type = 0
run dir = ${directory}/run
log file = ${directory}/log/$name.log
pid file = ${directory}/run/$name.pid
admin socket = ${directory}/run/$name.asok
keyring = ${directory}/keyring
[mon]
mon data = ${directory}/mon/ceph-$id
[osd]
osd data = ${directory}/osd/ceph-$id
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${directory}/rgw
`;
}

/** The gateway answers HTTP once it is up; a daemon that died says so in its log rather than as a timeout. */
async function waitForGateway(endpoint: string, directory: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`radosgw did not answer on ${endpoint} within 2 minutes; see the logs in ${path.join(directory, 'log')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function stopCluster(cluster: Cluster): void {
  for (const pid of cluster.pids) killGroup(pid);
  cluster.pids = [];
  rmSync(cluster.directory, { recursive: true, force: true });
}

/** Daemons run in their own process groups (detached), so SIGKILL of the group reaches any child they started. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Clusters whose test process died without its exit handler (SIGKILL): stopped by the PIDs they recorded. */
function removeAbandonedClusters(): void {
  if (!existsSync(CACHE)) return;
  for (const name of readdirSync(CACHE)) {
    const directory = path.join(CACHE, name);
    const owner = Number(readOrEmpty(path.join(directory, 'owner')));
    if (owner && isAlive(owner)) continue;
    for (const pid of readOrEmpty(path.join(directory, 'pids')).split('\n').map(Number).filter(Boolean)) killGroup(pid);
    rmSync(directory, { recursive: true, force: true });
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, program)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A bucket of the process's radosgw behind a recording proxy on 127.0.0.1: the same face as the
 * s3rver helper (every request seen, in order; `kill` cuts the connections under way, as a service
 * going down mid-request), so a test asserts which parts went up again. `port` restarts a killed
 * one where its clients expect it.
 */
export async function startRadosgwServer(options: { bucket?: string; port?: number } = {}): Promise<TestS3Server> {
  const gateway = await radosgw();
  const bucket = options.bucket ?? (await gateway.bucket());
  const upstream = new URL(gateway.endpoint);
  const requests: SeenRequest[] = [];
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      answer.on('end', () => requests.push({ method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), status: answer.statusCode ?? 0 }));
    });
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    endpoint,
    bucket,
    requests,
    uri: (prefix) => gateway.uri(bucket, prefix).replace(encodeURIComponent(gateway.endpoint), encodeURIComponent(endpoint)),
    close,
    kill: async () => {
      const closed = close();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Runs `work` with a store URI in a fresh bucket of the process's radosgw and the environment `mreg` needs for it. */
export async function withRadosgwStore(work: (uri: string, env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const server = await startRadosgwServer();
  try {
    await work(server.uri('team'), RADOSGW_CREDENTIALS_ENV);
  } finally {
    await server.close();
  }
}
