import type { Config } from '../platform/config.ts';
import type { Database, Queryable } from '../platform/db.ts';
import { conflict } from '../platform/errors.ts';
import type { Actor, UserRole } from '../accounts/actor.ts';
import type { UserView } from '../accounts/accounts-service.ts';
import { createServices, type Services } from '../app/services.ts';
import { usccCheckChar } from '../registry/uscc.ts';
import { divisionPath } from '../registry/division.ts';
import type { OperatorInput, SiteInput } from '../registry/registry-types.ts';
import type { ProductInput } from '../catalog/catalog-types.ts';
import { gs1CheckDigit } from '../catalog/gtin.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';
import { addDays } from '../batches/batches-fns.ts';
import { demoDal, type DemoMarker } from './demo-dal.ts';

/** The documented password of every demo account. */
export const DEMO_PASSWORD = 'suyuan-demo';

// Registrations, user creation and reviews need the platform; the operators' own work is done by their admins.
const SYSTEM: Actor = Object.freeze({ role: 'platform-admin', username: 'demo' });

type OpKey = 'coop' | 'pigFarm' | 'slaughterhouse' | 'market' | 'xmMart' | 'fzMart' | 'restaurant' | 'importer' | 'printer';

interface DemoOperator {
  key: OpKey;
  username: string;
  input: OperatorInput;
  sites: SiteInput[];
}

/** A USCC for the operator's own division: registration authority 9 (market regulation), organisation type, body, check char. */
function uscc(orgType: '91' | '93', divisionCode: string, orgBody: string): string {
  const body17 = orgType + divisionCode + orgBody;
  return body17 + usccCheckChar(body17);
}

function operator(key: OpKey, username: string, orgType: '91' | '93', orgBody: string, input: Omit<OperatorInput, 'uscc'>, sites: SiteInput[]): DemoOperator {
  return { key, username, input: { ...input, uscc: uscc(orgType, input.divisionCode, orgBody) }, sites };
}

/** GTIN-13 under a GS1 China (690–699) company prefix, with its check digit. */
const gtin13 = (first12: string) => first12 + gs1CheckDigit(first12);
/** A GLN (13 digits) with its check digit. */
const gln = (first12: string) => first12 + gs1CheckDigit(first12);

const REGULATORS = [
  { username: 'fj-regulator', displayName: '福建省市场监督管理局（演示）', jurisdiction: '350000' },
  { username: 'xm-regulator', displayName: '厦门市市场监督管理局（演示）', jurisdiction: '350200' },
] as const;

