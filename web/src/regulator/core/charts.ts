/**
 * ECharts with only what the dashboard draws (lines over days, a choropleth map), loaded with the dashboard's chunk
 * so no other page carries it. SVG renderer: crisp on phones, and the map's region names are real text in the page.
 */
import * as echarts from 'echarts/core';
import { LineChart, MapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([LineChart, MapChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

function instance(el: HTMLElement) {
  return echarts.getInstanceByDom(el) ?? echarts.init(el, undefined, { renderer: 'svg' });
}

/** Keeps a chart sized to its box; returns the disposer. */
function track(el: HTMLElement, chart: echarts.ECharts): () => void {
  const ro = new ResizeObserver(() => chart.resize());
  ro.observe(el);
  return () => { ro.disconnect(); chart.dispose(); };
}

export interface LineSeries { name: string; values: number[] }

/** Lines over the days of the window, one per series. */
export function drawLines(el: HTMLElement, dates: string[], series: LineSeries[]): () => void {
  const chart = instance(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: dates.map((d) => d.slice(5)), boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.values, showSymbol: dates.length <= 31, smooth: false })),
  }, true);
  return track(el, chart);
}

export interface MapFeatureCollection { type: 'FeatureCollection'; features: Array<{ properties: { code: string; name: string; fullName: string } }> }

/**
 * A map of a division's children coloured by `values` (by division code). The national map is registered as
 * 'china', which makes ECharts add the South China Sea islands (南海诸岛) inset.
 */
export function drawMap(el: HTMLElement, opts: {
  mapName: string; geo: MapFeatureCollection; values: Map<string, number>; seriesName: string; noData: string;
  onSelect?: (code: string) => void;
}): () => void {
  echarts.registerMap(opts.mapName, opts.geo as never);
  const codeByName = new Map(opts.geo.features.map((f) => [f.properties.name, f.properties.code]));
  const fullName = new Map(opts.geo.features.map((f) => [f.properties.name, f.properties.fullName]));
  const max = Math.max(1, ...opts.values.values());
  const chart = instance(el);
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string; value?: number }) => `${fullName.get(p.name) ?? p.name}<br/>${opts.seriesName}: ${Number.isFinite(p.value) ? p.value : opts.noData}`,
    },
    // A horizontal scale under the map: it never covers the map on a phone.
    visualMap: { min: 0, max, orient: 'horizontal', left: 'center', bottom: 0, calculable: true, itemWidth: 12, itemHeight: 140, inRange: { color: ['#e3f2ec', '#7cc4a4', '#0b6e4f'] } },
    series: [{
      type: 'map', map: opts.mapName, name: opts.seriesName, roam: true, selectedMode: false, top: 8, bottom: 56,
      // Dark text with a white halo stays readable on the darkest fill.
      label: { show: true, fontSize: 10, color: '#1c2430', textBorderColor: '#fff', textBorderWidth: 2 },
      itemStyle: { areaColor: '#f4f6f9', borderColor: '#8a96a8' },
      emphasis: { label: { show: true }, itemStyle: { areaColor: '#fde68a' } },
      data: opts.geo.features.map((f) => ({ name: f.properties.name, value: opts.values.get(f.properties.code) ?? 0 })),
    }],
  }, true);
  chart.off('click');
  if (opts.onSelect) chart.on('click', (p) => { const code = codeByName.get((p as { name: string }).name); if (code) opts.onSelect!(code); });
  return track(el, chart);
}
