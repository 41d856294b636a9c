/**
 * Reference data of the demo portfolio: industries (with their risk offset, usual payment terms and
 * business words for company names), regions and cities, and the characters of company brand names.
 * The risk offsets and term mixes are assumptions of the generator, documented in data/README.md.
 */

export interface Industry {
  code: string;
  zh: string;
  en: string;
  /** Share of customers in this industry. */
  weight: number;
  /** Added to the customer's latent risk (positive = riskier). */
  riskOffset: number;
  /** Probabilities of 30, 60 and 90 day terms. */
  terms: [number, number, number];
  /** Business words used in company names. */
  words: readonly string[];
}

export const INDUSTRIES: readonly Industry[] = [
  { code: "manufacturing", zh: "制造业", en: "Manufacturing", weight: 26, riskOffset: 0, terms: [0.3, 0.5, 0.2], words: ["精密机械", "机电设备", "五金制品", "模具", "汽车零部件", "塑胶制品", "电气"] },
  { code: "wholesale_retail", zh: "批发零售", en: "Wholesale & retail", weight: 18, riskOffset: 0.15, terms: [0.6, 0.3, 0.1], words: ["商贸", "贸易", "百货", "供应链管理", "实业"] },
  { code: "construction", zh: "建筑", en: "Construction", weight: 12, riskOffset: 0.45, terms: [0.1, 0.3, 0.6], words: ["建设工程", "建筑安装工程", "装饰工程", "市政工程", "建材"] },
  { code: "logistics", zh: "物流", en: "Logistics", weight: 10, riskOffset: 0.2, terms: [0.5, 0.4, 0.1], words: ["物流", "国际货运代理", "仓储", "运输"] },
  { code: "electronics", zh: "电子", en: "Electronics", weight: 10, riskOffset: -0.1, terms: [0.3, 0.5, 0.2], words: ["电子科技", "光电", "半导体", "智能科技"] },
  { code: "chemicals", zh: "化工", en: "Chemicals", weight: 7, riskOffset: 0.1, terms: [0.4, 0.4, 0.2], words: ["化工", "新材料", "涂料", "精细化工"] },
  { code: "food", zh: "食品", en: "Food & beverages", weight: 7, riskOffset: -0.2, terms: [0.6, 0.3, 0.1], words: ["食品", "农产品", "饮料", "粮油"] },
  { code: "pharma", zh: "医药", en: "Pharmaceuticals", weight: 5, riskOffset: -0.35, terms: [0.2, 0.4, 0.4], words: ["医药", "医疗器械", "生物科技"] },
  { code: "textiles", zh: "纺织服装", en: "Textiles & apparel", weight: 5, riskOffset: 0.25, terms: [0.4, 0.4, 0.2], words: ["纺织", "服饰", "印染", "针织"] },
];

export interface Region {
  zh: string;
  en: string;
  weight: number;
  cities: readonly string[];
}

export const REGIONS: readonly Region[] = [
  { zh: "华东", en: "East China", weight: 38, cities: ["苏州", "无锡", "宁波", "杭州", "上海", "南京", "常州", "温州", "合肥", "青岛", "济南", "嘉兴"] },
  { zh: "华南", en: "South China", weight: 22, cities: ["深圳", "广州", "东莞", "佛山", "厦门", "泉州", "中山"] },
  { zh: "华北", en: "North China", weight: 14, cities: ["北京", "天津", "石家庄", "唐山", "太原"] },
  { zh: "华中", en: "Central China", weight: 11, cities: ["武汉", "长沙", "郑州", "南昌"] },
  { zh: "西南", en: "Southwest China", weight: 8, cities: ["成都", "重庆", "昆明", "贵阳"] },
  { zh: "西北", en: "Northwest China", weight: 3, cities: ["西安", "兰州", "银川"] },
  { zh: "东北", en: "Northeast China", weight: 4, cities: ["沈阳", "大连", "长春", "哈尔滨"] },
];

export const BRAND_FIRST = "恒华鑫宏永瑞金德嘉中博天信汇联盛富海明佳新广协顺兴隆昌泰安锦".split("");
export const BRAND_SECOND = "达通源图利丰盛信和泰远成创世强川辉美宇力发茂业润邦科晟航展诚".split("");

/** Volume multipliers by calendar month (Jan..Dec): Chinese New Year dip, Golden Week, Q4 peak. */
export const SEASONALITY = [0.85, 0.6, 1.0, 1.0, 1.05, 1.05, 0.95, 0.95, 1.05, 0.92, 1.15, 1.3] as const;
