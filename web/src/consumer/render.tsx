/** @jsxRuntime automatic */
/** @jsxImportSource preact */
import { renderToString } from 'preact-render-to-string';
import type { ScanData } from './scan-data.ts';
import { ScanPage, pageTitle } from './ScanPage.tsx';

/**
 * The first view of the consumer page as HTML, for the server to put into the built scan.html (src/scan/scan-page.ts);
 * the browser hydrates the same component from the same data, so the page is rendered by one piece of code.
 */
export function renderScan(data: ScanData): { html: string; title: string } {
  return { html: renderToString(<ScanPage data={data} />), title: pageTitle(data, data.lang) };
}
