import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PolicySchema } from '../../src/core/governance/policy';
import { ManifestSchema } from '../../src/core/manifest';

/** Where the published JSON Schema of the manifest lives, checked in beside the code. */
export const MANIFEST_SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schemas', 'manifest.schema.json');

/**
 * The text of schemas/manifest.schema.json as the code defines it now. TypeBox schemas are plain
 * JSON Schema; the symbol keys TypeBox adds for itself (its kinds) drop out of JSON.stringify.
 */
export function manifestSchemaText(): string {
  return `${JSON.stringify(ManifestSchema, null, 2)}\n`;
}

/** Where the published JSON Schema of `.modelregistry/policy.yaml` lives. */
export const POLICY_SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schemas', 'policy.schema.json');

export function policySchemaText(): string {
  return `${JSON.stringify(PolicySchema, null, 2)}\n`;
}

/** `npm run schemas`: regenerates the published schema after the manifest definition changed. */
function writeSchemas(): void {
  writeFileSync(MANIFEST_SCHEMA_FILE, manifestSchemaText());
  writeFileSync(POLICY_SCHEMA_FILE, policySchemaText());
  console.log(`Wrote ${path.relative(process.cwd(), MANIFEST_SCHEMA_FILE)} and ${path.relative(process.cwd(), POLICY_SCHEMA_FILE)}`);
}

if (require.main === module) writeSchemas();
