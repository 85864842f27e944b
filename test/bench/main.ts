import { benchFileRegistration } from './fileRegistrationBench';
import { benchRegistryScale } from './registryScaleBench';

/**
 * `npm run bench`: prints tables, asserts nothing. BENCH_SIZES_GIB (default "1,4") and
 * BENCH_VERSIONS (default 100000) make a quick run possible.
 */
async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES_GIB ?? '1,4').split(',').map(Number).filter((size) => size > 0);
  const versions = Number(process.env.BENCH_VERSIONS ?? 100_000);
  console.log('# Large files: register vs cp and openssl');
  await benchFileRegistration(sizes);
  console.log('\n# A large registry');
  await benchRegistryScale(versions);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
