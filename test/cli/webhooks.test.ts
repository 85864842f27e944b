import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { mregAsync } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface Received {
  path: string;
  signature: string | undefined;
  body: string;
}

/** A local server that records each POST and answers with the status its path names (/500 → 500, /hang never). */
async function startServer(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ path: request.url ?? '', signature: request.headers['x-modelregistry-signature'] as string | undefined, body });
      if (request.url === '/hang') return;
      response.statusCode = request.url === '/500' ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('mreg webhooks', () => {
  let hosted: Awaited<ReturnType<typeof startServer>>;
  before(async () => (hosted = await startServer()));
  after(() => {
    hosted.server.closeAllConnections();
    hosted.server.close();
  });

  it('POSTs signed JSON on registration, stage change and alias, and runs commands with the payload on stdin, never through a shell', async () => {
    const cwd = writeFiles(tempFolder('webhooks'), { 'model.bin': 'weights' });
    const captured = path.join(cwd, 'captured.jsonl');
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').appendFileSync(${JSON.stringify(captured)}, s+'\\n'))`;
    writeFiles(cwd, {
      '.modelregistry/policy.yaml': [
        'webhooks:',
        `  - url: ${hosted.url}/signed`,
        '    secretEnv: TEST_HOOK_SECRET',
        `  - url: ${hosted.url}/stages`,
        '    events: [version.stage_changed]',
        `  - command: ${JSON.stringify([process.execPath, '-e', script])}`,
        '    events: [version.alias_set]',
      ].join('\n'),
    });
    const env = { TEST_HOOK_SECRET: 'not-in-any-file', MREG_ACTOR: 'alice@example.com' };
    assert.equal((await mregAsync(['policy', 'trust'], { cwd, env })).status, 0, 'commands from policy.yaml run once approved');
    for (const args of [['register', 'fraud', 'model.bin'], ['promote', 'fraud/1', 'staging'], ['alias', 'fraud/1', 'champion', '--reason', '$(touch pwned) `touch pwned`']]) {
      const result = await mregAsync(args, { cwd, env });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
    }
    const signed = hosted.received.filter((request) => request.path === '/signed');
    assert.deepEqual(signed.map((request) => JSON.parse(request.body).event), ['version.registered', 'version.stage_changed', 'version.alias_set']);
    for (const request of signed) assert.equal(request.signature, `sha256=${createHmac('sha256', 'not-in-any-file').update(request.body).digest('hex')}`);
    const registered = JSON.parse(signed[0].body);
    assert.deepEqual([registered.model, registered.version, registered.actor, registered.details.manifest], ['fraud', 1, 'alice@example.com', undefined]);
    const stages = hosted.received.filter((request) => request.path === '/stages');
    assert.deepEqual(stages.map((request) => [JSON.parse(request.body).details.to, request.signature]), [['Staging', undefined]]);

    const fromCommand = readFileSync(captured, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(fromCommand.map((payload) => [payload.event, payload.details.alias, payload.reason]), [['version.alias_set', 'champion', '$(touch pwned) `touch pwned`']]);
    assert.equal(existsSync(path.join(cwd, 'pwned')), false);
    assert.equal(readFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'utf8').includes('not-in-any-file'), false);
  });

  it('reports failures on stderr and still succeeds: a 500, a timeout, a failing command, a missing secret', async () => {
    const cwd = writeFiles(tempFolder('webhooks'), { 'model.bin': 'weights' });
    writeFileSync(
      path.join(writeFiles(cwd, { '.modelregistry/.keep': '' }), '.modelregistry', 'policy.yaml'),
      [
        'webhooks:',
        `  - url: ${hosted.url}/500`,
        `  - url: ${hosted.url}/hang`,
        '    timeoutMs: 300',
        `  - command: ${JSON.stringify([process.execPath, '-e', 'process.stderr.write("hook broke"); process.exit(4)'])}`,
        `  - url: ${hosted.url}/signed`,
        '    secretEnv: MISSING_HOOK_SECRET',
      ].join('\n'),
    );
    const before = hosted.received.length;
    assert.equal((await mregAsync(['policy', 'trust'], { cwd })).status, 0);
    const result = await mregAsync(['register', 'fraud', 'model.bin', '--json'], { cwd });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).version, 1);
    assert.match(result.stderr, /mreg: warning: webhook http:\/\/127\.0\.0\.1:\d+\/500 failed for version\.registered of fraud\/1: the server answered 500/);
    assert.match(result.stderr, /webhook http:\/\/127\.0\.0\.1:\d+\/hang failed .*(timeout|aborted)/i);
    assert.match(result.stderr, /failed for version\.registered of fraud\/1: it exited with 4: hook broke/);
    assert.match(result.stderr, /its secret variable MISSING_HOOK_SECRET is not set; nothing was sent/);
    assert.deepEqual(hosted.received.slice(before).map((request) => request.path).sort(), ['/500', '/hang']);
  });

  it('kills a command together with the processes it started, at the timeout and when it exits', async () => {
    const cwd = writeFiles(tempFolder('webhooks'), { 'model.bin': 'weights' });
    const timedOutChild = path.join(cwd, 'timed-out-grandchild.pid');
    const leftChild = path.join(cwd, 'left-behind-grandchild.pid');
    writeFileSync(
      path.join(writeFiles(cwd, { '.modelregistry/.keep': '' }), '.modelregistry', 'policy.yaml'),
      [
        'webhooks:',
        // Waits for its child: the timeout must stop both.
        `  - command: ${JSON.stringify(['sh', '-c', `sleep 20 & echo $! > ${timedOutChild}; wait`])}`,
        '    timeoutMs: 1000',
        // Exits at once, leaving a child that holds its stderr open.
        `  - command: ${JSON.stringify(['sh', '-c', `sleep 20 & echo $! > ${leftChild}`])}`,
      ].join('\n'),
    );
    assert.equal((await mregAsync(['policy', 'trust'], { cwd })).status, 0);
    const result = await mregAsync(['register', 'fraud', 'model.bin', '--json'], { cwd });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /webhook sh failed for version\.registered of fraud\/1: it was stopped after the timeout of 1000 ms, with every process it started/);
    assert.equal(result.stderr.match(/webhook/g)?.length, 1, result.stderr);
    for (const file of [timedOutChild, leftChild]) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      assert.ok(pid > 0);
      assert.equal(isRunning(pid), false, `the hook's sleep 20 (pid ${pid}) is still running`);
    }
  });
});

/** True while the process exists and is not a zombie waiting to be reaped (which has stopped running). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
