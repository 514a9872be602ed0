/**
 * The emulator's switchable readings of what the service does where no first-hand source settles it
 * (PRODUCT §11). Each behaviour has every reading implemented, a default (the best-sourced reading, with
 * the reason), and can be set at start (`startEmulator({ behaviour })`, `--behaviour name=value`,
 * `--behaviour-file probe.json`) or between calls (`emulator.behaviour[name] = value`).
 *
 * The names are PRODUCT §11's probe names, so a `probe --json` result maps 1:1 onto a Behaviour.
 */

/** Every behaviour and its readings. */
export interface Behaviour {
  /** UpdateIntegration's requestParameters: merged key by key with the stored map, or the map replaced. */
  "requestParameters.patch": "merge" | "replace";
  /** A request parameter sent with "" (integrations without a subtype): removes the key, is stored as "", or is a 400. */
  "requestParameters.emptyString": "removes" | "stored" | "rejected";
  /** UpdateIntegration's requestTemplates: merged key by key, or the map replaced whole. */
  "requestTemplates.patch": "merge" | "replace";
  /** A responseParameters status code sent with {}: removes the code, is stored as {}, or is a 400. */
  "responseParameters.emptyObject": "removes" | "stored" | "rejected";
  /** description sent as "": clears it, is stored as "", or is a 400. */
  "description.emptyString": "clears" | "stored" | "rejected";
  /**
   * The other plain string fields sent as "" (credentialsArn, connectionId, templateSelectionExpression,
   * contentHandlingStrategy, connectionType, passthroughBehavior; integrationUri and integrationMethod
   * where the type needs none): clear, stored, or a 400. Not a §11 probe name: facts #20 generalised.
   */
  "stringFields.emptyString": "clears" | "stored" | "rejected";
  /** An UpdateIntegration of an AWS service integration whose body does not name integrationSubtype. */
  "subtype.updateWithoutSubtype": "accepted" | "rejected";
  /** A request parameter sent with "" on an AWS service integration: removes the key, or a 400. */
  "subtype.emptyStringParameter": "accepted" | "rejected";
  /** Changing integrationSubtype (or adding one) in place. Not a §11 probe name. */
  "subtype.change": "accepted" | "rejected";
  /**
   * Where the subtype's required request parameters must be on UpdateIntegration: in the stored result
   * only, or in every request body's requestParameters. Not a §11 probe name.
   */
  "subtype.requiredParametersOnUpdate": "stored" | "sent";
  /** tlsConfig sent as {}: removes it, is stored and echoed back as {} (moto), or is a 400. */
  "tlsConfig.emptyObject": "removes" | "stored" | "rejected";
  /** The largest maxResults GetIntegrations accepts; a larger one is refused with a 400 (not clamped). */
  "getIntegrations.maxPageSize": 500 | 100 | 50 | 25;
  /** Whether a call refused with 429 spends a token of the throttle's bucket (facts #24). */
  "throttle.refusedSpendsQuota": boolean;
}

export type BehaviourName = keyof Behaviour;

export interface BehaviourRow<N extends BehaviourName = BehaviourName> {
  values: readonly Behaviour[N][];
  default: Behaviour[N];
  /** Why the default is the default: the source of the reading. */
  why: string;
  /** True when a first-hand or probe source settles the default; false: still unsettled. */
  settled: boolean;
}

/** Every behaviour with its readings, default and the reason for the default. */
export const BEHAVIOURS: { readonly [N in BehaviourName]: BehaviourRow<N> } = {
  "requestParameters.patch": {
    values: ["merge", "replace"],
    default: "merge",
    why: 'cdkd #1160, live-probed: "Integration RequestParameters also merge per-key ({} does not clear)"; terraform sends removed keys with "", which only makes sense for a merge',
    settled: true,
  },
  "requestParameters.emptyString": {
    values: ["removes", "stored", "rejected"],
    default: "removes",
    why: 'terraform: "Parameters are removed by setting the associated value to \\"\\"."; cdkd #1160 removes dropped keys with "" (probed)',
    settled: true,
  },
  "requestTemplates.patch": {
    values: ["merge", "replace"],
    default: "replace",
    why: "facts #12, unsettled: terraform sends the whole map with no markers and moto replaces maps wholesale; nothing says merge",
    settled: false,
  },
  "responseParameters.emptyObject": {
    values: ["removes", "stored", "rejected"],
    default: "removes",
    why: 'terraform: "Parameters are removed by setting the associated value to {}." (client code, not probed)',
    settled: false,
  },
  "description.emptyString": {
    values: ["clears", "stored", "rejected"],
    default: "clears",
    why: 'facts #20: cdkd PR #1163, "live-probed against real AWS": Integration Description "" clears it',
    settled: true,
  },
  "stringFields.emptyString": {
    values: ["clears", "stored", "rejected"],
    default: "clears",
    why: 'facts #20 generalised from description; "" on credentialsArn / templateSelectionExpression / connectionId is unverified',
    settled: false,
  },
  "subtype.updateWithoutSubtype": {
    values: ["accepted", "rejected"],
    default: "rejected",
    why: 'facts #17: cdkd #1603 A/B probe (us-east-1): "RequestParameters alone -> BadRequestException, RequestParameters + IntegrationSubtype -> OK", message "Invalid integration URI specified"',
    settled: true,
  },
  "subtype.emptyStringParameter": {
    values: ["accepted", "rejected"],
    default: "rejected",
    why: "facts #11: the service's 400 quoted in terraform-provider-aws#50061",
    settled: true,
  },
  "subtype.change": {
    values: ["accepted", "rejected"],
    default: "rejected",
    why: "unverified: terraform marks integration_subtype ForceNew (it never changes one in place) and PRODUCT §4 assumes it cannot be; the refusal's wording is ours",
    settled: false,
  },
  "subtype.requiredParametersOnUpdate": {
    values: ["stored", "sent"],
    default: "sent",
    why: 'terraform-provider-aws#22647 (user reports, SQS, Kinesis, Step Functions): an update that does not re-send the required request parameters fails, hence terraform\'s "some parameters are always required" re-send; the wording of the refusal is ours',
    settled: false,
  },
  "tlsConfig.emptyObject": {
    values: ["removes", "stored", "rejected"],
    default: "removes",
    why: "facts #23, unsettled: terraform sends {} to remove tlsConfig and expects it gone (client code); moto stores and echoes {}",
    settled: false,
  },
  "getIntegrations.maxPageSize": {
    values: [500, 100, 50, 25],
    default: 500,
    why: "facts #15, unsettled: maxResults is a string with no documented range; 500 was the emulator's assumption. A larger maxResults is refused (400), not clamped: that is what the §11 probe looks for",
    settled: false,
  },
  "throttle.refusedSpendsQuota": {
    values: [false, true],
    default: false,
    why: "facts #24, unsettled: a token bucket does not charge what it refuses; true models a refused call spending a token, so the bucket goes into debt",
    settled: false,
  },
};

