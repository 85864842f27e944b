import assert from 'node:assert/strict';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { git, gitRepository } from '../../support/gitRepository';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

/** Registers one version in a fresh registry of `project` and returns who the log says did it. */
async function actorOfRegistration(project: string, willWrite: boolean): Promise<string> {
  const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), projectRoot: project, willWrite });
  try {
    await registry.register({ model: 'fraud', paths: [path.join(project, 'model.onnx')], git: null });
    const actors = new Set(registry.log({ model: 'fraud' }).map((event) => event.actor));
    assert.equal(actors.size, 1, `one actor: ${[...actors].join(', ')}`);
    return [...actors][0];
  } finally {
    await registry.close();
  }
}

describe('Who a change is recorded as', () => {
  const saved = process.env.MREG_ACTOR;
  beforeEach(() => delete process.env.MREG_ACTOR);
  after(() => {
    if (saved === undefined) delete process.env.MREG_ACTOR;
    else process.env.MREG_ACTOR = saved;
  });

  for (const willWrite of [false, true]) {
    it(`is git's user.email for the project${willWrite ? ', asked while the registry loads' : ''}`, async () => {
      const project = gitRepository(tempFolder('actor-git'), { 'model.onnx': 'weights' });
      git(project, 'config', 'user.email', 'grace@example.com');
      assert.equal(await actorOfRegistration(project, willWrite), 'grace@example.com');
    });
  }

  it('is $MREG_ACTOR when set, whatever git says', async () => {
    const project = gitRepository(tempFolder('actor-env'), { 'model.onnx': 'weights' });
    process.env.MREG_ACTOR = 'ci-bot@example.com';
    assert.equal(await actorOfRegistration(project, true), 'ci-bot@example.com');
  });
});
