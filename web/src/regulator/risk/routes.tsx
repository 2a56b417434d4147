import { lazy, Suspense } from 'react';
import { Outlet, Route } from 'react-router';
import type { NavItem } from '../../app/nav.ts';
import { Loading } from '../../lib/ui.tsx';
import './risk.css';

// The pages load when first opened, so operator pages never carry them (ECharts loads later still, with a chart).
const WarningList = lazy(() => import('./Warnings.tsx').then((m) => ({ default: m.WarningList })));
const WarningDetail = lazy(() => import('./Warnings.tsx').then((m) => ({ default: m.WarningDetail })));
const RiskRules = lazy(() => import('./Rules.tsx').then((m) => ({ default: m.RiskRules })));
const IncidentList = lazy(() => import('./Incidents.tsx').then((m) => ({ default: m.IncidentList })));
const NewIncident = lazy(() => import('./Incidents.tsx').then((m) => ({ default: m.NewIncident })));
const IncidentDetail = lazy(() => import('./IncidentDetail.tsx').then((m) => ({ default: m.IncidentDetail })));
const ComplaintList = lazy(() => import('./Complaints.tsx').then((m) => ({ default: m.ComplaintList })));
const ComplaintDetail = lazy(() => import('./Complaints.tsx').then((m) => ({ default: m.ComplaintDetail })));

/** Navigation of the risk part of the console: warnings, incidents and recall, complaints. */
export const riskNav: NavItem[] = [
  { to: '/reg/warnings', zh: '风险预警', en: 'Risk warnings' },
  { to: '/reg/incidents', zh: '事件与召回', en: 'Incidents & recall' },
  { to: '/reg/complaints', zh: '投诉举报', en: 'Complaints' },
];

/** The frame of the risk pages: their own styles' scope and the wait while a page's code loads. */
function RiskFrame() {
  return <div className="risk-area"><Suspense fallback={<Loading />}><Outlet /></Suspense></div>;
}

/** <Route> elements relative to /reg. */
export const riskRoutes = (
  <Route element={<RiskFrame />}>
    <Route path="warnings" element={<WarningList />} />
    <Route path="warnings/:id" element={<WarningDetail />} />
    <Route path="risk-rules" element={<RiskRules />} />
    <Route path="incidents" element={<IncidentList />} />
    <Route path="incidents/new" element={<NewIncident />} />
    <Route path="incidents/:id" element={<IncidentDetail />} />
    <Route path="complaints" element={<ComplaintList />} />
    <Route path="complaints/:id" element={<ComplaintDetail />} />
  </Route>
);
