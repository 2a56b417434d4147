import type { ReactNode } from 'react';
import { Route } from 'react-router';
import type { NavItem } from '../../app/nav.ts';
import { RoleGate } from '../../app/Layout.tsx';
import { RecordPage, RecordsHome } from './records.tsx';
import { LedgersPage } from './ledgers.tsx';
import { TracePage } from './trace.tsx';
import { InboxNoticePage, InboxPage } from './inbox.tsx';
import { WORKERS } from '../org/common.tsx';

// Records, ledgers and the inbox are for an operator's admin and staff (the API's roles); a printer may trace.

/** Navigation entries of the daily-work part (records of each step, ledgers, trace, inbox). */
export const workNav: NavItem[] = [
  { to: '/op/records', zh: '生产经营记录', en: 'Records', roles: WORKERS },
  { to: '/op/ledgers', zh: '电子台账', en: 'Ledgers', roles: WORKERS },
  { to: '/op/trace', zh: '追溯查询', en: 'Trace' },
  { to: '/op/inbox', zh: '通知收件箱', en: 'Inbox', roles: WORKERS },
];

/** Shows a page only to the roles the API lets do it; others see a plain refusal instead of forms the API would refuse. */
function Workers({ children }: { children: ReactNode }) {
  return <RoleGate roles={WORKERS}>{children}</RoleGate>;
}

/** <Route> elements relative to /op. */
export const workRoutes = (
  <>
    <Route path="records" element={<Workers><RecordsHome /></Workers>} />
    <Route path="records/:kind" element={<Workers><RecordPage /></Workers>} />
    <Route path="ledgers" element={<Workers><LedgersPage /></Workers>} />
    <Route path="trace" element={<TracePage />} />
    <Route path="inbox" element={<Workers><InboxPage /></Workers>} />
    <Route path="inbox/:id" element={<Workers><InboxNoticePage /></Workers>} />
  </>
);