const OPERATORS: DemoOperator[] = [
  operator('coop', 'mh-coop', '93', 'MA2XN4K7P', {
    name: '闽侯县绿源蔬菜专业合作社', types: ['producer'], divisionCode: '350121', address: '福建省福州市闽侯县南屿镇五都村',
    lat: 25.9752, lng: 119.2148, contactName: '林建华', contactPhone: '0591-22781365',
    licences: [{ type: '绿色食品证书', number: 'LB-18-2403350121A', issuer: '中国绿色食品发展中心', validUntil: '2027-03-31' }],
  }, [
    { name: '南屿镇五都蔬菜基地', kind: 'farm_plot', divisionCode: '350121', address: '闽侯县南屿镇五都村', lat: 25.9731, lng: 119.2186 },
    { name: '合作社预冷分拣车间', kind: 'plant', divisionCode: '350121', address: '闽侯县南屿镇五都村 18 号', lat: 25.9762, lng: 119.2139 },
  ]),
  operator('pigFarm', 'jo-pigfarm', '91', 'MA31Y8R2D', {
    name: '建瓯市东游生态养殖有限公司', types: ['producer'], divisionCode: '350783', address: '福建省南平市建瓯市东游镇安国村',
    lat: 27.1235, lng: 118.4211, contactName: '黄志强', contactPhone: '0599-3562718',
    licences: [{ type: '动物防疫条件合格证', number: '（闽）动防合字第350783202100012号', issuer: '建瓯市农业农村局', validUntil: null }],
  }, [
    { name: '东游镇生猪养殖场', kind: 'farm_plot', divisionCode: '350783', address: '建瓯市东游镇安国村后山', lat: 27.1262, lng: 118.4187 },
  ]),
  operator('slaughterhouse', 'fq-slaughter', '91', '158143226', {
    name: '福清市兴旺肉类联合加工有限公司', types: ['slaughterhouse', 'processor'], divisionCode: '350181', address: '福建省福州市福清市城头镇工业区',
    lat: 25.6958, lng: 119.3362, contactName: '陈秀英', contactPhone: '0591-85261734',
    licences: [
      { type: '生猪定点屠宰证', number: 'A35018101', issuer: '福州市人民政府', validUntil: null },
      { type: '动物防疫条件合格证', number: '（闽）动防合字第350181201800031号', issuer: '福清市农业农村局', validUntil: null },
    ],
  }, [
    { name: '城头镇屠宰分割车间', kind: 'plant', divisionCode: '350181', address: '福清市城头镇工业区 6 号', lat: 25.6949, lng: 119.3377, gln: gln('694281730001') },
  ]),
  operator('market', 'xm-market', '91', '260125896', {
    name: '厦门鹭岛农产品批发市场有限公司', types: ['wholesale_market'], divisionCode: '350206', address: '福建省厦门市湖里区枋湖北二路',
    lat: 24.5186, lng: 118.1531, contactName: '郑丽娟', contactPhone: '0592-5723816',
    licences: [{ type: '食品经营许可证', number: 'JY13502060012341', issuer: '厦门市湖里区市场监督管理局', validUntil: '2027-08-15' }],
  }, [
    { name: '蔬菜交易区', kind: 'stall', divisionCode: '350206', address: '湖里区枋湖北二路 A 区', lat: 24.5189, lng: 118.1524 },
    { name: '肉品交易区', kind: 'stall', divisionCode: '350206', address: '湖里区枋湖北二路 C 区', lat: 24.5179, lng: 118.1542 },
  ]),
  operator('xmMart', 'xm-mart', '91', 'MA349D7U5', {
    name: '厦门鹭江生鲜超市有限公司', types: ['retailer'], divisionCode: '350203', address: '福建省厦门市思明区莲前西路',
    lat: 24.4783, lng: 118.1312, contactName: '吴国平', contactPhone: '0592-2217645',
    licences: [{ type: '食品经营许可证', number: 'JY13502030123457', issuer: '厦门市思明区市场监督管理局', validUntil: '2028-01-09' }],
  }, [
    { name: '莲前西路店', kind: 'shop', divisionCode: '350203', address: '思明区莲前西路 209 号', lat: 24.4786, lng: 118.1308, gln: gln('693845210002') },
  ]),
  operator('fzMart', 'fz-mart', '91', 'MA32K6HW8', {
    name: '福州三坊生鲜超市有限公司', types: ['retailer'], divisionCode: '350102', address: '福建省福州市鼓楼区杨桥东路',
    lat: 26.0857, lng: 119.2938, contactName: '王海燕', contactPhone: '0591-87553210',
    licences: [{ type: '食品经营许可证', number: 'JY13501020054326', issuer: '福州市鼓楼区市场监督管理局', validUntil: '2027-11-30' }],
  }, [
    { name: '杨桥东路店', kind: 'shop', divisionCode: '350102', address: '鼓楼区杨桥东路 52 号', lat: 26.0861, lng: 119.2947 },
  ]),
  operator('restaurant', 'jm-restaurant', '91', 'MA2XR1C0E', {
    name: '厦门集美嘉庚闽菜馆有限公司', types: ['caterer'], divisionCode: '350211', address: '福建省厦门市集美区嘉庚路',
    lat: 24.5753, lng: 118.1047, contactName: '蔡明辉', contactPhone: '0592-6068132',
    licences: [{ type: '食品经营许可证', number: 'JY23502110008768', issuer: '厦门市集美区市场监督管理局', validUntil: '2026-12-31' }],
  }, [
    { name: '嘉庚路店后厨', kind: 'kitchen', divisionCode: '350211', address: '集美区嘉庚路 153 号', lat: 24.5749, lng: 118.1052 },
  ]),
  operator('importer', 'xm-importer', '91', 'MA2Y4HL3G', {
    name: '厦门鹭通进出口贸易有限公司', types: ['importer'], divisionCode: '350206', address: '福建省厦门市湖里区象屿路',
    lat: 24.5102, lng: 118.1104, contactName: '许文彬', contactPhone: '0592-5629381',
    licences: [
      { type: '食品经营许可证', number: 'JY13502060034575', issuer: '厦门市湖里区市场监督管理局', validUntil: '2028-05-20' },
      { type: '海关进出口货物收发货人备案', number: '3502961287', issuer: '厦门海关', validUntil: null },
    ],
  }, [
    { name: '象屿保税区冷库', kind: 'warehouse', divisionCode: '350206', address: '湖里区象屿路 88 号', lat: 24.5117, lng: 118.1091 },
    { name: '东渡港区海天码头', kind: 'port', divisionCode: '350206', address: '湖里区东港北路', lat: 24.4953, lng: 118.0762 },
  ]),
  operator('printer', 'fz-printer', '91', '705128934', {
    name: '福州闽印标签印刷有限公司', types: ['printer'], divisionCode: '350104', address: '福建省福州市仓山区金山工业区',
    lat: 26.0428, lng: 119.2536, contactName: '张伟', contactPhone: '0591-83467120',
    licences: [{ type: '印刷经营许可证', number: '（闽）新出印证字3501040126号', issuer: '福州市新闻出版局', validUntil: '2026-12-31' }],
  }, [
    { name: '金山工业区印刷车间', kind: 'plant', divisionCode: '350104', address: '仓山区金山工业区 12 号', lat: 26.0431, lng: 119.2529 },
  ]),
];

