import { assertKey } from '../../core/names';
import { ownValue, setOwn, userKeyedRecord } from '../../core/userKeyedRecord';

/**
 * Tags as one line of text for an input box, `team=risk; owner=ml`, and back. The separator is
 * `; ` since a single-line box has no rows; a value may hold `=` (only the first one splits) but
 * not `;`. The change from the old tags is what updateVersion takes: new or changed values, and
 * null for each tag left out.
 */
export function tagListText(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join('; ');
}

/** The tags a line names, or the first problem with it (a person reads it under the box). */
export function parseTagListText(text: string): { tags: Record<string, string> } | { problem: string } {
  const tags = userKeyedRecord<string>();
  for (const part of text.split(';')) {
    const entry = part.trim();
    if (entry === '') continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) return { problem: `'${entry}' is not key=value (separate tags with ';').` };
    const key = entry.slice(0, equals).trim();
    try {
      assertKey('tag', key);
    } catch (error) {
      return { problem: (error as Error).message };
    }
    if (Object.hasOwn(tags, key)) return { problem: `'${key}' is given twice.` };
    setOwn(tags, key, entry.slice(equals + 1).trim());
  }
  return { tags };
}

/** What changes from `before` to `after`: set values, and null for removed keys; empty when nothing does. */
export function tagChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): Record<string, string | null> {
  const changes = userKeyedRecord<string | null>();
  for (const [key, value] of Object.entries(after)) if (ownValue(before, key) !== value) setOwn(changes, key, value);
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) setOwn(changes, key, null);
  return changes;
}
