/**
 * Worker for the benchmark's bulk load (bench/run.ts --capture): turns a chunk of generated events into the COPY
 * text of the rows the capture path would store (indexed identifiers, CBV 2.0 hash ID as eventID), off the main
 * thread so that hashing overlaps the COPY.
 */
import { parentPort } from 'node:worker_threads';
import { eventHashId } from '../src/events/epcis-hash.ts';
import { indexEvent } from '../src/events/events-fns.ts';
import { eventCopyRow, identifierCopyRows } from '../src/events/events-dal.ts';
import type { ChainEvent } from './chain.ts';

// The rows of a native capture by the bench account (no capture job).
const META = { source: 'native', captureId: null, capturedBy: 'bench' };

/** The COPY text of events numbered from `first` on (EVENT_COPY_COLUMNS), and of their event_ids rows. */
export function copyRows(chunk: ChainEvent[], first: number): { events: string; ids: string } {
  let events = ''; let ids = '';
  chunk.forEach(({ event, attribution: a }, n) => {
    const x = indexEvent(event);
    const hashId = eventHashId(event);
    const seq = String(first + n);
    const row = { ...x, ...a, hashId, eventId: hashId, body: { ...event, eventID: hashId } };
    events += eventCopyRow(seq, row, META);
    ids += identifierCopyRows(seq, row);
  });
  return { events, ids };
}

parentPort?.on('message', (m: { chunk: ChainEvent[]; first: number }) => parentPort!.postMessage(copyRows(m.chunk, m.first)));
