/**
 * The V8 flags `mreg` runs under (src/cli/launcher.ts sets them; the scale bench measures a process
 * started with them). mreg lives for a fraction of a second. V8 would otherwise recompile all of
 * sql.js with its optimizing tier on background threads, which on a 2-core machine starves file
 * I/O for ~100 ms; the baseline tier alone is faster for a short process (measured: an unchanged
 * re-register went from ~100 ms to ~25 ms, opening 100k versions from 134 ms to 77 ms). Lazy
 * validation checks each WebAssembly function when it is first compiled instead of all of sql.js's
 * at start-up (~3 ms of every start); the module is the sql-wasm.wasm shipped beside the CLI.
 */
export const CLI_V8_FLAGS = ['--liftoff-only', '--wasm-lazy-validation'];
