import type { Manifest, MetricDirection } from '../manifest';
import type { ModelVersionDetails } from '../modelVersion';
import { RegistryError } from '../registryError';
import type { ModelSignature } from '../signature';
import { compareSignatures } from '../signatureComparison';
import type { Stage } from '../stage';
import type { ApprovalRequest } from './approvals';
import { THRESHOLD_PATTERN, type GateRule } from './policy';
import { ownValue } from '../userKeyedRecord';
import { weightFormatOf, WEIGHT_FORMATS } from '../weightFormats';

const PICKLE_MEDIA_TYPE = WEIGHT_FORMATS.find((format) => format.name === 'pickle')!.mediaType;

export type GateKind = 'threshold' | 'noRegression' | 'signatureCompatible' | 'cleanGitTree' | 'dataLineage' | 'environment' | 'noPickleFindings' | 'approvals';

/** One checked rule: what it asks, whether the version meets it, and the numbers that decided. */
export interface GateResult {
  kind: GateKind;
  /** The rule as a person reads it: "accuracy >= 0.9". */
  rule: string;
  passed: boolean;
  /** The numbers or facts behind the verdict: "accuracy 0.93 (needs >= 0.9)". */
  detail: string;
  /** Whether the policy lets `--override --reason` bypass it. */
  overridable: boolean;
}

/** Everything the gates said about moving one version into one stage; stored with the promotion. */
export interface GateEvaluation {
  model: string;
  version: number;
  stage: Stage;
  /** The Production version compared against, if any. */
  production: number | null;
  passed: boolean;
  /** True when every failing rule allows an override (and something failed). */
  overridable: boolean;
  results: GateResult[];
  /** Approval requests whose approvals were counted. */
  approvalRequests: string[];
}

export interface GateInput {
  candidate: ModelVersionDetails;
  stage: Stage;
  production: ModelVersionDetails | undefined;
  /** Requests for this version and stage that are not rejected. */
  requests: ApprovalRequest[];
}

/** Thrown by a promotion the gates refuse; carries the evaluation so every front end can show it. */
export class GateFailedError extends RegistryError {
  constructor(
    readonly evaluation: GateEvaluation,
    overrideRefused = false,
  ) {
    const failed = evaluation.results.filter((result) => !result.passed);
    super(
      'GATE_FAILED',
      `${evaluation.model}/${evaluation.version} may not move to ${evaluation.stage}: ${failed.length} of ${evaluation.results.length} policy rule(s) failed (${failed.map((result) => result.rule).join('; ')}). Nothing was changed.${
        overrideRefused ? ' The policy does not allow overriding these rules.' : evaluation.overridable ? ' The policy allows an override: --override --reason "<why>".' : ''
      }`,
    );
  }
}

/** One check a rule asks for: its kind, its text as a person reads it, and how it decides. */
export interface GateCheck {
  kind: GateKind;
  rule: string;
  decide: (input: GateInput) => Verdict;
}

/** The checks of one rule, in the order they are reported (the texts an evaluation records). */
export function ruleChecks(rule: GateRule): GateCheck[] {
  const checks: GateCheck[] = [];
  const add = (kind: GateKind, text: string, decide: (input: GateInput) => Verdict) => checks.push({ kind, rule: text, decide });
  for (const threshold of rule.thresholds ?? []) add('threshold', threshold.trim(), (input) => checkThreshold(threshold, input.candidate.manifest));
  for (const check of rule.noRegression ?? []) add('noRegression', `no regression in ${check.metric}${check.tolerance ? ` (tolerance ${check.tolerance})` : ''} vs Production`, (input) => checkRegression(check, input));
  if (rule.signatureCompatible) add('signatureCompatible', 'signature compatible with Production', checkSignature);
  const lineage = rule.lineage ?? {};
  if (lineage.cleanGitTree) add('cleanGitTree', 'registered from a clean git tree', (input) => checkCleanTree(input.candidate.manifest));
  if (lineage.dataLineage) {
    add('dataLineage', 'data lineage recorded', (input) => {
      const data = input.candidate.manifest.lineage.data;
      return [data.length > 0, data.length > 0 ? `${data.length} data entr${data.length === 1 ? 'y' : 'ies'}: ${data.map((d) => d.uri).join(', ')}` : 'no training data recorded (register with --data)'];
    });
  }
  if (lineage.environment) {
    add('environment', 'environment captured', (input) => {
      const keys = Object.keys(input.candidate.manifest.lineage.environment);
      return [keys.length > 0, keys.length > 0 ? `recorded: ${keys.join(', ')}` : 'no environment recorded with the version'];
    });
  }
  if (lineage.noPickleFindings) add('noPickleFindings', 'no pickle security findings', (input) => checkPickleFindings(input.candidate.manifest));
  if (rule.approvals !== undefined && rule.approvals > 0) {
    const needed = rule.approvals;
    add('approvals', `${needed} approval(s) by others than the registrant`, (input) => checkApprovals(needed, input));
  }
  return checks;
}

