/** The regulator dashboard's domain core: which divisions a figure covers, the day window, and zero-filled series. */
import { childCodeOf, childLevel } from '../geo/geo-fns.ts';

export const DASHBOARD_WINDOWS = [7, 30, 90] as const;
export const METRICS = ['operators', 'batches', 'events', 'scans', 'warnings'] as const;
export type Metric = (typeof METRICS)[number];

/** The area a dashboard covers: a division ('000000' national), its code prefix, and how its map is divided. */
export interface Scope { division: string; prefix: string; level: 'province' | 'city' | 'county'; childDigits: 2 | 4 | 6 }

/** The scope of a division: the prefix every covered division code starts with, and the level of its children. */
export function scopeOf(division: string): Scope {
  const level = childLevel(division);
  const prefix = division === '000000' ? '' : division.endsWith('0000') ? division.slice(0, 2) : division.endsWith('00') ? division.slice(0, 4) : division;
  return { division, prefix, level, childDigits: level === 'province' ? 2 : level === 'city' ? 4 : 6 };
}

/** Pads a grouped code prefix back to the 6-digit code of the child division (35 → 350000, 3502 → 350200). */
export function childCode(prefix: string, level: Scope['level']): string {
  return childCodeOf(prefix.padEnd(6, '0'), level);
}

/** The window of `days` whole days in China time (UTC+8) ending today: its first day, and its start as an instant. */
export function dayWindow(now: Date, days: number): { from: string; to: string; since: Date; dates: string[] } {
  const today = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const dates: string[] = [];
  for (let i = days - 1; i >= 0; i--) dates.push(new Date(Date.parse(`${today}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10));
  return { from: dates[0], to: today, since: new Date(`${dates[0]}T00:00:00+08:00`), dates };
}

export type DayCounts = Array<{ day: string; metric: Metric; n: number }>;

/** One entry per day of the window, every metric present (0 where nothing happened). */
export function fillSeries(dates: string[], counts: DayCounts): Array<{ date: string } & Record<Metric, number>> {
  const byDay = new Map(dates.map((d) => [d, { date: d, operators: 0, batches: 0, events: 0, scans: 0, warnings: 0 }]));
  for (const c of counts) {
    const row = byDay.get(c.day);
    if (row) row[c.metric] += c.n;
  }
  return [...byDay.values()];
}
