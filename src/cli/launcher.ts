import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runWithCodeCache } from './codeCache';

// The `mreg` command. mreg lives for a fraction of a second. V8 would otherwise recompile all of
// sql.js with its optimizing tier on background threads, which on a 2-core machine starves file
// I/O for ~100 ms; the baseline tier alone is faster for a short process (measured: an unchanged
// re-register went from ~100 ms to ~25 ms, opening 100k versions from 134 ms to 77 ms). Only the
// CLI does this: a library or the extension host must not change V8 settings for everyone else.
// Set before the CLI is compiled: V8 accepts a code cache only under the flags it was made with.
setFlagsFromString('--liftoff-only');
runWithCodeCache(path.join(__dirname, 'cli-main.js'));
