import assert from 'node:assert/strict';
import { localeTime, relativeTime, timeText } from '../../../src/core/timeText';

describe('timeText', () => {
  const now = new Date('2026-12-02T04:00:00.000Z');
  const options = { now, locale: 'en-GB', timeZone: 'UTC' };

  it('says how long ago, then the date and time in the locale', () => {
    assert.equal(timeText('2026-12-02T03:59:40.000Z', options), 'now · 2 Dec 2026, 03:59');
    assert.equal(timeText('2026-12-02T03:55:00.000Z', options), '5 minutes ago · 2 Dec 2026, 03:55');
    assert.equal(timeText('2026-12-02T01:52:00.000Z', options), '2 hours ago · 2 Dec 2026, 01:52');
    assert.equal(timeText('2026-11-29T04:00:00.000Z', options), '3 days ago · 29 Nov 2026, 04:00');
    assert.equal(timeText('2024-01-01T00:00:00.000Z', options), '3 years ago · 1 Jan 2024, 00:00');
  });

  it('follows the locale and time zone it is given', () => {
    assert.equal(relativeTime('2026-12-02T03:55:00.000Z', { now, locale: 'de' }), 'vor 5 Minuten');
    assert.equal(localeTime('2026-12-02T01:52:00.000Z', { locale: 'en-US', timeZone: 'America/New_York' }), 'Dec 1, 2026, 8:52 PM');
  });

  it('says a time ahead of this clock is ahead, and shows a string that is no time as it is', () => {
    assert.equal(relativeTime('2026-12-02T06:00:00.000Z', options), 'in 2 hours');
    for (const text of ['nonsense', '', '<b>x</b>']) assert.equal(timeText(text, options), text);
  });
});