const STAFF = { username: 'xm-mart-staff', displayName: '鹭江生鲜超市收货员', operator: 'xmMart' as OpKey };

type ProductKey = 'qinggengcai' | 'caixin' | 'pig' | 'carcass' | 'tenderloin' | 'cherries' | 'salmon';
const PRODUCTS: Record<ProductKey, { op: OpKey; input: ProductInput }> = {
  qinggengcai: { op: 'coop', input: { name: '青梗菜', categoryCode: 'AGRI.VEG.LEAFY', spec: '散装', unit: 'kg', shelfLifeDays: 5 } },
  caixin: { op: 'coop', input: { name: '菜心', categoryCode: 'AGRI.VEG.LEAFY', spec: '500g/袋', unit: '袋', shelfLifeDays: 5, gtin: gtin13('697531200012') } },
  // The seeded tree has no live-animal category: live pigs are traced under pork, as the meat programmes do.
  pig: { op: 'pigFarm', input: { name: '建瓯土猪（生猪）', categoryCode: 'AGRI.MEAT.PORK', spec: '出栏均重约 115 kg', unit: '头' } },
  carcass: { op: 'slaughterhouse', input: { name: '白条猪肉', categoryCode: 'AGRI.MEAT.PORK', spec: '冷鲜二分体', unit: 'kg', shelfLifeDays: 5 } },
  tenderloin: { op: 'slaughterhouse', input: { name: '冷鲜猪里脊', categoryCode: 'AGRI.MEAT.PORK', spec: '400g/盒', unit: '盒', shelfLifeDays: 7, gtin: gtin13('694281730010') } },
  cherries: { op: 'importer', input: { name: '智利车厘子（JJ 级）', categoryCode: 'IMPORT.COLDCHAIN', spec: '5kg/箱，原产国：智利', unit: '箱', shelfLifeDays: 30, gtin: gtin13('693846100025') } },
  salmon: { op: 'importer', input: { name: '挪威冰鲜三文鱼', categoryCode: 'IMPORT.AQUA', spec: '整条 5–6 kg，原产国：挪威', unit: 'kg', shelfLifeDays: 10 } },
};

