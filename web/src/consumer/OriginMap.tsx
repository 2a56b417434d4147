/** @jsxRuntime automatic */
/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';

type Ring = number[][];
interface Geo { features: Array<{ geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: Ring[] | Ring[][] } }> }

const W = 320;

/**
 * A small offline map of the origin: the county's outline (GeoJSON from the platform's own /api/v1/geo, drawn from
 * npm map packages, no tiles) with the site's coarse position. Fetched after the first view so it never delays it;
 * the server's first render and the browser's hydration both start without it. Nothing is shown if it can't load.
 */
export function OriginMap({ divisionCode, point, label }: { divisionCode: string; point: { lat: number; lng: number } | null; label: string }) {
  const [geo, setGeo] = useState<Geo | null>(null);
  useEffect(() => {
    let live = true;
    fetch(`/api/v1/geo/${encodeURIComponent(divisionCode)}`, { headers: { accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : null)).then((g) => { if (live && g?.features?.length) setGeo(g); }).catch(() => {});
    return () => { live = false; };
  }, [divisionCode]);
  if (!geo) return null;

  const rings: Ring[] = geo.features.flatMap((f) => (f.geometry.type === 'Polygon' ? (f.geometry.coordinates as Ring[]) : (f.geometry.coordinates as Ring[][]).flat()));
  let minX = Infinity; let maxX = -Infinity; let minY = Infinity; let maxY = -Infinity;
  for (const r of rings) for (const [x, y] of r) { minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y); }
  if (!Number.isFinite(minX)) return null;
  // Equirectangular, shrunk east–west by cos(latitude) so the shape is not stretched.
  const k = Math.cos(((minY + maxY) / 2) * Math.PI / 180);
  const scale = (W - 16) / Math.max((maxX - minX) * k, 1e-6);
  const H = Math.min(260, Math.max(120, (maxY - minY) * scale + 16));
  const sy = Math.min(scale, (H - 16) / Math.max(maxY - minY, 1e-6));
  const px = (x: number) => 8 + (x - minX) * k * sy;
  const py = (y: number) => 8 + (maxY - y) * sy;
  const d = rings.map((r) => `M${r.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('L')}Z`).join('');
  const inside = point && point.lng >= minX && point.lng <= maxX && point.lat >= minY && point.lat <= maxY;
  return (
    <figure class="origin-map">
      <svg viewBox={`0 0 ${W} ${H.toFixed(0)}`} role="img" aria-label={label}>
        <path d={d} fill="#e3f2ec" stroke="#0b6e4f" stroke-width="1.2" fill-rule="evenodd" />
        {inside ? <circle cx={px(point!.lng)} cy={py(point!.lat)} r="6" fill="#b42318" stroke="#fff" stroke-width="2" /> : null}
      </svg>
      <figcaption class="meta">{label}</figcaption>
    </figure>
  );
}
