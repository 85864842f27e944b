import { benchExtension } from './extensionBench';
import { benchFileRegistration } from './fileRegistrationBench';
import { benchRegistryScale } from './registryScaleBench';
import { benchWebview } from './webviewBench';

/**
 * `npm run bench`: prints tables, asserts nothing. BENCH_SIZES_GIB (default "1,4"),
 * BENCH_VERSIONS (default 100000) and BENCH_MODELS (default 1000, for the extension) make a quick
 * run possible; BENCH_ONLY=files,scale,extension,webview picks sections.
 */
async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES_GIB ?? '1,4').split(',').map(Number).filter((size) => size > 0);
  const versions = Number(process.env.BENCH_VERSIONS ?? 100_000);
  const only = new Set((process.env.BENCH_ONLY ?? 'files,scale,extension,webview').split(','));
  if (only.has('files')) {
    console.log('# Large files: register vs cp and openssl');
    await benchFileRegistration(sizes);
  }
  if (only.has('scale')) {
    console.log('\n# A large registry');
    await benchRegistryScale(versions);
  }
  if (only.has('extension')) {
    console.log('\n# The extension in VS Code on a large registry');
    await benchExtension(Number(process.env.BENCH_MODELS ?? 1000));
  }
  if (only.has('webview')) {
    console.log('\n# The comparison page on a large comparison');
    await benchWebview();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