const ROLE_NAMES: Record<string, string> = {
  regulator: '监管 regulator', 'operator-admin': '主体管理员 operator-admin', 'operator-staff': '主体员工 operator-staff', printer: '印刷企业 printer',
};

/** The demo accounts as printed: username, role and whom it belongs to. */
export const DEMO_USERS: readonly { username: string; role: UserRole; of: string }[] = [
  ...REGULATORS.map((r) => ({ username: r.username, role: 'regulator' as const, of: `${divisionPath(r.jurisdiction).join(' ')} (${r.jurisdiction})` })),
  ...OPERATORS.map((o) => ({ username: o.username, role: adminRole(o.input), of: o.input.name })),
  { username: STAFF.username, role: 'operator-staff', of: OPERATORS.find((o) => o.key === STAFF.operator)!.input.name },
];

/** A printing operator's own account is a printer account (what registration creates); every other is an operator-admin. */
function adminRole(o: OperatorInput): UserRole {
  return o.types.length === 1 && o.types[0] === 'printer' ? 'printer' : 'operator-admin';
}

const actorOf = (u: UserView): Actor => ({
  role: u.role as UserRole, userId: u.id, username: u.username, operatorId: u.operatorId ?? undefined, jurisdiction: u.jurisdiction ?? undefined,
});

type Ops = Record<OpKey, { id: string; uscc: string; actor: Actor; siteIds: string[] }>;

/**
 * Registers the parties: regulators, operators registered by the platform and approved by the regulator of their
 * city or province, each with its admin account and sites, and one supermarket staff account.
 */
async function seedParties(s: Services, log: (m: string) => void): Promise<{ ops: Ops; staff: Actor; fj: Actor }> {
  const regulators = new Map<string, Actor>();
  for (const r of REGULATORS) {
    const u = await s.accounts.createUser(SYSTEM, { username: r.username, password: DEMO_PASSWORD, displayName: r.displayName, role: 'regulator', jurisdiction: r.jurisdiction });
    regulators.set(r.jurisdiction, actorOf(u));
  }
  // Xiamen's own regulator reviews Xiamen registrations; the province reviews the rest.
  const reviewerOf = (division: string) => regulators.get(division.startsWith('3502') ? '350200' : '350000')!;

  const ops = {} as Ops;
  for (const o of OPERATORS) {
    const view = await s.registry.register(SYSTEM, o.input);
    const admin = await s.accounts.createUser(SYSTEM, {
      username: o.username, password: DEMO_PASSWORD, displayName: `${o.input.name}（管理员）`, role: adminRole(o.input), operatorId: view.id,
    });
    await s.registry.review(reviewerOf(o.input.divisionCode), view.id, 'approve', null);
    const actor = actorOf(admin);
    // A printer account may not manage its operator, so the platform adds the printer's sites.
    const siteActor = admin.role === 'printer' ? SYSTEM : actor;
    const siteIds = [];
    for (const site of o.sites) siteIds.push((await s.registry.addSite(siteActor, view.id, site)).id);
    ops[o.key] = { id: view.id, uscc: view.uscc, actor, siteIds };
    log(`demo: ${o.input.name} (${o.input.uscc}) registered and approved`);
  }
  const staff = await s.accounts.createUser(ops[STAFF.operator].actor, {
    username: STAFF.username, password: DEMO_PASSWORD, displayName: STAFF.displayName, role: 'operator-staff', operatorId: ops[STAFF.operator].id,
  });
  return { ops, staff: actorOf(staff), fj: regulators.get('350000')! };
}

/**
 * Creates the whole chain through the services, each step by the party that does it, dated over the last days:
 * pig farm → slaughterhouse (cut into new batches with new codes) → wholesale market → supermarkets; cooperative
 * vegetables → market → supermarket and restaurant; imports → supermarket and restaurant; a printer's code pool.
 * Returns the codes worth scanning.
 */
