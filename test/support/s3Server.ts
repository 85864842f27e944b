import type { Server } from 'node:http';
import S3rver from 's3rver';

/** s3rver's own credentials: the tests hand them to the AWS SDK's standard chain through the environment. */
export const S3_CREDENTIALS_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  body: unknown;
  type: string;
  get(header: string): string;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverInternals {
  middleware: Middleware[];
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
  httpServer: Server;
}

/** A request as the server saw it (multipart uploads show as `uploads`/`uploadId`/`partNumber` queries). */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** Every request answered so far, in order. */
  requests: SeenRequest[];
  /** A store URI for `bucket` with this server's endpoint. */
  uri(prefix: string): string;
  close(): Promise<void>;
  /** Goes away at once, cutting the connections it is serving (the service down mid-request). */
  kill(): Promise<void>;
}

/**
 * s3rver on 127.0.0.1 with one bucket. s3rver itself ignores `If-None-Match` and overwrites; with
 * `conditionalWrites` the server refuses a `PUT … If-None-Match: *` of an existing key with 412,
 * as AWS S3, MinIO and R2 do. Those PUTs are handled one at a time, so the check and the write are
 * atomic to each other — the behaviour the sync protocol relies on, on a server the tests control.
 */
export async function startS3Server(directory: string, options: { conditionalWrites: boolean; port?: number }): Promise<TestS3Server> {
  const bucket = 'registry';
  const server = new S3rver({ address: '127.0.0.1', port: options.port ?? 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  if (options.conditionalWrites) {
    const internals = server as unknown as S3rverInternals;
    let queue: Promise<void> = Promise.resolve();
    internals.middleware.unshift(async (ctx, next) => {
      if (ctx.method !== 'PUT' || ctx.get('if-none-match') !== '*') return next();
      const guarded = queue.then(async () => {
        const [, name, ...key] = ctx.path.split('/');
        if (await internals.store.existsObject(name, decodeURIComponent(key.join('/')))) {
          ctx.status = 412;
          ctx.type = 'application/xml';
          ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
          return;
        }
        await next();
      });
      queue = guarded.catch(() => undefined);
      return guarded;
    });
  }
  const requests: SeenRequest[] = [];
  (server as unknown as S3rverInternals).middleware.unshift(async (ctx, next) => {
    try {
      await next();
    } finally {
      requests.push({ method: ctx.method, path: ctx.path, query: { ...ctx.query }, status: ctx.status });
    }
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    requests,
    uri: (prefix) => `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&forcePathStyle=true&region=us-east-1`,
    close: () => server.close(),
    kill: async () => {
      const closed = server.close();
      (server as unknown as S3rverInternals).httpServer.closeAllConnections();
      await closed;
    },
  };
}
