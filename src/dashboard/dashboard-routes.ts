import { z } from 'zod';
import type { App } from '../platform/http.ts';
import type { DashboardService } from './dashboard-service.ts';
import { DASHBOARD_WINDOWS } from './dashboard-fns.ts';

/** The regulator dashboard's figures. */
export function dashboardRoutes(app: App, dashboard: DashboardService) {
  app.get('/api/v1/dashboard', {
    config: { allow: ['platform-admin', 'regulator'] },
    schema: {
      tags: ['dashboard'],
      summary: '监管概览 / dashboard: operators by status, open warnings, and per day (China time) registrations, batches, events, scans and warnings; per child division for the map',
      description: 'A regulator sees its jurisdiction (or `division`, a division inside it); an admin the whole country (or `division`). '
        + '`days` is the window: 7, 30 or 90 days ending today.',
      querystring: z.object({
        days: z.coerce.number().int().refine((d) => (DASHBOARD_WINDOWS as readonly number[]).includes(d), { message: `days must be one of ${DASHBOARD_WINDOWS.join(', ')}` }).default(30),
        division: z.string().regex(/^\d{6}$/).optional(),
      }),
    },
  }, async (req) => dashboard.overview(req.actor, req.query));

  // The rollup behind the events figures runs on a schedule in every server process (one folds at a time).
  app.addHook('onReady', async () => dashboard.startWorker(app.log));
  app.addHook('onClose', async () => dashboard.stopWorker());
}
