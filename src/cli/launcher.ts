import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { CLI_V8_FLAGS } from './cliV8Flags';
import { runWithCodeCache } from './codeCache';

// The `mreg` command. Only the CLI changes V8's settings (see cliV8Flags.ts): a library or the
// extension host must not change them for everyone else. They are set before the CLI is compiled:
// V8 accepts a code cache only under the flags it was made with.
setFlagsFromString(CLI_V8_FLAGS.join(' '));
runWithCodeCache(path.join(__dirname, 'cli-main.js'));
