import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../persistence/atomicFile';
import type { RegistryFolder } from '../registryFolder';
import { RegistryError } from '../../core/registryError';
import { FolderStore } from './folderStore';
import type { S3Location } from './s3Store';
import type { CredentialField, SharedStore, StoreCredentials } from './sharedStore';

const S3_OPTIONS = new Set(['endpoint', 'region', 'forcePathStyle', 'profile']);

/**
 * The shared store of a registry is named by a URI kept in the registry folder's `config.json`
 * (which may be committed, so a team shares it): a folder path, `file:///path`, or
 * `s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true&profile=…`. Credentials never go in
 * the URI: it is stored and printed.
 */
export function parseStoreUri(uri: string, cwd = process.cwd()): StoreLocation {
  if (uri.startsWith('s3://')) {
    const location = parseS3Uri(uri);
    return {
      uri,
      credentialFields: S3_CREDENTIAL_FIELDS,
      // The AWS SDK is loaded only by registries that use S3: every other mreg run starts faster.
      open: async (options = {}) => new (await import('./s3Store')).S3Store(location, { credentials: s3Credentials(options.credentials), partSize: options.partSize }),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new RegistryError('INVALID_INPUT', `'${uri}' is not a store this version knows: use a folder path, file:///path or s3://bucket/prefix.`);
  }
  const folder = uri.startsWith('file://') ? fileURLToPath(uri) : path.resolve(cwd, uri);
  return { uri: folder, credentialFields: [], open: () => Promise.resolve(new FolderStore(folder)) };
}

export interface StoreOpenOptions {
  credentials?: StoreCredentials;
  /** Files larger than this go up in parts of this size, where the backend uploads in parts (S3). */
  partSize?: number;
}

/** A store named by its URI: how to open it, and which credentials it may take besides its backend's default chain. */
export interface StoreLocation {
  uri: string;
  /** Empty: the backend takes no credentials (a folder). */
  credentialFields: readonly CredentialField[];
  open(options?: StoreOpenOptions): Promise<SharedStore>;
}

const S3_CREDENTIAL_FIELDS: readonly CredentialField[] = [
  { key: 'accessKeyId', prompt: 'Access key id' },
  { key: 'secretAccessKey', prompt: 'Secret access key' },
  { key: 'sessionToken', prompt: 'Session token, for temporary credentials (leave empty for none)', optional: true },
];

function s3Credentials(credentials: StoreCredentials | undefined) {
  if (!credentials?.accessKeyId || !credentials.secretAccessKey) return undefined;
  return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken || undefined };
}

function parseS3Uri(uri: string): S3Location {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new RegistryError('INVALID_INPUT', `'${uri}' is not a valid s3:// URI; write it as s3://bucket/prefix?endpoint=https://host&region=…`);
  }
  if (url.username || url.password) {
    throw new RegistryError('INVALID_INPUT', 'Credentials do not belong in the store URI (it is saved and printed). Use an AWS profile (?profile=…) or the AWS_* environment variables.');
  }
  for (const key of url.searchParams.keys()) {
    if (!S3_OPTIONS.has(key)) throw new RegistryError('INVALID_INPUT', `Unknown option '${key}' in the store URI; known: ${[...S3_OPTIONS].join(', ')}.`);
  }
  if (!url.hostname) throw new RegistryError('INVALID_INPUT', `'${uri}' names no bucket; write s3://bucket/prefix.`);
  const forcePathStyle = url.searchParams.get('forcePathStyle');
  return {
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    endpoint: url.searchParams.get('endpoint') ?? undefined,
    region: url.searchParams.get('region') ?? undefined,
    forcePathStyle: forcePathStyle === null ? undefined : forcePathStyle === 'true',
    profile: url.searchParams.get('profile') ?? undefined,
  };
}

function configFile(folder: RegistryFolder): string {
  return path.join(folder.root, 'config.json');
}

function readConfig(folder: RegistryFolder): Record<string, unknown> {
  const file = configFile(folder);
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new RegistryError('CORRUPT', `${file} is not a JSON object; fix it or delete it and run 'mreg store set URI' again.`);
}

export function readStoreUri(folder: RegistryFolder): string | undefined {
  const store = readConfig(folder).store;
  return typeof store === 'string' && store ? store : undefined;
}

/** Records the store in config.json, keeping whatever else the file holds. */
export function writeStoreUri(folder: RegistryFolder, uri: string): void {
  // A new folder store is created here, once; later a missing folder means an unmounted share.
  if (!uri.includes('://') && !existsSync(uri) && existsSync(path.dirname(uri))) mkdirSync(uri);
  folder.initialize();
  const config = { ...readConfig(folder), store: uri };
  writeFileAtomic(configFile(folder), `${JSON.stringify(config, null, 2)}\n`);
}
