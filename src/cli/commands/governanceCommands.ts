import type { Command } from 'commander';
import { approvalRequestLine, approvalRequestsText } from '../../core/governance/governanceReports';
import { gateEvaluationText } from '../../core/governance/governanceReports';
import { versionLine } from '../../core/textReports';
import { parseStageArgument } from '../keyValueOptions';
import { EXIT, type CliContext } from '../cliContext';

/** `mreg request`, `approve`, `reject` and `requests`: asking for and giving approval to move a version into a stage. */
export function addGovernanceCommands(program: Command, context: CliContext): void {
  program
    .command('request')
    .description('ask reviewers to approve moving a version into a stage')
    .argument('<ref>')
    .argument('<stage>', 'Staging, Production, … (any case)', parseStageArgument)
    .option('--reason <text>', 'why, for the reviewers and the audit log')
    .action(async (ref: string, stage: ReturnType<typeof parseStageArgument>, flags: { reason?: string }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const request = await registry.requestApproval(ref, stage, { reason: flags.reason });
        context.emit(options, request, `${approvalRequestLine(request)}\n  reviewers: mreg approve ${request.id}   or   mreg reject ${request.id} --reason "<why>"`);
      }, { willWrite: true }),
    );

  program
    .command('approve')
    .description('approve a request (not allowed for the version’s registrant); the last approval needed promotes the version, gates evaluated')
    .argument('<id>', 'request id, as mreg requests lists it')
    .option('--reason <text>', 'a note for the audit log')
    .action(async (id: string, flags: { reason?: string }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const { request, promoted, gates } = await registry.approve(id, { reason: flags.reason });
        const ref = `${request.model}/${request.version}`;
        const gateText = gates ? `\n${gateEvaluationText(gates)}` : '';
        const outcome = promoted
          ? `${gateText}\nPromoted ${versionLine(promoted)}`
          : gates
            ? `${gateText}\n${ref} has its approvals but other rules keep it out of ${request.stage}; once they pass: mreg promote ${ref} ${request.stage}`
            : '';
        context.emit(options, { ...request, ...(promoted ? { promoted } : {}), ...(gates ? { gates } : {}) }, `Approved. ${approvalRequestLine(request)}${outcome}`);
        // Approved but held back by other gates: the version is not where the request asked, as for a refused promote.
        if (gates && !promoted) {
          process.stderr.write(`mreg: approval recorded; ${ref} stays out of ${request.stage}: ${gates.results.filter((result) => !result.passed).length} other rule(s) failed\n`);
          process.exitCode = EXIT.gates;
        }
      }, { willWrite: true }),
    );

  program
    .command('reject')
    .description('reject a request, saying why')
    .argument('<id>')
    .requiredOption('--reason <text>', 'why, so the requester knows what to change')
    .action(async (id: string, flags: { reason: string }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const request = await registry.reject(id, { reason: flags.reason });
        context.emit(options, request, `Rejected. ${approvalRequestLine(request)}`);
      }, { willWrite: true }),
    );

  program
    .command('requests')
    .description('approval requests, oldest first')
    .argument('[model]')
    .option('--pending', 'only those still waiting for approvals')
    .action(async (model: string | undefined, flags: { pending?: boolean }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const requests = registry.approvalRequests({ model, pending: flags.pending });
        context.emit(options, requests, approvalRequestsText(requests));
      }),
    );
}
