import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { artifactPathSetProblem } from './artifactPaths';
import { canonicalJson } from './canonicalJson';
import { RegistryError } from './registryError';
import { sha256Hex } from './sha256';

/**
 * The manifest is a version's frozen recipe: artifacts, lineage, metrics, signature, source. It is
 * stored as canonical JSON in the blob store, so its blob address is its sha256, which is also the
 * version's fingerprint. This one definition gives the TypeScript type, the run-time validator and
 * the published JSON Schema (schemas/manifest.schema.json).
 */
export const MANIFEST_SCHEMA_VERSION = 1;

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256' });

const SignatureTensorSchema = Type.Object({
  name: Type.String(),
  elementType: Type.String(),
  shape: Type.Array(Type.Union([Type.Integer(), Type.String(), Type.Null()]), { description: 'fixed sizes, symbolic dimension names, null when unknown' }),
});

export const SignatureSchema = Type.Object({ inputs: Type.Array(SignatureTensorSchema), outputs: Type.Array(SignatureTensorSchema) });

/** What the weight-file inspectors (src/formats) read from an artifact; absent for formats they do not know. */
export const InspectionSchema = Type.Object(
  {
    format: Type.String({ minLength: 1, description: "'safetensors', 'onnx', 'gguf', 'keras', 'h5', 'pytorch', 'pickle', 'joblib', 'tfjs', 'savedmodel'" }),
    summary: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), { description: 'key facts: architecture, opsets, producer, layer count …' }),
    parameterCount: Type.Optional(Type.Integer({ minimum: 0 })),
    tensorCount: Type.Optional(Type.Integer({ minimum: 0 })),
    tensors: Type.Optional(Type.Array(Type.Object({ name: Type.String(), dtype: Type.String(), shape: Type.Array(Type.Integer({ minimum: 0 })) }), { description: 'the first tensors (at most 100)' })),
    signature: Type.Optional(SignatureSchema),
    error: Type.Optional(Type.String({ description: 'why a file that claims this format could not be read as it (corrupt, truncated); registration still recorded its size and hash' })),
    findings: Type.Array(
      Type.Object({
        severity: Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]),
        code: Type.String({ description: "e.g. 'pickle.unsafe-import'" }),
        message: Type.String(),
        where: Type.Optional(Type.String()),
      }),
      { description: 'security findings, e.g. pickle imports outside the allowlist; the file was never executed' },
    ),
  },
  { additionalProperties: true },
);

export const ArtifactSchema = Type.Object(
  {
    path: Type.String({ minLength: 1, description: "relative POSIX path inside the version, e.g. 'tokenizer/vocab.json'" }),
    size: Type.Integer({ minimum: 0, description: 'bytes' }),
    sha256: Sha256,
    mediaType: Type.String({ minLength: 1 }),
    inspection: Type.Optional(InspectionSchema),
  },
  { additionalProperties: false },
);

export const GitLineageSchema = Type.Object(
  {
    commit: Type.String({ description: 'commit the working tree was on' }),
    branch: Type.Optional(Type.String()),
    remote: Type.Optional(Type.String({ description: 'URL of the remote the branch tracks (else origin), without credentials' })),
    author: Type.Optional(Type.String({ description: "the commit's author, 'Name <email>'" })),
    date: Type.Optional(Type.String({ description: "the commit's author date, ISO 8601 with the author's offset" })),
    subject: Type.Optional(Type.String({ description: "the first paragraph of the commit's message" })),
    upstream: Type.Optional(Type.String()),
    ahead: Type.Optional(Type.Integer({ minimum: 0, description: 'commits on the branch not on its upstream' })),
    behind: Type.Optional(Type.Integer({ minimum: 0, description: 'commits on the upstream not on the branch' })),
    dirty: Type.Optional(Type.Boolean({ description: 'whether tracked files were changed or untracked files present' })),
    modified: Type.Optional(Type.Array(Type.String(), { description: 'changed tracked files (at most 1000 listed)' })),
    untracked: Type.Optional(Type.Array(Type.String(), { description: 'untracked files and folders (at most 1000 listed)' })),
    modifiedTotal: Type.Optional(Type.Integer({ minimum: 0, description: 'how many changed files there were, when more than were listed' })),
    untrackedTotal: Type.Optional(Type.Integer({ minimum: 0 })),
    diffSha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the bytes of `git diff HEAD --full-index`' })),
  },
  { additionalProperties: true, description: 'code lineage; null when the project is not in a git repository' },
);