async function seedChain(s: Services, log: (m: string) => void): Promise<DemoMarker['sampleCodes']> {
  const { ops, staff, fj } = await seedParties(s, log);
  const today = chinaDate(new Date());
  const day = (daysAgo: number) => addDays(today, -daysAgo);
  // Every event lies a day or more back, so no local time can be in the future.
  const time = (daysAgo: number, hhmm: string) => `${day(daysAgo)}T${hhmm}:00+08:00`;
  const lot = (prefix: string, daysAgo: number) => `${prefix}${day(daysAgo).replace(/-/g, '')}`;
  const to = (k: OpKey) => ({ operatorId: ops[k].id });
  const from = (k: OpKey) => ({ uscc: ops[k].uscc });

  const products = {} as Record<ProductKey, string>;
  for (const [key, p] of Object.entries(PRODUCTS) as [ProductKey, (typeof PRODUCTS)[ProductKey]][]) {
    products[key] = (await s.catalog.addProduct(ops[p.op].actor, ops[p.op].id, p.input)).id;
  }
  const { coop, pigFarm, slaughterhouse: sh, market, fzMart, restaurant, importer } = ops;

  // Pork: feed and a veterinary drug long before slaughter, the pigs leave the farm with their quarantine certificate.
  await s.records.inputsApplied(pigFarm.actor, { siteId: pigFarm.siteIds[0], category: 'vet_drug', productName: '氟苯尼考注射液', registrationNo: '兽药字 (2021) 110162456', dose: '20', doseUnit: 'mg/kg', appliedOn: day(45), intervalDays: 28 });
  await s.records.inputsApplied(pigFarm.actor, { siteId: pigFarm.siteIds[0], category: 'feed', productName: '育肥猪配合饲料', dose: '2.8', doseUnit: 'kg/头·日', appliedOn: day(10) });
  const pigs = (await s.records.harvest(pigFarm.actor, { productId: products.pig, siteId: pigFarm.siteIds[0], lotNumber: lot('JO', 4), quantity: '20', harvestedOn: day(4) })).batches[0];
  const pigCode = pigs.batchCode!.code;
  const quarantine = { type: 'animal_quarantine' as const, number: '3507831186', issuer: '建瓯市动物卫生监督所', issuedOn: day(4) };
  await s.records.shipping(pigFarm.actor, { occurredAt: time(4, '08:30'), siteId: pigFarm.siteIds[0], to: to('slaughterhouse'), goods: [{ code: pigCode, quantity: '20' }], vehiclePlate: '闽H·D5287', certificates: [quarantine] });
  await s.records.receiving(sh.actor, { occurredAt: time(3, '04:50'), siteId: sh.siteIds[0], from: from('pigFarm'), goods: [{ code: pigCode, quantity: '20' }], certificates: [quarantine], invoices: [{ number: 'FP35078300182', issuedOn: day(4) }] });
  // Slaughter and cutting: the pigs become carcasses and boxed tenderloin, new batches with new codes.
  const cuts = (await s.records.transformation(sh.actor, {
    occurredAt: time(3, '09:00'), siteId: sh.siteIds[0], kind: 'processing', inputs: [{ code: pigCode, quantity: '20' }],
    outputs: [
      { productId: products.carcass, quantity: '1520.5', lotNumber: lot('BT', 3), producedOn: day(3) },
      { productId: products.tenderloin, quantity: '120', lotNumber: lot('LJ', 3), producedOn: day(3) },
    ],
  })).batches;
  const [carcass, tenderloin] = [cuts[0].batchCode!.code, cuts[1]];
  const meatQuality = { type: 'meat_quality' as const, number: '350181-0307-2215', issuer: '福清市兴旺肉类联合加工有限公司品质检验室', issuedOn: day(3) };
  await s.records.certificate(sh.actor, { occurredAt: time(3, '10:00'), siteId: sh.siteIds[0], code: carcass, certificates: [meatQuality] });
  const items = await s.codes.issueItemCodes(sh.actor, tenderloin.id, 120);
  await s.records.shipping(sh.actor, { occurredAt: time(3, '14:00'), siteId: sh.siteIds[0], to: to('market'), goods: [{ code: carcass, quantity: '800' }], vehiclePlate: '闽A·K3391', certificates: [meatQuality, quarantine] });
  const boxes = items.codes.slice(0, 24).map((code) => ({ code }));
  await s.records.shipping(sh.actor, { occurredAt: time(3, '15:00'), siteId: sh.siteIds[0], to: to('fzMart'), goods: boxes, vehiclePlate: '闽A·K3391', certificates: [meatQuality] });
  await s.records.receiving(market.actor, { occurredAt: time(2, '03:40'), siteId: market.siteIds[1], from: from('slaughterhouse'), goods: [{ code: carcass, quantity: '800' }], certificates: [meatQuality, quarantine], invoices: [{ number: 'FP35018100937', issuedOn: day(3) }] });
  await s.records.receiving(fzMart.actor, { occurredAt: time(2, '06:10'), siteId: fzMart.siteIds[0], from: from('slaughterhouse'), goods: boxes, certificates: [meatQuality] });
  await s.records.sale(market.actor, { occurredAt: time(2, '05:30'), siteId: market.siteIds[1], to: to('xmMart'), goods: [{ code: carcass, quantity: '150' }], price: { amount: '3450.00', currency: 'CNY' }, invoiceNo: '35022100461' });
  await s.records.receiving(staff, { occurredAt: time(2, '07:20'), siteId: ops.xmMart.siteIds[0], from: from('market'), goods: [{ code: carcass, quantity: '150' }], certificates: [meatQuality] });
  await s.records.sale(staff, { occurredAt: time(1, '19:30'), siteId: ops.xmMart.siteIds[0], goods: [{ code: carcass, quantity: '38.6' }], price: { amount: '1505.40', currency: 'CNY' } });

  // Vegetables: fertiliser and a pesticide with its pre-harvest interval, harvest, commitment certificate, market, buyers.
  await s.records.inputsApplied(coop.actor, { siteId: coop.siteIds[0], category: 'fertilizer', productName: '商品有机肥', dose: '300', doseUnit: 'kg/亩', appliedOn: day(25) });
  await s.records.inputsApplied(coop.actor, { siteId: coop.siteIds[0], category: 'pesticide', productName: '0.3% 苦参碱水剂', registrationNo: 'PD20101580', dose: '150', doseUnit: 'mL/亩', appliedOn: day(12), intervalDays: 7 });
  const greens = (await s.records.harvest(coop.actor, { productId: products.qinggengcai, siteId: coop.siteIds[0], lotNumber: lot('QGC', 2), quantity: '800', harvestedOn: day(2) })).batches[0];
  const choySum = (await s.records.harvest(coop.actor, { productId: products.caixin, siteId: coop.siteIds[1], lotNumber: lot('CX', 1), quantity: '600', harvestedOn: day(1) })).batches[0];
  const [greensCode, choySumCode] = [greens.batchCode!.code, choySum.batchCode!.code];
  // The printer printed the cooperative's pool ahead; the bags of this harvest use the first 600 labels.
  const pool = await s.codes.createPool(coop.actor, { ownerOperatorId: coop.id, printerOperatorId: ops.printer.id, kind: 'item', size: 1000, note: '菜心 500g 袋装预印标签（1000 枚/卷）' });
  const bagCodes = (await s.codes.activateFromPool(coop.actor, pool.id, choySum.id, 600)).codes;
  const commitment = (batch: string, daysAgo: number) => ({ type: 'commitment' as const, number: `HG350121${day(daysAgo).replace(/-/g, '')}${batch}`, issuer: '闽侯县绿源蔬菜专业合作社', issuedOn: day(daysAgo) });
  await s.records.shipping(coop.actor, { occurredAt: time(2, '07:00'), siteId: coop.siteIds[1], to: to('market'), goods: [{ code: greensCode, quantity: '500' }], vehiclePlate: '闽A·F2786', certificates: [commitment('01', 2)] });
  await s.records.receiving(market.actor, { occurredAt: time(2, '16:00'), siteId: market.siteIds[0], from: from('coop'), goods: [{ code: greensCode, quantity: '500' }], certificates: [commitment('01', 2)], invoices: [{ number: 'FP35012100215', issuedOn: day(2) }] });
  await s.records.inspection(market.actor, {
    occurredAt: time(2, '17:00'), siteId: market.siteIds[0], code: greensCode, kind: 'rapid_test', lab: '鹭岛市场快检室', public: true, result: 'pass',
    items: [{ name: '有机磷和氨基甲酸酯类农药（酶抑制率）', value: '11.6', limit: '50', unit: '%', result: 'pass' }],
  });
  await s.records.shipping(coop.actor, { occurredAt: time(1, '06:00'), siteId: coop.siteIds[1], to: to('market'), goods: [{ code: choySumCode, quantity: '400' }], vehiclePlate: '闽A·F2786', certificates: [commitment('02', 1)] });
  await s.records.receiving(market.actor, { occurredAt: time(1, '12:00'), siteId: market.siteIds[0], from: from('coop'), goods: [{ code: choySumCode, quantity: '400' }], certificates: [commitment('02', 1)] });
  await s.records.sale(market.actor, { occurredAt: time(1, '05:30'), siteId: market.siteIds[0], to: to('xmMart'), goods: [{ code: greensCode, quantity: '120' }], price: { amount: '576.00', currency: 'CNY' } });
  await s.records.sale(market.actor, { occurredAt: time(1, '13:00'), siteId: market.siteIds[0], to: to('restaurant'), goods: [{ code: greensCode, quantity: '30' }, { code: choySumCode, quantity: '80' }], price: { amount: '624.00', currency: 'CNY' } });
  await s.records.receiving(staff, { occurredAt: time(1, '07:10'), siteId: ops.xmMart.siteIds[0], from: from('market'), goods: [{ code: greensCode, quantity: '120' }], certificates: [commitment('01', 2)] });
  await s.records.receiving(restaurant.actor, { occurredAt: time(1, '15:00'), siteId: restaurant.siteIds[0], from: from('market'), goods: [{ code: greensCode, quantity: '30' }, { code: choySumCode, quantity: '80' }] });
  await s.records.inspection(fj, {
    occurredAt: time(1, '10:00'), code: greensCode, kind: 'official_sampling', lab: '福建省产品质量检验研究院', reportNo: `SC${day(1).replace(/-/g, '')}3501`, public: true, result: 'pass',
    items: [
      { name: '毒死蜱', value: '未检出', limit: '0.02', unit: 'mg/kg', result: 'pass' },
      { name: '腐霉利', value: '未检出', limit: '5', unit: 'mg/kg', result: 'pass' },
    ],
  });

  // Imports: recorded by the importer on arrival, delivered to the Xiamen supermarket and restaurant.
  const cherries = await s.batches.create(importer.actor, { productId: products.cherries, siteId: importer.siteIds[0], lotNumber: lot('CL', 12), quantity: '400', producedOn: day(12) });
  const salmon = await s.batches.create(importer.actor, { productId: products.salmon, siteId: importer.siteIds[0], lotNumber: lot('NO', 4), quantity: '300', producedOn: day(4) });
  const [cherriesCode, salmonCode] = [cherries.batchCode!.code, salmon.batchCode!.code];
  await s.records.shipping(importer.actor, { occurredAt: time(2, '09:00'), siteId: importer.siteIds[0], to: to('xmMart'), goods: [{ code: cherriesCode, quantity: '40' }], vehiclePlate: '闽D·L0736' });
  await s.records.receiving(staff, { occurredAt: time(2, '11:00'), siteId: ops.xmMart.siteIds[0], from: from('importer'), goods: [{ code: cherriesCode, quantity: '40' }], invoices: [{ number: 'FP35020600581', issuedOn: day(2) }] });
  await s.records.shipping(importer.actor, { occurredAt: time(2, '10:00'), siteId: importer.siteIds[0], to: to('restaurant'), goods: [{ code: salmonCode, quantity: '30' }], vehiclePlate: '闽D·L0736' });
  await s.records.receiving(restaurant.actor, { occurredAt: time(2, '11:40'), siteId: restaurant.siteIds[0], from: from('importer'), goods: [{ code: salmonCode, quantity: '30' }] });

  log(`demo: ${OPERATORS.length} operators, ${Object.keys(PRODUCTS).length} batches, ${items.count} item codes, pool ${pool.id} (${bagCodes.length}/${pool.size} activated), the chain's events recorded`);
  return [
    { label: '菜心批次码 / choy sum batch code', code: choySumCode },
    { label: '菜心袋装单品码（预印码池）/ choy sum bag, pre-printed pool code', code: bagCodes[0] },
    { label: '白条猪肉批次码（屠宰分割）/ pork carcass batch code (from slaughter)', code: carcass },
    { label: '冷鲜猪里脊单品码 / chilled pork tenderloin item code', code: items.codes[0] },
    { label: '智利车厘子批次码 / Chilean cherries batch code', code: cherriesCode },
  ];
}

