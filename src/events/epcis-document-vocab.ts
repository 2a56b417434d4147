/**
 * The standard vocabularies of EPCIS 2.0 / CBV 2.0 that the JSON-LD binding writes as bare words
 * ("receiving", "in_transit", "Temperature"), and the compaction of their URN, web-URI and CURIE
 * spellings to those words so that every capture ends in one canonical form.
 */

export const BIZ_STEPS: ReadonlySet<string> = new Set([
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning', 'creating_class_instance',
  'cycle_counting', 'decommissioning', 'departing', 'destroying', 'disassembling', 'dispensing', 'encoding',
  'entering_exiting', 'holding', 'inspecting', 'installing', 'killing', 'loading', 'other', 'packing', 'picking',
  'receiving', 'removing', 'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'shipping',
  'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting', 'unloading', 'unpacking',
  'void_shipping', 'sensor_reporting', 'sampling',
]);

export const DISPOSITIONS: ReadonlySet<string> = new Set([
  'active', 'container_closed', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded', 'expired',
  'in_progress', 'in_transit', 'inactive', 'no_pedigree_match', 'non_sellable_other', 'partially_dispensed',
  'recalled', 'reserved', 'retail_sold', 'returned', 'sellable_accessible', 'sellable_not_accessible', 'stolen',
  'unknown', 'available', 'completeness_verified', 'completeness_inferred', 'conformant', 'container_open',
  'mismatch_instance', 'mismatch_class', 'mismatch_quantity', 'needs_replacement', 'non_conformant', 'unavailable',
]);

export const BIZ_TRANSACTION_TYPES: ReadonlySet<string> = new Set([
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd', 'testres', 'upevt',
]);

export const SOURCE_DEST_TYPES: ReadonlySet<string> = new Set(['owning_party', 'possessing_party', 'location']);

export const ERROR_REASONS: ReadonlySet<string> = new Set(['did_not_occur', 'incorrect_data']);

export const MEASUREMENT_TYPES: ReadonlySet<string> = new Set([
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity', 'Altitude',
  'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle', 'AngularAcceleration', 'AngularMomentum',
  'AngularVelocity', 'Area', 'Capacitance', 'Conductance', 'Conductivity', 'Count', 'Density', 'Dimensionless',
  'DoseEquivalent', 'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge', 'ElectricCurrent',
  'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy', 'Exposure', 'Force', 'Frequency', 'Illuminance',
  'Inductance', 'Irradiance', 'KinematicViscosity', 'Length', 'LinearMomentum', 'Luminance', 'LuminousFlux',
  'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity', 'MagneticVectorPotential', 'Mass',
  'MassConcentration', 'MassFlowRate', 'MassPerAreaTime', 'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy',
  'MolarMass', 'MolarVolume', 'Power', 'Pressure', 'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity',
  'Resistance', 'Resistivity', 'SolidAngle', 'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension',
  'Temperature', 'Time', 'Torque', 'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux',
  'Wavenumber',
]);

export const SENSOR_ALERT_TYPES: ReadonlySet<string> = new Set(['ALARM_CONDITION', 'ERROR_CONDITION']);

export const COMPONENTS: ReadonlySet<string> = new Set([
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle', 'elevation_angle',
  'easting', 'northing', 'latitude', 'longitude', 'altitude',
]);

/**
 * One vocabulary: its bare words and the prefixes that spell a word out as a full identifier. An open
 * vocabulary also takes words outside the list, which are canonically written as `open` + word.
 */
export interface Vocabulary { words: ReadonlySet<string>; prefixes: readonly string[]; open?: string }

/** A bare term of a vocabulary (`Temperature`, `Molar_concentration`), as the JSON-LD binding writes them. */
export const isVocabularyWord = (v: string): boolean => /^[A-Za-z_][\w.-]*$/.test(v);

