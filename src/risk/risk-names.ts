/**
 * The name of each risk rule, Chinese and English: what the rule catalogue (risk-rules.ts) and the regulator console
 * (web/src/regulator/risk/labels.ts) show. A module of its own, free of the rules' code and of zod, so that the web
 * application reads the very same names (it imports nothing, not even types, that the browser cannot compile).
 */
export const RULE_NAMES = {
  inspection_failed: { zh: '检验不合格', en: 'Inspection failed' },
  pre_harvest_interval: { zh: '未过安全间隔期或休药期', en: 'Inside the pre-harvest interval or withdrawal period' },
  banned_input: { zh: '使用或销售禁用、限用投入品', en: 'Banned or restricted input applied or sold' },
  undesignated_dealer: { zh: '非定点经营限用农药', en: 'Restricted pesticide sold by a non-designated dealer' },
  trading_while_barred: { zh: '许可证过期或被暂停仍在经营', en: 'Trading with an expired licence or while suspended' },
  cold_chain_excursion: { zh: '冷链温度超标', en: 'Cold-chain temperature excursion' },
  mass_balance: { zh: '物料不平衡', en: 'Mass balance' },
  suspected_clone: { zh: '疑似克隆码', en: 'Suspected clone code' },
  complaint_cluster: { zh: '投诉聚集', en: 'Cluster of complaints' },
  entry_admission_missing: { zh: '进货无上游记录比例过高', en: 'Too many receipts without upstream record' },
} as const satisfies Record<string, { zh: string; en: string }>;
