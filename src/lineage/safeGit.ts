import { simpleGit, type SimpleGit } from 'simple-git';

/**
 * Git in an untrusted folder can run programs through hooks, `core.fsmonitor`, an ssh command or a
 * transport helper. Every git call of ours goes through this one factory, which switches them off.
 * simple-git refuses to touch those keys at all unless told the override is intended, hence `unsafe`.
 */
const HARDENED_CONFIG = ['core.fsmonitor=false', 'core.hooksPath=/dev/null', 'core.sshCommand=false', 'protocol.allow=never'];

export function safeGit(baseDir: string): SimpleGit {
  return simpleGit({
    baseDir,
    config: HARDENED_CONFIG,
    unsafe: { allowUnsafeFsMonitor: true, allowUnsafeHooksPath: true, allowUnsafeSshCommand: true, allowUnsafeProtocolOverride: true },
  });
}
