import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { RegistryEvent } from '../../../../src/core/events';
import type { Webhook } from '../../../../src/core/governance/policy';
import { isPolicyTrusted, policyCommandApproval, POLICY_TRUST_FILE_NAME, trustPolicy } from '../../../../src/registry/governance/policyTrust';
import { deliverWebhooks } from '../../../../src/registry/webhooks';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

const tempFolder = useTempFolders();

const POLICY = 'webhooks:\n  - command: ["notify-team"]\n';

function registryFolder(policy = POLICY): string {
  return path.join(writeFiles(tempFolder('trust'), { '.modelregistry/policy.yaml': policy }), '.modelregistry');
}

const event = { type: 'version.registered', seq: 1, id: 'e1', time: '2026-01-01T00:00:00Z', actor: 'a', model: 'fraud', version: 1, payload: {} } as unknown as RegistryEvent;

describe('policy trust', () => {
  it('refuses commands of a policy nobody approved here, saying exactly what to run', () => {
    const folder = registryFolder();
    assert.equal(isPolicyTrusted(folder), false);
    const approval = policyCommandApproval(folder);
    assert.equal(approval.allowed, false);
    assert.match(approval.allowed ? '' : approval.reason, new RegExp(`were not run: this clone has not approved this version of the file \\(sha256 [0-9a-f]{12}…\\)\\. Review its commands, then run: mreg policy trust --registry ${folder.replace(/[\\/.]/g, '\\$&')}$`));
  });

  it('allows them once approved, until the file changes', () => {
    const folder = registryFolder();
    const trust = trustPolicy(folder);
    assert.equal(trust.policyFile, path.join(folder, 'policy.yaml'));
    assert.deepEqual(policyCommandApproval(folder), { allowed: true });
    writeFileSync(path.join(folder, 'policy.yaml'), `${POLICY}  - command: ["curl", "evil.example"]\n`);
    assert.equal(isPolicyTrusted(folder), false);
    trustPolicy(folder);
    assert.equal(isPolicyTrusted(folder), true);
  });

  it('does not take an approval that came with the files (a committed trust record, a copied folder)', () => {
    const folder = registryFolder();
    trustPolicy(folder);
    const clone = path.join(tempFolder('clone'), '.modelregistry');
    cpSync(folder, clone, { recursive: true });
    assert.equal(readFileSync(path.join(clone, POLICY_TRUST_FILE_NAME), 'utf8'), readFileSync(path.join(folder, POLICY_TRUST_FILE_NAME), 'utf8'));
    assert.equal(isPolicyTrusted(clone), false);
  });

  it('never allows them in Restricted Mode', () => {
    const folder = registryFolder();
    trustPolicy(folder);
    const approval = policyCommandApproval(folder, { restrictedMode: true });
    assert.deepEqual(approval, { allowed: false, reason: `webhook commands from ${path.join(folder, 'policy.yaml')} are not run in Restricted Mode; trust the workspace to allow them` });
  });

  it('refuses to approve a folder with no policy file', () => {
    assert.throws(() => trustPolicy(tempFolder('empty')), /There is no .*policy\.yaml to approve/);
  });
});

describe('deliverWebhooks with an approval', () => {
  it('runs command hooks only when approved, warns once when not, and still POSTs to HTTP hooks', async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString())).on('end', () => {
        received.push(JSON.parse(body).event);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const marker = path.join(tempFolder('hooks'), 'ran');
      const hooks: Webhook[] = [
        { command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`] },
        { command: [process.execPath, '-e', 'process.exit(0)'] },
        { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` },
      ];
      const warnings: string[] = [];
      await deliverWebhooks(hooks, [event], (message) => warnings.push(message), { allowed: false, reason: 'not approved: run mreg policy trust' });
      assert.equal(existsSync(marker), false);
      assert.deepEqual(warnings, ['not approved: run mreg policy trust']);
      assert.deepEqual(received, ['version.registered']);
      await deliverWebhooks(hooks, [event], (message) => warnings.push(message), { allowed: true });
      assert.equal(existsSync(marker), true);
      assert.deepEqual(warnings.length, 1);
    } finally {
      server.close();
    }
  });
});
