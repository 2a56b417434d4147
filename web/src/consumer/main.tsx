/** @jsxRuntime automatic */
/** @jsxImportSource preact */
import { hydrate, render } from 'preact';
import type { ScanData } from './scan-data.ts';
import { ScanPage } from './ScanPage.tsx';
import './scan.css';

/** The consumer page: hydrates the server's first view from the scan result the server embedded (no second request). */
const root = document.getElementById('root')!;
const raw = document.getElementById('scan-data')?.textContent;
if (raw) {
  const data = JSON.parse(raw) as ScanData;
  // The server renders the first view when it can; otherwise (a minimal skeleton) the page renders it here.
  (root.querySelector('.skeleton') ? render : hydrate)(<ScanPage data={data} />, root);
}