/** A Database on one transaction's client: services read through pool.query only, and their transactions nest into it. */
function onOneClient(q: Queryable): Database {
  return { pool: q as unknown as Database['pool'], tx: (fn) => fn(q), close: async () => {} };
}

/** Seeds in one transaction, so a failure leaves nothing behind; null when the demo is there already. */
async function seed(db: Database, config: Config, log: (m: string) => void): Promise<DemoMarker | null> {
  return db.tx(async (q) => {
    const marker: DemoMarker = { seededAt: new Date().toISOString(), sampleCodes: [] };
    if (!(await demoDal(q).claim(marker))) return null;
    log('seeding the demo chain / 写入演示数据…');
    marker.sampleCodes = await seedChain(createServices(onOneClient(q), config), log);
    await demoDal(q).update(marker);
    return marker;
  });
}

/** The lines to print: the demo logins, with their role and password, and codes to scan. */
function demoLines(config: Config, marker: DemoMarker): string[] {
  const width = Math.max(...DEMO_USERS.map((u) => u.username.length));
  return [
    `演示账号（仅供演示，请勿用于生产）/ demo accounts, for demonstration only — password 密码: ${DEMO_PASSWORD}`,
    ...DEMO_USERS.map((u) => `  ${u.username.padEnd(width)}  ${ROLE_NAMES[u.role]} · ${u.of}`),
    '扫码示例 / scan to try:',
    ...marker.sampleCodes.map((c) => `  ${config.publicUrl}/t/${c.code}  ${c.label}`),
  ];
}

/** Seeds the Fujian demo chain and returns the lines to print; refuses (DEMO_ALREADY_SEEDED) when it is there already. */
export async function seedDemo(db: Database, config: Config, log: (m: string) => void): Promise<string[]> {
  const marker = await seed(db, config, log);
  if (!marker) {
    const at = (await demoDal(db.pool).marker())?.seededAt ?? '';
    throw conflict('DEMO_ALREADY_SEEDED', `演示数据已存在（写入于 ${at}），未重复写入`, `The demo data is already here (seeded ${at}); nothing was added`, { seededAt: at });
  }
  return demoLines(config, marker);
}

/**
 * Seeds the demo chain on a node that holds no operators yet, and returns the demo logins to print whenever the
 * demo is present (seeded now or before); an empty list on a node with other data.
 */
export async function seedDemoIfEmpty(db: Database, config: Config, log: (m: string) => void): Promise<string[]> {
  const existing = await demoDal(db.pool).marker();
  if (existing) return demoLines(config, existing);
  if (await demoDal(db.pool).hasOperators()) return [];
  const marker = (await seed(db, config, log)) ?? (await demoDal(db.pool).marker())!;
  return demoLines(config, marker);
}
