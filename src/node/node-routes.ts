import type { App } from '../platform/http.ts';
import { EVERYONE } from '../accounts/actor.ts';
import type { Database } from '../platform/db.ts';
import { generateCode } from '../codes/code-scheme.ts';
import { nodeIdentity } from './node-fns.ts';
import { nodeStatus } from './node-dal.ts';


/** Platform node identity (public: federation partners and scanners read it) and status (administrators). */
export function nodeRoutes(app: App, deps: { db: Database; nodeId: string; nodeName: string; publicUrl: string; version: string }) {
  app.get('/api/v1/node', {
    config: { allow: EVERYONE },
    schema: { tags: ['node'], summary: '平台节点标识与追溯码规则 / this node\'s identity and code rule' },
  }, async () => nodeIdentity({ ...deps, example: generateCode(deps.nodeId, 'batch') }));

  app.get('/api/v1/node/status', {
    config: { allow: ['platform-admin'] },
    schema: { tags: ['node'], summary: '节点运行状况 / store size, schema version and counts' },
  }, async () => nodeStatus(deps.db.pool));
}
