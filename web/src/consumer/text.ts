import type { Lang, StepKind } from './scan-data.ts';

/**
 * Every string of the consumer page, Chinese and English side by side. A table rather than the workbench's
 * `t('中文', 'English')` because the page is rendered by Preact (its JavaScript budget is 200 KB), not under the
 * workbench's React I18nProvider; the server renders the same table when it renders the first view.
 */
export const TEXT = {
  zh: {
    htmlLang: 'zh-CN', other: 'English', otherLang: 'en' as Lang, otherHtmlLang: 'en', title: '溯源查询', langNav: '语言',
    batch: '批次码', item: '单品码', lot: '批次（GS1 数字链接）', valid: '✓ 本平台登记的有效追溯码',
    originH: '产地信息', producer: '生产者', site: '产地', producedOn: '生产/收获日期', expiresOn: '保质期至', inputs: '原料产地', mapLabel: (d: string) => `产地位置示意图：${d}（约 1 公里精度）`,
    inspectionsH: '检验结果（公开）', noInspections: '暂无公开的检验结果', pass: '合格', fail: '不合格', unknownResult: '结果未注明', reportNo: '报告编号',
    certificatesH: '证书', noCertificates: '暂无证书信息', number: '编号', issuer: '发证机构', issuedOn: '发证日期',
    limit: (v: string) => `（限量 ${v}）`, colon: '：', list: '、',
    inspectionKinds: { official_sampling: '监督抽检', rapid_test: '快速检测' } as Record<string, string>,
    certTypes: { commitment: '承诺达标合格证', animal_quarantine: '动物检疫合格证明', meat_quality: '肉品品质检验合格证' } as Record<string, string>,
    timelineH: '从产地到这里', noTimeline: '暂无流通记录',
    void: (d: string) => `此码已作废（${d}）`, voidMore: '请勿信赖此标签。如在商品上见到，请向商家或当地市场监管部门反映。',
    unassigned: '此码尚未启用', unassignedMore: '它还没有关联任何产品批次。如在商品上见到，请向商家核实。',
    clone: { far_apart: '此码在短时间内于相距很远的两地被扫描', many_devices: '此码被异常多的不同设备扫描', many_scans: '此码被扫描的次数异常多' },
    cloneMore: (since: string) => `一件商品不会这样被扫描，标签可能是仿冒的。首次发现于 ${since}（北京时间）。请向商家或当地市场监管部门反映。`,
    cloneLate: '此码的扫描记录异常，标签可能是仿冒的。请向商家或当地市场监管部门反映。',
    recall: { recall: '此批次产品正在召回', hold: '此批次产品正在接受食品安全排查，已暂停销售' },
    recallMore: {
      recall: (d: string) => `监管部门已于 ${d} 启动召回。请立即停止食用，并联系购买的商家退货。`,
      hold: (d: string) => `监管部门已于 ${d} 要求暂停销售。请暂停食用，等待进一步通知。`,
    },
    locate: '提供大致位置（约 10 公里），帮助识别假冒标签', locating: '正在获取位置…', located: '已记录大致位置，谢谢',
    locateFailed: '未能获取位置（可能未允许定位）', locateRefused: '未能记录位置',
    unknownH: '未查到此码', unknownP: '本平台没有这个追溯码。请核对标签上印的 16 位追溯码（四组、每组四位）是否输入正确，或向商家核实。',
    otherH: '此码由其他平台签发', otherP: (node: string) => `此追溯码由平台节点 ${node} 签发，不在本平台登记。请到签发平台查询，或向商家核实。`,
    typoH: '追溯码可能输错了', typoP: '请对照标签重新输入。', sep: '',
    problems: {
      CODE_CHECKSUM: '校验位不符：很可能有字符输错，或两个字符顺序颠倒。',
      CODE_FORMAT: '追溯码应为 16 位数字和大写字母（不含 I、O、S、V、Z）。',
      GTIN: '商品条码（GTIN）的位数或校验位不对。',
    },
    steps: {
      raw_material: '原料生产', harvested: '收获', produced: '生产', processed: '加工', repacked: '分装', shipped: '发货运输',
      arrived: '到达', sold: '批发销售', retailed: '零售',
    } satisfies Record<StepKind, string>,
    places: { stall: '到达市场', shop: '到达门店', warehouse: '入库', plant: '到达加工厂', kitchen: '到达餐饮单位', port: '到达口岸', farm_plot: '到达基地' } as Record<string, string>,
    footer: ['如有疑问，请拨打', '或联系当地市场监管部门。'],
    report: {
      open: '反映问题（举报）', intro: '您的反映将转给此商品生产者所在地的市场监管部门处理。',
      category: '问题类型', choose: '请选择',
      categories: { quality: '质量问题（变质、异味、异物）', illness: '食用后身体不适', counterfeit: '疑似假冒', label: '标签或追溯码问题', other: '其他' },
      text: '问题描述', textHint: '请写明您发现的问题、时间和购买地点（不超过 2000 字）',
      photo: '照片（可选）', photoHint: 'JPEG、PNG 或 WebP，不超过 5 MB', contact: '联系方式（可选）', contactHint: '手机号或邮箱，仅供监管部门回复您',
      submit: '提交', sending: '正在提交…', done: '已提交，谢谢您的反映。', ref: '受理编号',
      keep: '请保存受理编号，以便查询处理进度。', photoTooBig: '照片不能超过 5 MB', photoType: '照片须为 JPEG、PNG 或 WebP 图片',
      needCategory: '请选择问题类型', needText: '请填写问题描述', textTooLong: '问题描述不能超过 2000 字', contactTooLong: '联系方式不能超过 200 字',
      fix: '请先更正以下内容：',
    },
  },
  en: {
    htmlLang: 'en', other: '中文', otherLang: 'zh' as Lang, otherHtmlLang: 'zh-CN', title: 'Trace lookup', langNav: 'Language',
    batch: 'Batch code', item: 'Item code', lot: 'Batch (GS1 Digital Link)', valid: '✓ A valid trace code registered on this platform',
    originH: 'Origin information', producer: 'Producer', site: 'Origin site', producedOn: 'Produced / harvested', expiresOn: 'Use by', inputs: 'Raw materials from', mapLabel: (d: string) => `Map of the origin: ${d} (to about 1 km)`,
    inspectionsH: 'Inspection results (public)', noInspections: 'No public inspection results yet', pass: 'Passed', fail: 'Failed', unknownResult: 'Result not stated', reportNo: 'Report no.',
    certificatesH: 'Certificates', noCertificates: 'No certificates recorded', number: 'No.', issuer: 'Issuer', issuedOn: 'Issued',
    limit: (v: string) => ` (limit ${v})`, colon: ': ', list: '; ',
    inspectionKinds: { official_sampling: 'Official sampling', rapid_test: 'Rapid test' } as Record<string, string>,
    certTypes: { commitment: 'Commitment certificate (承诺达标合格证)', animal_quarantine: 'Animal quarantine certificate', meat_quality: 'Meat quality certificate' } as Record<string, string>,
    timelineH: 'From farm to here', noTimeline: 'No movements recorded yet',
    void: (d: string) => `This code was voided (${d})`, voidMore: 'Do not trust this label. If you found it on a product, tell the seller or the local market regulator.',
    unassigned: 'This code is not in use yet', unassignedMore: 'It is not linked to any batch. If you found it on a product, check with the seller.',
    clone: { far_apart: 'This code was scanned in places far apart within a short time', many_devices: 'Unusually many different devices scanned this code', many_scans: 'This code was scanned unusually often' },
    cloneMore: (since: string) => `A single item is not scanned like this: the label may be counterfeit. First noticed ${since} (China time). Please tell the seller or the local market regulator.`,
    cloneLate: 'The scans of this code look unusual: the label may be counterfeit. Please tell the seller or the local market regulator.',
    recall: { recall: 'This batch is being recalled', hold: 'This batch is under a food-safety investigation; sales are halted' },
    recallMore: {
      recall: (d: string) => `Regulators started a recall on ${d}. Stop eating it and return it to the shop where you bought it.`,
      hold: (d: string) => `Regulators halted sales on ${d}. Do not eat it until further notice.`,
    },
    locate: 'Share your approximate location (about 10 km) to help spot fake labels', locating: 'Getting your location…', located: 'Approximate location recorded, thank you',
    locateFailed: 'Could not get your location (perhaps it was not allowed)', locateRefused: 'The location could not be recorded',
    unknownH: 'Code not found', unknownP: 'This platform has no such trace code. Check the 16-character code printed on the label (four groups of four), or ask the seller.',
    otherH: 'Issued by another platform', otherP: (node: string) => `This trace code was issued by platform node ${node} and is not registered here. Look it up on that platform, or ask the seller.`,
    typoH: 'The code was probably mistyped', typoP: 'Please compare it with the label and enter it again.', sep: ' ',
    problems: {
      CODE_CHECKSUM: 'The check character does not match: most likely a character was mistyped or two were swapped.',
      CODE_FORMAT: 'A trace code has 16 digits and capital letters (without I, O, S, V, Z).',
      GTIN: 'The product barcode (GTIN) has the wrong length or check digit.',
    },
    steps: {
      raw_material: 'Raw material produced', harvested: 'Harvested', produced: 'Produced', processed: 'Processed', repacked: 'Repacked',
      shipped: 'Shipped', arrived: 'Arrived', sold: 'Sold to a trader', retailed: 'Sold at retail',
    } satisfies Record<StepKind, string>,
    places: { stall: 'Arrived at market', shop: 'Arrived at shop', warehouse: 'Stored in warehouse', plant: 'Arrived at processing plant', kitchen: 'Arrived at a kitchen', port: 'Arrived at port', farm_plot: 'Arrived at farm' } as Record<string, string>,
    footer: ['Questions? Call', '(market regulation hotline) or contact the local market regulator.'],
    report: {
      open: 'Report a problem', intro: 'Your report goes to the market regulator where the producer of this product is.',
      category: 'Kind of problem', choose: 'Please choose',
      categories: { quality: 'Quality (spoiled, smell, foreign matter)', illness: 'Felt ill after eating it', counterfeit: 'Suspected counterfeit', label: 'Label or trace code', other: 'Other' },
      text: 'What is wrong', textHint: 'What you found, when, and where you bought it (up to 2000 characters)',
      photo: 'Photo (optional)', photoHint: 'JPEG, PNG or WebP, up to 5 MB', contact: 'Contact (optional)', contactHint: 'Phone or e-mail, only for the regulator to answer you',
      submit: 'Send', sending: 'Sending…', done: 'Sent. Thank you for your report.', ref: 'Reference number',
      keep: 'Keep the reference number to follow up on your report.', photoTooBig: 'The photo must not exceed 5 MB', photoType: 'The photo must be a JPEG, PNG or WebP image',
      needCategory: 'Choose the kind of problem', needText: 'Describe the problem', textTooLong: 'At most 2000 characters', contactTooLong: 'At most 200 characters',
      fix: 'Please correct the following first:',
    },
  },
};
export type Text = (typeof TEXT)['zh'];

/** A trace code in groups of four, as printed under the QR code. */
export const formatCode = (code: string) => code.match(/.{1,4}/g)?.join(' ') ?? code;

/** A timestamp as a date (and time) in China Standard Time, where the platform's consumers are; the same on server and phone. */
export function chinaTime(iso: string, withTime: boolean): string {
  const s = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  return withTime ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : s.slice(0, 10);
}

/** `translate="no"` for codes and reference numbers (Preact types the attribute as a boolean; HTML wants "no"). */
export const NO_TRANSLATE = { translate: 'no' } as unknown as { translate: boolean };