export const BEHAVIOUR_NAMES = Object.keys(BEHAVIOURS) as BehaviourName[];

/** Every behaviour at its default. */
export function defaultBehaviour(): Behaviour {
  const out: Record<string, unknown> = {};
  for (const name of BEHAVIOUR_NAMES) out[name] = BEHAVIOURS[name].default;
  return out as unknown as Behaviour;
}

/** Thrown for an unknown behaviour name or a value it does not take. */
export class BehaviourError extends Error {
  override name = "BehaviourError";
}

export function isBehaviourName(name: string): name is BehaviourName {
  return Object.hasOwn(BEHAVIOURS, name);
}

/**
 * The value `raw` means for `name`: the same value, or its spelling as a string (`"100"`, `"true"`), so
 * `--behaviour getIntegrations.maxPageSize=100` and a probe's `"observed": 100` both work.
 * @throws BehaviourError naming the values the behaviour takes.
 */
export function behaviourValue<N extends BehaviourName>(name: N, raw: unknown): Behaviour[N] {
  const row = BEHAVIOURS[name] as BehaviourRow<N>;
  const found = row.values.find((v) => v === raw || String(v) === String(raw));
  if (found === undefined) {
    const values = row.values.map((v) => String(v)).join(" | ");
    throw new BehaviourError(`behaviour ${name} takes ${values}, not ${JSON.stringify(raw)}`);
  }
  return found;
}

/**
 * A full Behaviour: the defaults overlaid with `partial`, every value checked.
 * @throws BehaviourError for an unknown name or value.
 */
export function resolveBehaviour(partial: Partial<Behaviour> = {}): Behaviour {
  const out = defaultBehaviour() as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    if (!isBehaviourName(name)) {
      throw new BehaviourError(
        `unknown behaviour ${JSON.stringify(name)}; known: ${BEHAVIOUR_NAMES.join(", ")}`,
      );
    }
    out[name] = behaviourValue(name, value);
  }
  return out as unknown as Behaviour;
}

/**
 * Parses `--behaviour name=value`.
 * @throws BehaviourError for a malformed spec, an unknown name or value.
 */
export function parseBehaviourSpec(spec: string): Partial<Behaviour> {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new BehaviourError(`--behaviour takes name=value, got ${JSON.stringify(spec)}`);
  const name = spec.slice(0, eq);
  if (!isBehaviourName(name)) {
    throw new BehaviourError(
      `unknown behaviour ${JSON.stringify(name)}; known: ${BEHAVIOUR_NAMES.join(", ")}`,
    );
  }
  return { [name]: behaviourValue(name, spec.slice(eq + 1)) };
}

/** What a probe reports for a behaviour it could not settle (an error, a skipped experiment). */
export const UNKNOWN_OBSERVATION = "unknown";

/**
 * Reads a probe result (PRODUCT §11: `{ behaviours: { <name>: { observed, evidence } } }`). Unknown names
 * are skipped and reported in `warnings`, so a probe that learns a new behaviour still starts the emulator;
 * so is a behaviour the probe observed as `"unknown"` (it keeps its default, and the warning says so).
 * @throws BehaviourError when the document has no `behaviours` object or a known name has a bad value.
 */
export function behaviourFromProbe(doc: unknown): { behaviour: Partial<Behaviour>; warnings: string[] } {
  const behaviours = isObject(doc) ? doc.behaviours : undefined;
  if (!isObject(behaviours)) {
    throw new BehaviourError(
      'a behaviour file must be a probe result: { "behaviours": { "<name>": { "observed": ... } } }',
    );
  }
  const behaviour: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [name, entry] of Object.entries(behaviours)) {
    if (!isBehaviourName(name)) {
      warnings.push(`ignoring unknown behaviour ${JSON.stringify(name)}`);
      continue;
    }
    if (!isObject(entry) || !("observed" in entry)) {
      throw new BehaviourError(`behaviour ${name} has no "observed" value`);
    }
    if (entry.observed === UNKNOWN_OBSERVATION) {
      warnings.push(
        `behaviour ${name} was not settled by the probe; keeping ${String(BEHAVIOURS[name].default)}`,
      );
      continue;
    }
    behaviour[name] = behaviourValue(name, entry.observed);
  }
  return { behaviour: behaviour as Partial<Behaviour>, warnings };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
