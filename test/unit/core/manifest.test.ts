import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { fingerprintOf, manifestBytes, parseManifest, type GitLineage, type Manifest } from '../../../src/core/manifest';
import { RegistryError } from '../../../src/core/registryError';
import { MANIFEST_SCHEMA_FILE, manifestSchemaText } from '../../support/writeSchemas';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** A fresh manifest with every element filled in, to be changed one element at a time. */
function sampleManifest(): Manifest {
  return {
    schemaVersion: 1,
    artifacts: [
      { path: 'model.onnx', size: 1024, sha256: hashOf('weights'), mediaType: 'application/onnx' },
      { path: 'tokenizer/vocab.json', size: 17, sha256: hashOf('vocab'), mediaType: 'application/json' },
    ],
    lineage: {
      // git lineage may carry more than the type names (remote, dirty state)
      git: { commit: 'a'.repeat(40), branch: 'main', remote: 'https://example.com/team/fraud.git', dirty: false } as GitLineage,
      data: [{ uri: 'data/train.csv', kind: 'file', sha256: hashOf('rows'), size: 42 }],
      params: { lr: 0.001, epochs: 10, optimizer: 'adam', shuffle: true, seed: null },
      environment: { python: '3.12.1', packages: { torch: '2.3.0' } },
    },
    metrics: { auc: { value: 0.93, direction: 'max' }, latency_ms: { value: 11 } },
    source: { inputs: ['models/model.onnx', 'models/tokenizer'] },
  };
}

/** Asserts that parseManifest refuses `value` as CORRUPT, naming `where` and the JSON path at fault. */
function assertRefused(value: unknown, faultPath: string): void {
  assert.throws(
    () => parseManifest(value, 'of fraud/3'),
    (error: unknown) => {
      assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
      assert.equal(error.code, 'CORRUPT');
      assert.match(error.message, /^The manifest of fraud\/3 is not valid/);
      assert.ok(error.message.includes(`(${faultPath}: `), `'${error.message}' should name ${faultPath}`);
      return true;
    },
  );
}

describe('parseManifest', () => {
  it('refuses artifacts whose paths collide, with CORRUPT', () => {
    const manifest = sampleManifest();
    manifest.artifacts = [manifest.artifacts[0], { ...manifest.artifacts[0] }];
    assert.throws(() => parseManifest(manifest, 'of fraud/3'), (error: Error & { code?: string }) => error.code === 'CORRUPT' && /appears twice/.test(error.message));
  });

  it('accepts a valid manifest and returns it', () => {
    const manifest = sampleManifest();
    assert.equal(parseManifest(manifest, 'of fraud/3'), manifest);
  });

  it('accepts a manifest read back from its JSON bytes', () => {
    assert.deepEqual(parseManifest(JSON.parse(manifestBytes(sampleManifest()).toString('utf8')), 'in a blob'), sampleManifest());
  });

  it('accepts the optional parts left out: no git, no data, no branch, no direction, no signature', () => {
    const manifest = sampleManifest();
    manifest.lineage.git = null;
    manifest.lineage.data = [];
    manifest.metrics = { auc: { value: 0.9 } };
    assert.doesNotThrow(() => parseManifest(manifest, 'x'));
    manifest.lineage.git = { commit: 'b'.repeat(40) };
    assert.doesNotThrow(() => parseManifest(manifest, 'x'));
  });

  it('refuses an artifact sha256 that is not 64 lowercase hex digits', () => {
    for (const sha256 of ['abc', hashOf('x').toUpperCase(), `${hashOf('x')}0`]) {
      const manifest = sampleManifest();
      manifest.artifacts[1].sha256 = sha256;
      assertRefused(manifest, '/artifacts/1/sha256');
    }
  });

  it('refuses a negative or fractional size', () => {
    for (const size of [-1, 1.5]) {
      const manifest = sampleManifest();
      manifest.artifacts[0].size = size;
      assertRefused(manifest, '/artifacts/0/size');
    }
  });

  it('refuses a version without artifacts', () => {
    const manifest = sampleManifest();
    manifest.artifacts = [];
    assertRefused(manifest, '/artifacts');
  });

  it('refuses an empty artifact path', () => {
    const manifest = sampleManifest();
    manifest.artifacts[0].path = '';
    assertRefused(manifest, '/artifacts/0/path');
  });

  it('refuses a key the format does not define, at the top and inside artifacts', () => {
    assertRefused({ ...sampleManifest(), extra: true }, '/extra');
    const manifest = sampleManifest();
    Object.assign(manifest.artifacts[0], { url: 'https://example.com/x' });
    assertRefused(manifest, '/artifacts/0/url');
  });

  it('refuses another schema version', () => {
    assertRefused({ ...sampleManifest(), schemaVersion: 2 }, '/schemaVersion');
  });

  it('refuses a missing lineage part, a bad data kind, a metric without a number and an unknown direction', () => {
    const noParams = sampleManifest();
    delete (noParams.lineage as Partial<Manifest['lineage']>).params;
    assertRefused(noParams, '/lineage/params');

    const badKind = sampleManifest();
    (badKind.lineage.data[0] as { kind: string }).kind = 'table';
    assertRefused(badKind, '/lineage/data/0/kind');

    const textMetric = sampleManifest();
    (textMetric.metrics.auc as { value: unknown }).value = '0.93';
    assertRefused(textMetric, '/metrics/auc/value');

    const badDirection = sampleManifest();
    (badDirection.metrics.auc as { direction: string }).direction = 'up';
    assertRefused(badDirection, '/metrics/auc/direction');
  });

  it("refuses what is not an object, naming the root '/'", () => {
    for (const value of [null, 'manifest', [], 42]) assertRefused(value, '/');
  });
});

