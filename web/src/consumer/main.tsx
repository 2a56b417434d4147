import { createRoot } from 'react-dom/client';

/** The consumer scan page (filled by the consumer work). */
const data = document.getElementById('scan-data')?.textContent;
createRoot(document.getElementById('root')!).render(<pre>{data ?? ''}</pre>);
