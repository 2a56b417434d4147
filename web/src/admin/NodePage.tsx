import { useQuery } from '@tanstack/react-query';
import { get } from '../lib/api.ts';
import { useI18n, type Bilingual } from '../lib/i18n.tsx';
import { Badge, Card, Loading, PageTitle, ProblemMessage, Stats } from '../lib/ui.tsx';

interface NodeIdentity {
  nodeId: string; nodeName: string; publicUrl: string; version: string;
  codeScheme: {
    alphabet: string; length: number; payloadLength: number; kinds: Array<{ kind: string; char: string }>; check: string;
    payloadSpace: number; example: string;
    settings: Array<{ name: string; value: string; source: string; changeable: boolean; why: Bilingual }>;
  };
}
interface NodeStatus {
  database: { serverVersion: string; bytes: number }; schema: { version: number; applied: number };
  operators: Record<string, number>; activeUsers: Record<string, number>; codes: Record<string, number>;
  events: { estimate: number; lastSeq: number | null };
}

const groups = (code: string) => code.replace(/(.{4})(?=.)/g, '$1 ');

/** Node identity, the code rule and where each setting comes from; store status for the administrator. */
export function NodePage() {
  const { t, num, pick } = useI18n();
  const identity = useQuery({ queryKey: ['node'], queryFn: () => get<NodeIdentity>('/api/v1/node') });
  const status = useQuery({ queryKey: ['node-status'], queryFn: () => get<NodeStatus>('/api/v1/node/status') });
  if (identity.isPending) return <Loading />;
  if (identity.error) return <ProblemMessage error={identity.error} />;
  const n = identity.data;
  const s = status.data;
  return (
    <>
      <PageTitle>{t('平台节点与追溯码规则', 'Platform node and code rule')}</PageTitle>
      <div className="grid">
        <Card title={t('节点标识', 'Node identity')}>
          <dl className="facts">
            <dt>{t('节点号', 'Node id')}</dt><dd><code>{n.nodeId}</code></dd>
            <dt>{t('节点名称', 'Node name')}</dt><dd>{n.nodeName}</dd>
            <dt>{t('公开地址（二维码前缀）', 'Public address (QR prefix)')}</dt><dd><code>{n.publicUrl}/t/…</code></dd>
            <dt>{t('版本', 'Version')}</dt><dd>{n.version}</dd>
          </dl>
        </Card>
        <Card title={t('追溯码规则', 'Trace code rule')}>
          <dl className="facts">
            <dt>{t('示例', 'Example')}</dt><dd><code>{groups(n.codeScheme.example)}</code></dd>
            <dt>{t('长度', 'Length')}</dt><dd>{n.codeScheme.length}</dd>
            <dt>{t('字符集（GB 32100）', 'Alphabet (GB 32100)')}</dt><dd><code>{n.codeScheme.alphabet}</code></dd>
            <dt>{t('类型位', 'Kind character')}</dt><dd>{n.codeScheme.kinds.map((k) => `${k.char} = ${k.kind === 'batch' ? t('批次码', 'batch') : t('单品码', 'item')}`).join('；')}</dd>
            <dt>{t('随机位', 'Random characters')}</dt><dd>{n.codeScheme.payloadLength}（{t('每节点每类', 'per node and kind')} {n.codeScheme.payloadSpace.toExponential(2)}）</dd>
            <dt>{t('校验', 'Check')}</dt><dd>{n.codeScheme.check}</dd>
          </dl>
        </Card>
      </div>
      <Card title={t('设置及来源', 'Settings and where they come from')}>
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('设置', 'Setting')}</th><th scope="col">{t('当前值', 'Value')}</th><th scope="col">{t('可否更改', 'Changeable')}</th><th scope="col">{t('说明', 'Why')}</th></tr></thead>
            <tbody>
              {n.codeScheme.settings.map((st) => (
                <tr key={st.name}>
                  <td><code>{st.name}</code><br /><small className="muted">{t('环境变量', 'environment variable')}</small></td>
                  <td>{st.value}</td>
                  <td>{st.changeable ? <Badge tone="info">{t('可更改（重启生效）', 'yes, on restart')}</Badge> : <Badge tone="warn">{t('发码后不可更改', 'fixed once codes exist')}</Badge>}</td>
                  <td>{pick(st.why)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card title={t('运行状况', 'Status')}>
        {status.error && <ProblemMessage error={status.error} />}
        {s && (
          <Stats items={[
            {
              label: `${t('经营主体', 'Operators')}（${t('已审核', 'approved')} ${num(s.operators.approved ?? 0)}，${t('待审核', 'pending')} ${num(s.operators.pending ?? 0)}）`,
              value: Object.values(s.operators).reduce((a, b) => a + b, 0),
            },
            { label: t('有效账号', 'Active users'), value: Object.values(s.activeUsers).reduce((a, b) => a + b, 0) },
            { label: t('已发追溯码', 'Codes issued'), value: Object.values(s.codes).reduce((a, b) => a + b, 0) },
            { label: t('事件序号（最新）', 'Latest event sequence'), value: s.events.lastSeq ?? 0 },
            { label: `PostgreSQL ${s.database.serverVersion}`, value: `${(s.database.bytes / 1024 / 1024).toFixed(0)} MB` },
            { label: t('数据库结构版本', 'Schema version'), value: String(s.schema.version) },
          ]} />
        )}
      </Card>
    </>
  );
}