/** CBV terms: the 1.x URN (still used by XML senders), the CBV 2.0 web URI and its `cbv:` CURIE. */
const cbv = (words: ReadonlySet<string>, urn: string | null, web: string): Vocabulary => ({
  words,
  prefixes: [...(urn ? [`urn:epcglobal:cbv:${urn}:`] : []), `https://ref.gs1.org/cbv/${web}-`, `cbv:${web}-`],
});
/** GS1 web vocabulary terms, which XML writes as `gs1:Temperature`. */
const gs1 = (words: ReadonlySet<string>, open = false): Vocabulary =>
  ({ words, prefixes: ['https://gs1.org/voc/', 'gs1:'], ...(open ? { open: 'gs1:' } : {}) });

export const VOCAB = {
  bizStep: cbv(BIZ_STEPS, 'bizstep', 'BizStep'),
  disposition: cbv(DISPOSITIONS, 'disp', 'Disp'),
  bizTransactionType: cbv(BIZ_TRANSACTION_TYPES, 'btt', 'BTT'),
  sourceDestType: cbv(SOURCE_DEST_TYPES, 'sdt', 'SDT'),
  errorReason: cbv(ERROR_REASONS, 'er', 'ER'),
  // Sensor components are new in CBV 2.0 and have no URN form.
  component: cbv(COMPONENTS, null, 'Comp'),
  // Sensor types outside GS1's list are accepted (epcis-validate.ts); the JSON-LD binding reads a bare word
  // as a GS1 web-vocabulary term, so an unlisted one is kept as its gs1: CURIE, which names it in any context.
  measurementType: gs1(MEASUREMENT_TYPES, true),
  sensorAlertType: gs1(SENSOR_ALERT_TYPES),
} as const satisfies Record<string, Vocabulary>;

/**
 * The bare word for a standard term written in any of its long forms. In an open vocabulary, a word outside
 * the list, bare or in a long form, is written `open` + word (`EffectiveDoseRate` → `gs1:EffectiveDoseRate`).
 * Anything else comes back unchanged.
 */
export function compactTerm(vocab: Vocabulary, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (vocab.words.has(value)) return value;
  for (const prefix of vocab.prefixes) {
    if (!value.startsWith(prefix)) continue;
    const word = value.slice(prefix.length);
    if (vocab.words.has(word)) return word;
    if (vocab.open && isVocabularyWord(word)) return vocab.open + word;
  }
  return vocab.open && isVocabularyWord(value) ? vocab.open + value : value;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** Rewrites, in place, every standard-vocabulary value of one JSON-LD event to its bare word. */
export function compactEventVocabulary(event: Json): void {
  if ('bizStep' in event) event.bizStep = compactTerm(VOCAB.bizStep, event.bizStep);
  if ('disposition' in event) event.disposition = compactTerm(VOCAB.disposition, event.disposition);
  const persistent = event.persistentDisposition;
  if (isObject(persistent)) {
    for (const key of ['set', 'unset']) {
      const list = persistent[key];
      if (Array.isArray(list)) persistent[key] = list.map((d) => compactTerm(VOCAB.disposition, d));
    }
  }
  for (const bt of objects(event.bizTransactionList)) {
    if ('type' in bt) bt.type = compactTerm(VOCAB.bizTransactionType, bt.type);
  }
  for (const sd of [...objects(event.sourceList), ...objects(event.destinationList)]) {
    if ('type' in sd) sd.type = compactTerm(VOCAB.sourceDestType, sd.type);
  }
  const error = event.errorDeclaration;
  if (isObject(error) && 'reason' in error) error.reason = compactTerm(VOCAB.errorReason, error.reason);
  for (const element of objects(event.sensorElementList)) {
    for (const report of objects(element.sensorReport)) {
      if ('type' in report) report.type = compactTerm(VOCAB.measurementType, report.type);
      if ('exception' in report) report.exception = compactTerm(VOCAB.sensorAlertType, report.exception);
      if ('component' in report) report.component = compactTerm(VOCAB.component, report.component);
    }
  }
}
