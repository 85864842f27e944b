import { Command } from 'commander';
import { createCliContext, EXIT, type GlobalOptions } from './cliContext';
import { addArtifactCommands } from './commands/artifactCommands';
import { addAuditCommands } from './commands/auditCommands';
import { addBrowseCommands } from './commands/browseCommands';
import { addDiffCommands } from './commands/diffCommands';
import { addGovernanceCommands } from './commands/governanceCommands';
import { addHistoryCommands } from './commands/historyCommands';
import { addInitCommand } from './commands/initCommand';
import { addInspectCommands } from './commands/inspectCommands';
import { addLineageCommand } from './commands/lineageCommand';
import { addLifecycleCommands } from './commands/lifecycleCommands';
import { addPolicyCommands } from './commands/policyCommands';
import { addRegisterCommand } from './commands/registerCommand';
import { addRepairCommands } from './commands/repairCommands';
import { addRetentionCommands } from './commands/retentionCommands';
import { addSearchCommands } from './commands/searchCommands';
import { addServeCommand } from './commands/serveCommand';
import { addSyncCommands } from './commands/syncCommands';
import { addVersionEditCommands } from './commands/versionEditCommands';
import { failureOf, failureText } from './failureReport';

/** Set by the bundler from package.json. */
declare const MODEL_REGISTRY_VERSION: string;

const cancellation = new AbortController();

/** Assembles `mreg`: each command group lives in commands/, sharing one CliContext. */
export function buildProgram(): Command {
  const program = new Command('mreg')
    .description('Model Registry: immutable, verifiable model versions with their full recipe, stages and aliases.')
    .version(MODEL_REGISTRY_VERSION)
    .option('--registry <dir>', 'registry folder (default: .modelregistry at the git root, else here; or $MREG_REGISTRY)')
    .option('--json', 'print one JSON document on stdout and nothing else there')
    .exitOverride()
    .showHelpAfterError('(run mreg --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`mreg: ${text.replace(/^error: /, '')}`) });

  const context = createCliContext(cancellation.signal);
  addInitCommand(program, context);
  addRegisterCommand(program, context);
  addBrowseCommands(program, context);
  addLifecycleCommands(program, context);
  addVersionEditCommands(program, context);
  addArtifactCommands(program, context);
  addAuditCommands(program, context);
  addRepairCommands(program, context);
  addHistoryCommands(program, context);
  addSyncCommands(program, context);
  addSearchCommands(program, context);
  addRetentionCommands(program, context);
  addInspectCommands(program);
  addGovernanceCommands(program, context);
  addPolicyCommands(program, context);
  addDiffCommands(program, context);
  addServeCommand(program, context);
  addLineageCommand(program, context);
  return program;
}

async function main(): Promise<void> {
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    cancellation.abort();
  });
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const failure = failureOf(error);
    process.exitCode = failure?.exitCode ?? EXIT.ok;
    if (!failure) return;
    process.stderr.write(failureText(failure, program.opts<GlobalOptions>().json === true));
    if (failure.code === 'INTERNAL' && process.env.MREG_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }
}

void main();