/** Applies the policy's rules for the candidate's model and the target stage. Pure: reads nothing itself. */
export function evaluateGates(input: GateInput, rules: readonly GateRule[]): GateEvaluation {
  const results: GateResult[] = [];
  for (const rule of rules) {
    const overridable = rule.allowOverride === true;
    for (const check of ruleChecks(rule)) {
      const [passed, detail] = check.decide(input);
      results.push({ kind: check.kind, rule: check.rule, passed, detail, overridable });
    }
  }
  const failed = results.filter((result) => !result.passed);
  return {
    model: input.candidate.model,
    version: input.candidate.number,
    stage: input.stage,
    production: input.production?.number ?? null,
    passed: failed.length === 0,
    overridable: failed.length > 0 && failed.every((result) => result.overridable),
    results,
    approvalRequests: input.requests.map((request) => request.id),
  };
}

export type Verdict = [passed: boolean, detail: string];

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
};

function checkThreshold(threshold: string, manifest: Manifest): Verdict {
  const [, metric, op, text] = new RegExp(THRESHOLD_PATTERN).exec(threshold) ?? [];
  const limit = Number(text);
  const value = ownValue(manifest.metrics, metric)?.value;
  if (value === undefined) return [false, `the version records no metric '${metric}' (needs ${op} ${limit})`];
  return [COMPARE[op](value, limit), `${metric} ${value} (needs ${op} ${limit})`];
}

function checkRegression(check: { metric: string; tolerance?: number; direction?: MetricDirection }, input: GateInput): Verdict {
  const { metric } = check;
  const tolerance = check.tolerance ?? 0;
  const candidate = ownValue(input.candidate.manifest.metrics, metric);
  if (!candidate) return [false, `the version records no metric '${metric}'`];
  if (!input.production) return [true, `${metric} ${candidate.value}; no version in Production to compare with`];
  const baseline = ownValue(input.production.manifest.metrics, metric);
  const prodRef = `${input.production.model}/${input.production.number}`;
  if (!baseline) return [true, `${metric} ${candidate.value}; Production (${prodRef}) records no ${metric} to compare with`];
  const direction = candidate.direction ?? baseline.direction ?? check.direction;
  if (!direction) return [false, `whether higher or lower ${metric} is better is unknown: register with --metric-direction ${metric}=max|min or set direction in the policy`];
  const change = candidate.value - baseline.value;
  const worseBy = direction === 'max' ? -change : change;
  const passed = worseBy <= tolerance + Number.EPSILON * Math.max(1, Math.abs(baseline.value));
  const better = direction === 'max' ? 'higher' : 'lower';
  return [passed, `${metric} ${candidate.value} vs ${baseline.value} in Production (${prodRef}), ${better} is better, change ${formatNumber(change)}, tolerance ${tolerance}`];
}

