import type { AuditEvent } from './modelVersion';
import { plural } from './plural';

/**
 * An audit event as a sentence a person reads ("Moved fraud-detector/2 from Staging to
 * Production"), for every place that shows events: tree hovers and their screen-reader labels,
 * the version page and the audit-log page. Payloads come from the op log, which sync brings from
 * other machines, so every field is checked before it is used and unknown events still read well.
 */
export function eventSentence(event: Pick<AuditEvent, 'type' | 'model' | 'version' | 'details'>): string {
  const details = isRecord(event.details) ? event.details : {};
  const subject = eventSubject(event);
  const text = (key: string) => (typeof details[key] === 'string' && details[key] !== '' ? (details[key] as string) : undefined);
  const number = (key: string) => (typeof details[key] === 'number' ? (details[key] as number) : undefined);
  switch (event.type) {
    case 'model.created':
      return `Created model ${subject}`;
    case 'model.updated':
      return `Changed ${editedParts(details)} of model ${subject}`;
    case 'version.registered':
      return `Registered ${subject}${text('semver') ? ` as v${text('semver')}` : ''}`;
    case 'version.stage_changed':
      return stageSentence(subject, details);
    case 'version.alias_set': {
      const previous = number('previous');
      return `Set alias @${text('alias') ?? '?'} on ${subject}${previous === undefined ? '' : ` (moved from #${previous})`}`;
    }
    case 'version.alias_removed':
      return `Removed alias @${text('alias') ?? '?'} from ${subject}`;
    case 'version.updated':
      return `Changed ${editedParts(details)} of ${subject}`;
    case 'version.deleted':
      return `Deleted ${subject}${text('rule') ? ` (retention rule ${text('rule')})` : ''}`;
    case 'approval.requested':
      return `Asked for approval to move ${subject} to ${text('stage') ?? 'a guarded stage'}${requestId(details)}`;
    case 'approval.approved':
      return `Approved ${subject}${requestId(details)}`;
    case 'approval.rejected':
      return `Rejected ${subject}${requestId(details)}`;
    case 'registry.repaired':
      return repairSentence(details);
    default:
      return unknownSentence(event.type, subject, details);
  }
}

/** `fraud-detector/2`, `fraud-detector`, or `the registry` for events about no model. */
export function eventSubject(event: Pick<AuditEvent, 'model' | 'version'>): string {
  if (!event.model) return 'the registry';
  return event.version === null ? event.model : `${event.model}/${event.version}`;
}

function stageSentence(subject: string, details: Record<string, unknown>): string {
  const from = typeof details.from === 'string' ? details.from : undefined;
  const to = typeof details.to === 'string' ? details.to : '?';
  const parts = [`Moved ${subject}${from ? ` from ${from}` : ''} to ${to}`];
  if (typeof details.supersededBy === 'number') parts.push(`superseded by #${details.supersededBy}`);
  if (details.rollback === true) parts.push('a rollback');
  if (isRecord(details.gates)) parts.push(details.gates.overridden === true ? 'failing gates overridden' : details.gates.passed === true ? 'gates passed' : 'gates checked');
  return parts.length === 1 ? parts[0] : `${parts[0]} (${parts.slice(1).join(', ')})`;
}

function editedParts(details: Record<string, unknown>): string {
  const description = details.description !== undefined;
  const tags = details.tags !== undefined;
  return description && tags ? 'the description and tags' : description ? 'the description' : tags ? 'the tags' : 'the details';
}

function requestId(details: Record<string, unknown>): string {
  return typeof details.id === 'string' ? ` (request ${details.id})` : '';
}

function repairSentence(details: Record<string, unknown>): string {
  const count = (key: string) => (Array.isArray(details[key]) ? (details[key] as unknown[]).length : typeof details[key] === 'number' ? (details[key] as number) : 0);
  return `Repaired the registry: ${plural(count('restored'), 'version')} restored, ${plural(count('rechained'), 'change')} re-chained, ${plural(count('lost'), 'item')} lost`;
}

/** An event type this version does not know (from a newer mreg through sync): its name and its facts, flat. */
function unknownSentence(type: string, subject: string, details: Record<string, unknown>): string {
  const facts = Object.entries(details)
    .filter(([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
    .slice(0, 6)
    .map(([key, value]) => `${key} ${String(value)}`);
  return `${type.replace(/[._]/g, ' ')}: ${subject}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
