/** The records hub (/op/records) and one page per record kind (/op/records/:kind). */
import { Link, useParams } from 'react-router';
import type { ComponentType } from 'react';
import { useI18n } from '../../lib/i18n.tsx';
import { Card, PageTitle } from '../../lib/ui.tsx';
import {
  AggregationForm, CertificateForm, DestructionForm, HarvestForm, InputsForm, InspectionForm, ReceivingForm, SaleForm, ShippingForm, TransformationForm,
} from './forms.tsx';

/** The record kinds in the order of the chain, with their API path segment, names and a line on what each is for. */
export const RECORD_FORMS: Array<{ kind: string; zh: string; en: string; aboutZh: string; aboutEn: string; Form: ComponentType }> = [
  { kind: 'harvest', zh: '采收/生产', en: 'Harvest / production', aboutZh: '生成批次和批次码', aboutEn: 'A batch and its code', Form: HarvestForm },
  { kind: 'inputs_applied', zh: '投入品使用', en: 'Inputs applied', aboutZh: '农药、肥料、种子、饲料、兽药', aboutEn: 'Pesticide, fertilizer, seed, feed, vet drug', Form: InputsForm },
  { kind: 'inspection', zh: '检测', en: 'Inspection', aboutZh: '快检、送检结果', aboutEn: 'Rapid tests and lab results', Form: InspectionForm },
  { kind: 'certificate', zh: '合格证明', en: 'Certificates', aboutZh: '合格证、检疫证明', aboutEn: 'Commitment and quarantine certificates', Form: CertificateForm },
  { kind: 'shipping', zh: '发货', en: 'Shipping', aboutZh: '发往另一经营主体', aboutEn: 'To another operator', Form: ShippingForm },
  { kind: 'receiving', zh: '收货（进场准入）', en: 'Receiving (entry admission)', aboutZh: '扫码收货、索证索票', aboutEn: 'Scan upstream codes, certificates, invoices', Form: ReceivingForm },
  { kind: 'sale', zh: '销售', en: 'Sale', aboutZh: '卖给经营主体或消费者', aboutEn: 'To an operator or to consumers', Form: SaleForm },
  { kind: 'transformation', zh: '加工/混批/分装', en: 'Transformation', aboutZh: '投入变成带新码的新批次', aboutEn: 'Inputs become new batches with new codes', Form: TransformationForm },
  { kind: 'aggregation', zh: '装箱/拆箱', en: 'Packing', aboutZh: '箱码与箱内货品', aboutEn: 'Cases and their contents', Form: AggregationForm },
  { kind: 'destruction', zh: '销毁', en: 'Destruction', aboutZh: '销毁货品并写明原因', aboutEn: 'Destroy goods, with the reason', Form: DestructionForm },
];

export function RecordsHome() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t('生产经营记录', 'Records')}</PageTitle>
      <div className="grid">
        {RECORD_FORMS.map((r) => (
          <Card key={r.kind} title={<Link to={`/op/records/${r.kind}`}>{t(r.zh, r.en)}</Link>}>
            <p className="muted" style={{ margin: 0 }}>{t(r.aboutZh, r.aboutEn)}</p>
          </Card>
        ))}
      </div>
    </>
  );
}

export function RecordPage() {
  const { t } = useI18n();
  const { kind } = useParams();
  const r = RECORD_FORMS.find((x) => x.kind === kind);
  if (!r) return <PageTitle>{t('没有这种记录', 'No such record')}</PageTitle>;
  const { Form } = r;
  return (
    <>
      <PageTitle actions={<Link to="/op/records">{t('全部记录类型', 'All record kinds')}</Link>}>{t(r.zh, r.en)}</PageTitle>
      {/* keyed by kind: moving between forms starts a fresh form with its own requestId */}
      <Form key={r.kind} />
    </>
  );
}