describe('fingerprintOf', () => {
  it('is the sha256 of the canonical manifest bytes, the address of its blob', () => {
    const manifest = sampleManifest();
    assert.match(fingerprintOf(manifest), /^[0-9a-f]{64}$/);
    assert.equal(fingerprintOf(manifest), createHash('sha256').update(manifestBytes(manifest)).digest('hex'));
  });

  it('does not depend on the order keys were written in', () => {
    const manifest = sampleManifest();
    const reordered = JSON.parse(JSON.stringify(manifest), (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    ) as Manifest;
    assert.deepEqual(Object.keys(reordered), Object.keys(manifest).reverse());
    assert.equal(fingerprintOf(reordered), fingerprintOf(manifest));
  });

  it('changes when any element of the version changes', () => {
    const changes: Record<string, (manifest: Manifest) => void> = {
      'an artifact hash': (m) => (m.artifacts[0].sha256 = hashOf('other weights')),
      'an artifact path': (m) => (m.artifacts[1].path = 'tokenizer/merges.txt'),
      'a metric value': (m) => (m.metrics.auc.value = 0.94),
      'a metric direction': (m) => (m.metrics.auc.direction = 'min'),
      'a param': (m) => (m.lineage.params.lr = 0.002),
      'a param type': (m) => (m.lineage.params.epochs = '10'),
      'a data hash': (m) => (m.lineage.data[0].sha256 = hashOf('other rows')),
      'a data uri': (m) => (m.lineage.data[0].uri = 'data/train-v2.csv'),
      'the git commit': (m) => (m.lineage.git = { ...m.lineage.git!, commit: 'b'.repeat(40) }),
      'no git at all': (m) => (m.lineage.git = null),
      'the environment': (m) => (m.lineage.environment.python = '3.12.2'),
      'a signature': (m) => (m.signature = { inputs: [{ name: 'x', shape: [1, 3] }] }),
    };
    const original = fingerprintOf(sampleManifest());
    const seen = new Set([original]);
    for (const [what, change] of Object.entries(changes)) {
      const manifest = sampleManifest();
      change(manifest);
      const fingerprint = fingerprintOf(manifest);
      assert.notEqual(fingerprint, original, what);
      seen.add(fingerprint);
    }
    assert.equal(seen.size, Object.keys(changes).length + 1, 'every change gives its own fingerprint');
  });
});

/**
 * TypeBox validates by the kind symbols it keeps beside the JSON Schema keywords, and those drop out
 * of the published file, so Value.Check refuses a schema read back from JSON ("Unknown type"). This
 * puts the kinds back from the standard keywords alone; a keyword it does not know fails the test
 * rather than being skipped, so no constraint of the file can go unchecked.
 */
function withTypeBoxKinds(node: Record<string, unknown>): TSchema {
  const understood = ['$id', '$schema', 'title', 'description', 'type', 'const', 'anyOf', 'properties', 'required', 'additionalProperties', 'patternProperties', 'items', 'minItems', 'minLength', 'minimum', 'pattern'];
  const unknown = Object.keys(node).filter((key) => !understood.includes(key));
  if (unknown.length > 0) throw new Error(`withTypeBoxKinds does not know the JSON Schema keywords ${unknown.join(', ')}; teach it`);
  const kinds: Record<string, string> = { array: 'Array', string: 'String', integer: 'Integer', number: 'Number', boolean: 'Boolean', null: 'Null' };
  const kind =
    'const' in node ? 'Literal'
    : 'anyOf' in node ? 'Union'
    : node.type === 'object' ? ('patternProperties' in node ? 'Record' : 'Object')
    : node.type === undefined ? 'Unknown'
    : kinds[node.type as string];
  if (!kind) throw new Error(`withTypeBoxKinds does not know the type ${String(node.type)}`);
  const children = (record: unknown) => Object.fromEntries(Object.entries(record as Record<string, Record<string, unknown>>).map(([key, child]) => [key, withTypeBoxKinds(child)]));
  const schema: Record<string | symbol, unknown> = { ...node, [Kind]: kind };
  if (node.properties) schema.properties = children(node.properties);
  if (node.patternProperties) schema.patternProperties = children(node.patternProperties);
  if (node.items) schema.items = withTypeBoxKinds(node.items as Record<string, unknown>);
  if (node.anyOf) schema.anyOf = (node.anyOf as Record<string, unknown>[]).map(withTypeBoxKinds);
  if (typeof node.additionalProperties === 'object') schema.additionalProperties = withTypeBoxKinds(node.additionalProperties as Record<string, unknown>);
  return schema as unknown as TSchema;
}

describe('schemas/manifest.schema.json', () => {
  it("is what the code defines now (run 'npm run schemas' after changing the manifest)", () => {
    assert.equal(readFileSync(MANIFEST_SCHEMA_FILE, 'utf8'), manifestSchemaText());
  });

  it('is a draft-07 JSON Schema with its published $id', () => {
    const published = JSON.parse(readFileSync(MANIFEST_SCHEMA_FILE, 'utf8'));
    assert.equal(published.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(published.$id, 'https://model-registry.dev/schemas/manifest.schema.json');
  });

  it('accepts a real manifest and refuses broken ones', () => {
    const published = withTypeBoxKinds(JSON.parse(readFileSync(MANIFEST_SCHEMA_FILE, 'utf8')));
    assert.ok(Value.Check(published, sampleManifest()));
    assert.ok(Value.Check(published, JSON.parse(manifestBytes(sampleManifest()).toString('utf8'))));

    const badHash = sampleManifest();
    badHash.artifacts[0].sha256 = 'abc';
    const negative = sampleManifest();
    negative.artifacts[0].size = -1;
    const noArtifacts = { ...sampleManifest(), artifacts: [] };
    const extra = { ...sampleManifest(), extra: true };
    const optionalKey = sampleManifest();
    (optionalKey.lineage.data[0] as { sha256: unknown }).sha256 = 42;
    for (const [what, value] of Object.entries({ badHash, negative, noArtifacts, extra, optionalKey })) {
      assert.equal(Value.Check(published, value), false, what);
    }
  });
});
