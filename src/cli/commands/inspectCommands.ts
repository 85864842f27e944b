import type { Command } from 'commander';
import { FINDINGS_HEADING, findingLines, inspectionLines } from '../../core/inspectionReport';
import { isRegistryError } from '../../core/registryError';
import { inspectArtifact } from '../../formats/inspectArtifact';
import type { Inspection } from '../../formats/inspection';

type FileResult = ({ file: string } & Inspection) | { file: string; error: string };

/**
 * `mreg inspect <file>...`: what registration would record about each weight file, without a
 * registry. Exit 1 when a file is corrupt or unreadable (the error names it) or has a
 * high-severity finding, so CI can refuse a checkpoint before anyone loads it. One bad file does
 * not hide the others: every file that could be read is printed, and each one that could not has
 * its error (an `error` entry with `--json`, a line on stderr otherwise).
 */
export function addInspectCommands(program: Command): void {
  program
    .command('inspect')
    .description('read the format, parameters, signature and security findings of weight files, never executing them')
    .argument('<file...>', 'weight files')
    .action(async (files: string[], _options, command: Command) => {
      const { json } = command.optsWithGlobals<{ json?: boolean }>();
      const results: FileResult[] = [];
      for (const file of files) {
        try {
          results.push({ file, ...(await inspectArtifact(file)) });
        } catch (error) {
          // Typed errors name the file and what is wrong; anything else is a bug and stops the command.
          if (!isRegistryError(error)) throw error;
          results.push({ file, error: error.message });
        }
      }
      const inspected = results.flatMap((result) => ('findings' in result ? [result] : []));
      const failed = results.flatMap((result) => ('findings' in result ? [] : [result]));
      if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else if (inspected.length > 0) {
        const lines = inspected.flatMap(({ file, ...inspection }) => inspectionLines(file, inspection));
        const findings = inspected.flatMap(({ file, ...inspection }) => findingLines(file, inspection));
        if (findings.length > 0) lines.push('', FINDINGS_HEADING, ...findings.map((line) => `  ${line}`));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      for (const { error } of failed) process.stderr.write(`mreg: ${error}\n`);
      if (inspected.some((result) => result.findings.some((finding) => finding.severity === 'high'))) {
        process.stderr.write('mreg: high-severity security findings; do not load these files unless you trust their source\n');
        process.exitCode = 1;
      }
      if (failed.length > 0) process.exitCode = 1;
    });
}
