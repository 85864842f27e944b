/**
 * What a person must know before a stage change that leaves aliases behind: a rollback or an
 * archive moves the stage, not the aliases, so `model@champion` keeps naming the version that
 * left Production. Empty when the version has no alias.
 */
export function aliasesLeftBehind(model: string, ref: string, aliases: readonly string[]): string {
  if (aliases.length === 0) return '';
  const names = aliases.map((alias) => `${model}@${alias}`).join(', ');
  return aliases.length === 1
    ? `${names} still points at ${ref} afterwards; move it with Set Alias… if serving code follows it.`
    : `${names} still point at ${ref} afterwards; move them with Set Alias… if serving code follows them.`;
}
