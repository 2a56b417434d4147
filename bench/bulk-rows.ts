/**
 * Worker for the benchmark's bulk load (bench/run.ts --capture): turns a chunk of generated events into the COPY
 * text of the rows the capture path would store (indexed identifiers, CBV 2.0 hash ID as eventID), off the main
 * thread so that hashing overlaps the COPY.
 */
import { parentPort } from 'node:worker_threads';
import { eventHashId } from '../src/events/epcis-hash.ts';
import { indexEvent } from '../src/events/events-fns.ts';
import { copyField as field } from '../src/platform/db.ts';
import type { ChainEvent } from './chain.ts';


/** The columns of the events COPY text, in order. */
export const BULK_COLS = 'seq, hash_id, event_id, event_type, action, biz_step, disposition, event_time, read_point, biz_location, operator_id, division_code, counterparty_id, source, captured_by, body';

/** The COPY text of events numbered from `first` on, and of their event_ids rows. */
export function copyRows(chunk: ChainEvent[], first: number): { events: string; ids: string } {
  const ev: string[] = []; const ids: string[] = [];
  chunk.forEach(({ event, attribution: a }, n) => {
    const x = indexEvent(event);
    const hashId = eventHashId(event);
    const seq = String(first + n);
    ev.push([seq, hashId, hashId, x.eventType, x.action, x.bizStep, x.disposition, x.eventTime, x.readPoint, x.bizLocation,
      a.operatorId, a.divisionCode, a.counterpartyId, 'native', 'bench', JSON.stringify({ ...event, eventID: hashId })].map(field).join('\t'));
    for (const id of x.ids) ids.push(`${field(id.key)}\t${id.role}\t${seq}`);
  });
  return { events: `${ev.join('\n')}\n`, ids: `${ids.join('\n')}\n` };
}

parentPort?.on('message', (m: { chunk: ChainEvent[]; first: number }) => parentPort!.postMessage(copyRows(m.chunk, m.first)));
