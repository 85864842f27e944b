import { loadCliProgress } from '../core/lazyModules';

/** Byte progress on stderr, shown only to a person at a terminal, never into pipes or CI logs. */
export function progressBar(label: string): { update(done: number, total: number, item: string): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new (loadCliProgress().SingleBar)(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {doneMiB}/{totalMiB} MiB | {item}`,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    undefined,
  );
  let started = false;
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  return {
    update(done, total, item) {
      const payload = { doneMiB: mib(done), totalMiB: mib(total), item };
      if (!started) {
        bar.start(Math.max(total, 1), done, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(total, 1));
        bar.update(done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
