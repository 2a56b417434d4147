import assert from 'node:assert/strict';
import type { TestApp } from './harness.ts';
import { buildOperator, buildProduct, buildSite } from './builders.ts';

/** What the risk tests do over and over, against one test app and its admin's session. */
export function riskKit(t: TestApp, admin: string) {
  /** Posts a native record and answers its event and batches (201 expected). */
  async function record(as: string, kind: string, body: unknown) {
    const r = await t.call('POST', `/api/v1/records/${kind}`, { as, body });
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.body as { event: { seq: string }; batches: Array<{ id: string; batchCode: { code: string } }> };
  }
  /** Runs the outbox pass, then lists the operator's warnings of a rule (newest first) as an admin sees them. */
  async function warnings(rule: string, operatorId: string) {
    await t.services.risk.evaluatePending();
    const r = await t.call('GET', `/api/v1/risk/warnings?rule=${rule}&operatorId=${operatorId}`, { as: admin });
    assert.equal(r.status, 200, r.text);
    return r.body.items as any[];
  }
  /** An approved operator with a site and a product (kg) of its own. */
  async function grower(opts: { division?: string; categoryCode?: string; productName?: string; types?: string[] } = {}) {
    const division = opts.division ?? '350121';
    const o = await buildOperator(t, { division, types: opts.types });
    const site = await buildSite(t, o, { divisionCode: division });
    const product = await buildProduct(t, o, { unit: 'kg', categoryCode: opts.categoryCode, name: opts.productName });
    return { ...o, division, siteId: site.id, productId: product.id };
  }
  /** Sets a rule's threshold settings as the admin. */
  const settings = (rule: string, values: Record<string, unknown>) => t.call('PUT', '/api/v1/risk/settings', { as: admin, body: { rule, settings: values } });
  return { record, warnings, grower, settings };
}
