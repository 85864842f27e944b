import { eventSentence } from '../../core/eventSentences';
import type { AuditEvent } from '../../core/modelVersion';
import { localeTime, relativeTime, type TimeTextOptions } from '../../core/timeText';

/** What a tree row shows of an event: the sentence, when and by whom beside it, all of it on hover and to screen readers. */
export interface EventRow {
  label: string;
  description: string;
  tooltip: string;
  accessibilityLabel: string;
}

export function eventRow(event: AuditEvent, options: TimeTextOptions = {}): EventRow {
  const sentence = eventSentence(event);
  const when = relativeTime(event.time, options) ?? event.time;
  const at = localeTime(event.time, options) ?? event.time;
  const reason = event.reason ? `Reason: ${event.reason}` : '';
  return {
    label: sentence,
    description: [when, event.actor, event.reason ?? ''].filter(Boolean).join(' · '),
    tooltip: [sentence, `${at} (${when}) by ${event.actor}`, reason].filter(Boolean).join('\n'),
    accessibilityLabel: [`${sentence}, ${when}, ${at}, by ${event.actor}`, reason].filter(Boolean).join('. '),
  };
}
