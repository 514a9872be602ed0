/**
 * The service behaviours no public source settles (service-facts #10–#24), by the names PRODUCT §11 gives
 * them, with the readings each can have. The probe observes one reading per name on a real account; the
 * emulator (emulator/behaviour.ts, which shares no code with lib/) takes the same names and values, and a
 * test keeps the two lists equal.
 */

/** Every behaviour and its readings. */
export const BEHAVIOUR_READINGS = {
  /** UpdateIntegration's requestParameters: merged key by key with the stored map, or the map replaced. */
  "requestParameters.patch": ["merge", "replace"],
  /** A request parameter sent with "" (no subtype): removes the key, is stored as "", or is a 400. */
  "requestParameters.emptyString": ["removes", "stored", "rejected"],
  /** UpdateIntegration's requestTemplates: merged key by key, or the map replaced whole. */
  "requestTemplates.patch": ["merge", "replace"],
  /** A responseParameters status code sent with {}: removes the code, is stored as {}, or is a 400. */
  "responseParameters.emptyObject": ["removes", "stored", "rejected"],
  /** description sent as "": clears it, is stored as "", or is a 400. */
  "description.emptyString": ["clears", "stored", "rejected"],
  /** Another string field sent as "" (the probe tries templateSelectionExpression). */
  "stringFields.emptyString": ["clears", "stored", "rejected"],
  /** An UpdateIntegration of an AWS service integration that does not name integrationSubtype. */
  "subtype.updateWithoutSubtype": ["accepted", "rejected"],
  /** A "" request parameter on an AWS service integration. */
  "subtype.emptyStringParameter": ["accepted", "rejected"],
  /** integrationSubtype changed in place. */
  "subtype.change": ["accepted", "rejected"],
  /** An AWS service integration's update that does not re-send its request parameters: fine ("stored"), or a 400 ("sent"). */
  "subtype.requiredParametersOnUpdate": ["stored", "sent"],
  /** tlsConfig sent as {}: removes it, is stored and echoed back as {}, or is a 400. */
  "tlsConfig.emptyObject": ["removes", "stored", "rejected"],
  /** The largest GetIntegrations maxResults the service accepts, of these. */
  "getIntegrations.maxPageSize": [500, 100, 50, 25],
  /** Whether a call refused with 429 spends a token of the account's bucket. */
  "throttle.refusedSpendsQuota": [false, true],
} as const;

export type BehaviourName = keyof typeof BEHAVIOUR_READINGS;
export type Reading<N extends BehaviourName = BehaviourName> = (typeof BEHAVIOUR_READINGS)[N][number];
/** One reading per behaviour. */
export type Readings = { [N in BehaviourName]: Reading<N> };

/** What a probe reports when it could not tell: an experiment that failed, or one it did not run. */
export const UNKNOWN = "unknown";
export type Observed<N extends BehaviourName = BehaviourName> = Reading<N> | typeof UNKNOWN;

export const BEHAVIOUR_NAMES = Object.keys(BEHAVIOUR_READINGS) as BehaviourName[];

/** The names PRODUCT §11 requires in every probe result; the others are the emulator's extra readings. */
export const SECTION_11_NAMES: readonly BehaviourName[] = [
  "requestParameters.patch",
  "requestParameters.emptyString",
  "requestTemplates.patch",
  "responseParameters.emptyObject",
  "description.emptyString",
  "subtype.updateWithoutSubtype",
  "subtype.emptyStringParameter",
  "tlsConfig.emptyObject",
  "getIntegrations.maxPageSize",
];

/**
 * The best-sourced reading of each (README, "Behaviours": the emulator's defaults, with the source of
 * each there). A probe's observation is judged one behaviour at a time against this background.
 */
export const BASELINE: Readings = {
  "requestParameters.patch": "merge",
  "requestParameters.emptyString": "removes",
  "requestTemplates.patch": "replace",
  "responseParameters.emptyObject": "removes",
  "description.emptyString": "clears",
  "stringFields.emptyString": "clears",
  "subtype.updateWithoutSubtype": "rejected",
  "subtype.emptyStringParameter": "rejected",
  "subtype.change": "rejected",
  "subtype.requiredParametersOnUpdate": "sent",
  "tlsConfig.emptyObject": "removes",
  "getIntegrations.maxPageSize": 500,
  "throttle.refusedSpendsQuota": false,
};

export function isBehaviourName(name: string): name is BehaviourName {
  return Object.hasOwn(BEHAVIOUR_READINGS, name);
}

/** The reading `raw` spells for `name` (a probe file may say `100` or `"100"`), or undefined. */
export function readingOf<N extends BehaviourName>(name: N, raw: unknown): Reading<N> | undefined {
  const values = BEHAVIOUR_READINGS[name] as readonly Reading<N>[];
  return values.find((v) => v === raw || String(v) === String(raw));
}
