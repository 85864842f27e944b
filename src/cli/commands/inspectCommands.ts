import type { Command } from 'commander';
import { FINDINGS_HEADING, findingLines, inspectionLines } from '../../core/inspectionReport';
import { inspectArtifact } from '../../formats/inspectArtifact';

/**
 * `mreg inspect <file>...`: what registration would record about each weight file, without a
 * registry. Exit 1 when a file is corrupt (the error names it) or has a high-severity finding,
 * so CI can refuse a checkpoint before anyone loads it.
 */
export function addInspectCommands(program: Command): void {
  program
    .command('inspect')
    .description('read the format, parameters, signature and security findings of weight files, never executing them')
    .argument('<file...>', 'weight files')
    .action(async (files: string[], _options, command: Command) => {
      const { json } = command.optsWithGlobals<{ json?: boolean }>();
      const results = [];
      for (const file of files) results.push({ file, ...(await inspectArtifact(file)) });
      if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else {
        const lines = results.flatMap(({ file, ...inspection }) => inspectionLines(file, inspection));
        const findings = results.flatMap(({ file, ...inspection }) => findingLines(file, inspection));
        if (findings.length > 0) lines.push('', FINDINGS_HEADING, ...findings.map((line) => `  ${line}`));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (results.some((result) => result.findings.some((finding) => finding.severity === 'high'))) {
        process.stderr.write('mreg: high-severity security findings; do not load these files unless you trust their source\n');
        process.exitCode = 1;
      }
    });
}