function checkSignature(input: GateInput): Verdict {
  if (!input.production) return [true, 'no version in Production to compare with'];
  const before = asSignature(input.production.manifest.signature);
  const after = asSignature(input.candidate.manifest.signature);
  const prodRef = `${input.production.model}/${input.production.number}`;
  if (!before) return [false, `Production (${prodRef}) records no signature, so compatibility cannot be checked`];
  const comparison = compareSignatures(before, after);
  const breaking = comparison.changes.filter((change) => change.kind === 'breaking');
  if (breaking.length > 0) return [false, `breaking vs ${prodRef}: ${breaking.map((change) => change.message).join('; ')}`];
  return [true, comparison.changes.length === 0 ? `same signature as ${prodRef}` : `compatible with ${prodRef}: ${comparison.changes.map((change) => change.message).join('; ')}`];
}

function checkCleanTree(manifest: Manifest): Verdict {
  const git = manifest.lineage.git as (Manifest['lineage']['git'] & { dirty?: unknown; modified?: unknown; untracked?: unknown }) | null;
  if (!git) return [false, 'no git lineage recorded (registered outside a git repository)'];
  if (typeof git.dirty !== 'boolean') return [false, `the registration recorded commit ${git.commit.slice(0, 12)} but not whether the working tree was clean`];
  if (git.dirty) {
    const changed = [...(Array.isArray(git.modified) ? git.modified : []), ...(Array.isArray(git.untracked) ? git.untracked : [])].slice(0, 5);
    return [false, `the working tree had uncommitted changes at ${git.commit.slice(0, 12)}${changed.length ? `: ${changed.join(', ')}` : ''}`];
  }
  return [true, `clean at ${git.commit.slice(0, 12)}`];
}


function checkPickleFindings(manifest: Manifest): Verdict {
  const problems: string[] = [];
  let scanned = 0;
  for (const artifact of manifest.artifacts) {
    const inspection = (artifact as { inspection?: { error?: string; findings?: { severity?: string; message?: string }[] } }).inspection;
    // Which formats can hold pickles: core/weightFormats.ts (.keras, .npz, .npy and .zip among them).
    // By the artifact's name, which keeps its extension: octet-stream (a .model, anything unknown) says nothing.
    const pickleCapable = weightFormatOf(artifact.path)?.pickleCapable === true || artifact.mediaType === PICKLE_MEDIA_TYPE;
    if (inspection?.error && pickleCapable) {
      // An inspection that failed part-way scanned nothing: its empty findings prove nothing.
      problems.push(`${artifact.path} may hold a pickle but could not be scanned (${inspection.error})`);
    } else if (inspection && Array.isArray(inspection.findings)) {
      scanned += 1;
      for (const finding of inspection.findings) problems.push(`${artifact.path}: ${finding.severity ?? '?'} ${finding.message ?? ''}`.trim());
    } else if (pickleCapable) {
      problems.push(`${artifact.path} may hold a pickle but was not scanned`);
    }
  }
  if (problems.length > 0) return [false, problems.join('; ')];
  return [true, `${scanned} scanned artifact(s), no findings; ${manifest.artifacts.length - scanned} other(s) hold no pickles`];
}

function checkApprovals(needed: number, input: GateInput): Verdict {
  const registrant = input.candidate.createdBy;
  const approvers = new Set<string>();
  for (const request of input.requests) for (const approval of request.approvals) if (approval.actor !== registrant) approvers.add(approval.actor);
  const count = approvers.size;
  const requests = input.requests.map((request) => request.id);
  const where = requests.length === 0 ? `no open request: mreg request ${input.candidate.model}/${input.candidate.number} ${input.stage}` : `request ${requests.join(', ')}`;
  return [count >= needed, `${count} of ${needed} (${count > 0 ? [...approvers].join(', ') : 'none yet'}; ${where})`];
}

function asSignature(value: unknown): ModelSignature | undefined {
  const candidate = value as ModelSignature | undefined;
  return candidate && Array.isArray(candidate.inputs) && Array.isArray(candidate.outputs) ? candidate : undefined;
}

function formatNumber(value: number): string {
  return `${value >= 0 ? '+' : ''}${Number(value.toPrecision(6))}`;
}