export const DataLineageSchema = Type.Object(
  {
    uri: Type.String({ minLength: 1, description: 'a path relative to the project, or a URI such as s3://bucket/key' }),
    kind: Type.Union([Type.Literal('file'), Type.Literal('folder'), Type.Literal('uri')]),
    sha256: Type.Optional(Sha256),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
    files: Type.Optional(Type.Integer({ minimum: 0, description: 'number of files in a folder' })),
    md5: Type.Optional(Type.String({ description: "DVC's md5 (a folder's ends in .dir), taken from the DVC file without hashing again" })),
    etag: Type.Optional(Type.String({ description: 'an ETag given with a URI, or recorded by DVC' })),
    source: Type.Optional(Type.String({ description: 'the DVC file this entry was read from' })),
    stage: Type.Optional(Type.String({ description: 'the DVC stage, for entries of dvc.lock' })),
    role: Type.Optional(Type.Union([Type.Literal('dep'), Type.Literal('out')], { description: "whether DVC lists it as a stage's dependency or output" })),
    hash: Type.Optional(Type.Union([Type.Literal('md5'), Type.Literal('md5-dos2unix')], { description: "how DVC computed md5: 'md5' (DVC 3, raw bytes) or 'md5-dos2unix' (DVC 2.x entries: text files with CRLF read as LF)" })),
    repo: Type.Optional(
      Type.Object(
        {
          url: Type.String({ description: 'the repository the data was imported from (dvc import), without credentials' }),
          path: Type.String({ description: 'the path inside that repository' }),
          rev: Type.Optional(Type.String({ description: 'the revision asked for' })),
          revLock: Type.Optional(Type.String({ description: 'the exact commit DVC locked the import to' })),
        },
        { additionalProperties: false },
      ),
    ),
    local: Type.Optional(
      Type.Union([Type.Literal('verified'), Type.Literal('size-matches'), Type.Literal('not-pulled'), Type.Literal('differs')], {
        description:
          "the bytes on disk against DVC's record: 'verified' (md5 and size match), 'size-matches' (size checked, content not read), 'not-pulled' (absent, as in a fresh clone: taken from the DVC file, not verified locally), 'differs' (see localSize, localMd5 and warning)",
      }),
    ),
    localSize: Type.Optional(Type.Integer({ minimum: 0, description: "the size on disk, when it or the md5 differs from DVC's record" })),
    localMd5: Type.Optional(Type.String({ description: "the md5 of the bytes on disk, computed as DVC would, when it differs from DVC's record" })),
    localFiles: Type.Optional(Type.Integer({ minimum: 0, description: "the number of files on disk in a folder, when it differs from DVC's record" })),
    warning: Type.Optional(Type.String({ description: 'what is wrong between the bytes on disk and what DVC records, for a person' })),
    artifactCheck: Type.Optional(
      Type.Object(
        {
          artifact: Type.String({ description: 'the registered path (relative to the project) that is this DVC out' }),
          result: Type.Union([Type.Literal('match'), Type.Literal('differs')]),
        },
        { additionalProperties: false, description: 'a registered artifact that is this DVC out, compared with what DVC recorded for it' },
      ),
    ),
  },
  { additionalProperties: true },
);

/** The one tracked run a version's params, metrics and run tags came from, and why that run. */
export const RunSourceSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('mlflow'), Type.Literal('wandb')]),
    id: Type.Optional(Type.String({ description: 'the run id (MLflow run_id, W&B run id), when known' })),
    path: Type.String({ description: 'the run folder, relative to the project' }),
    reason: Type.String({ description: "why this run: 'the registered path lies in its artifacts', 'the newest finished run' …" }),
  },
  { additionalProperties: false },
);

export type RunSource = Static<typeof RunSourceSchema>;

export const ParamValueSchema = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const MetricDirectionSchema = Type.Union([Type.Literal('max'), Type.Literal('min')], {
  description: "'max': higher is better; 'min': lower is better",
});

export const MetricSchema = Type.Object(
  { value: Type.Number(), direction: Type.Optional(MetricDirectionSchema) },
  { additionalProperties: false },
);

export const ManifestSchema = Type.Object(
  {
    schemaVersion: Type.Literal(MANIFEST_SCHEMA_VERSION),
    artifacts: Type.Array(ArtifactSchema, { minItems: 1 }),
    lineage: Type.Object(
      {
        git: Type.Union([GitLineageSchema, Type.Null()]),
        data: Type.Array(DataLineageSchema),
        params: Type.Record(Type.String(), ParamValueSchema),
        environment: Type.Record(Type.String(), Type.Unknown()),
      },
      { additionalProperties: false },
    ),
    metrics: Type.Record(Type.String(), MetricSchema),
    signature: Type.Optional(Type.Unknown({ description: 'inputs and outputs, read from the weight file where the format allows' })),
    source: Type.Object(
      {
        inputs: Type.Array(Type.String(), { description: 'the registered paths, relative to the project folder' }),
        params: Type.Optional(Type.String({ description: 'the file or run folder the params were read from' })),
        metrics: Type.Optional(Type.String({ description: 'the file or run folder the metrics were read from' })),
        run: Type.Optional(RunSourceSchema),
      },
      { additionalProperties: true },
    ),
  },
  {
    $id: 'https://model-registry.dev/schemas/manifest.schema.json',
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Model Registry version manifest',
    additionalProperties: false,
  },
);

export type Manifest = Static<typeof ManifestSchema>;
export type Artifact = Static<typeof ArtifactSchema>;
export type ArtifactInspection = Static<typeof InspectionSchema>;
export type DataLineage = Static<typeof DataLineageSchema>;
export type GitLineage = Static<typeof GitLineageSchema>;
export type ParamValue = Static<typeof ParamValueSchema>;
export type Metric = Static<typeof MetricSchema>;
export type MetricDirection = Static<typeof MetricDirectionSchema>;

export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

export function fingerprintOf(manifest: Manifest): string {
  return sha256Hex(manifestBytes(manifest));
}

/** Manifests come from blobs and shared stores, so they are checked before use. */
export function parseManifest(value: unknown, where: string): Manifest {
  if (Value.Check(ManifestSchema, value)) {
    const problem = artifactPathSetProblem(value.artifacts.map((artifact) => artifact.path));
    if (problem) throw new RegistryError('CORRUPT', `The manifest ${where} is not valid (/artifacts: ${problem}).`);
    return value;
  }
  const first = Value.Errors(ManifestSchema, value).First();
  const detail = first ? `${first.path || '/'}: ${first.message}` : 'it does not match the manifest schema';
  throw new RegistryError('CORRUPT', `The manifest ${where} is not valid (${detail}).`);
}
