import { lazy, Suspense, type ComponentType } from 'react';
import { Route } from 'react-router';
import type { NavItem } from '../../app/nav.ts';
import { Loading } from '../../lib/ui.tsx';
import { ReviewDetail, ReviewQueue } from './Review.tsx';
import './core.css';

// The chart, map and graph libraries load with their pages only, so operator pages never carry them.
const DashboardPage = lazy(() => import('./Dashboard.tsx'));
const TracePage = lazy(() => import('./Trace.tsx'));
const QueryLogPage = lazy(() => import('./QueryLog.tsx'));

const suspended = (Page: ComponentType) => function Lazy() { return <Suspense fallback={<Loading />}><Page /></Suspense>; };

/** Navigation of the core console: review, trace explorer, query log (the dashboard is the area's first entry). */
export const coreNav: NavItem[] = [
  { to: '/reg/review', zh: '主体审核', en: 'Operator review' },
  { to: '/reg/trace', zh: '追溯查询', en: 'Trace explorer' },
  { to: '/reg/query-log', zh: '查询日志', en: 'Query log' },
];

/** The /reg index: figures, trends and the map of the jurisdiction. */
export const Dashboard = suspended(DashboardPage);
const Trace = suspended(TracePage);
const QueryLog = suspended(QueryLogPage);

/** <Route> elements relative to /reg. */
export const coreRoutes = (
  <>
    <Route path="review" element={<ReviewQueue />} />
    <Route path="review/:id" element={<ReviewDetail />} />
    <Route path="trace" element={<Trace />} />
    <Route path="query-log" element={<QueryLog />} />
  </>
);
