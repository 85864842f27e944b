import { benchCliStartup } from './cliStartupBench';
import { benchExtension } from './extensionBench';
import { benchFileRegistration } from './fileRegistrationBench';
import { benchHostileInspection } from './hostileInspectionBench';
import { benchInspection } from './inspectionBench';
import { benchLineageCapture } from './lineageCaptureBench';
import { benchOverview } from './overviewBench';
import { benchRegistryScale } from './registryScaleBench';
import { benchStoreGc } from './storeGcBench';
import { benchSync } from './syncBench';
import { benchSearch } from './searchBench';
import { benchTransfer } from './transferBench';
import { benchWebview } from './webviewBench';

/**
 * `npm run bench`: prints tables, asserts nothing. BENCH_SIZES_GIB (default "1,4"),
 * BENCH_VERSIONS (default 100000) and BENCH_MODELS (default 1000, for the extension) make a quick
 * run possible; BENCH_ONLY=files,cli,scale,sync,transfer,storegc,search,extension,lineage,inspect,hostile,webview,overview picks sections;
 * BENCH_TRANSFER_MIB (default 1024) sizes the file the transfer section uploads; BENCH_STOREGC_VERSIONS
 * (default "300,3000") sizes the shared-store gc section;
 * BENCH_DIFF_MIB (default 256) sizes the changed binary of the lineage section, BENCH_INSPECT_GIB
 * (default 3) the sparse weight files `mreg inspect` reads.
 */
async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES_GIB ?? '1,4').split(',').map(Number).filter((size) => size > 0);
  const versions = Number(process.env.BENCH_VERSIONS ?? 100_000);
  const only = new Set((process.env.BENCH_ONLY ?? 'files,cli,scale,sync,transfer,storegc,search,extension,lineage,inspect,hostile,webview,overview').split(','));
  if (only.has('files')) {
    console.log('# Large files: register vs cp and openssl');
    await benchFileRegistration(sizes);
  }
  if (only.has('cli')) {
    console.log('\n# CLI start-up');
    benchCliStartup();
  }
  if (only.has('scale')) {
    console.log('\n# A large registry');
    await benchRegistryScale(versions);
  }
  if (only.has('sync')) {
    console.log('\n# Sync cost against registry size');
    await benchSync(versions);
  }
  if (only.has('transfer')) {
    console.log('\n# Large uploads to the shared store');
    await benchTransfer(Number(process.env.BENCH_TRANSFER_MIB ?? 1024));
  }
  if (only.has('storegc')) {
    console.log('\n# Garbage collection of a shared store');
    await benchStoreGc((process.env.BENCH_STOREGC_VERSIONS ?? '300,3000').split(',').map(Number).filter((size) => size > 0));
  }
  if (only.has('search')) {
    console.log('\n# Search on a large registry');
    await benchSearch(versions);
  }
  if (only.has('lineage')) {
    console.log('\n# Lineage capture');
    benchLineageCapture(2000, Number(process.env.BENCH_DIFF_MIB ?? 256));
  }
  if (only.has('inspect')) {
    console.log('\n# Inspecting multi-GB weight files');
    await benchInspection(Number(process.env.BENCH_INSPECT_GIB ?? 3));
  }
  if (only.has('hostile')) {
    console.log('\n# Inspecting hostile weight files');
    await benchHostileInspection();
  }
  if (only.has('extension')) {
    console.log('\n# The extension in VS Code on a large registry');
    await benchExtension(Number(process.env.BENCH_MODELS ?? 1000));
  }
  if (only.has('webview')) {
    console.log('\n# The comparison page on a large comparison');
    await benchWebview();
  }
  if (only.has('overview')) {
    console.log('\n# The overview and lineage pages on a large registry');
    await benchOverview(Math.max(1, Math.round(versions / 100)));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
