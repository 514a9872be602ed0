/**
 * The probe's result document, PRODUCT §11: `{ probedAt, region, behaviours: { <name>: { observed,
 * evidence } } }`, each behaviour also carrying what the product assumes (`assumed`: the readings it is
 * right under) and whether the observation `agrees` with that (null when the probe could not tell). The
 * emulator reads the same document (emulator/behaviour.ts behaviourFromProbe); so does plan/apply's
 * `--probe-result`, through `readProbeResult`.
 */
import { assumptionOf } from "./assumptions.ts";
import {
  BEHAVIOUR_READINGS,
  type BehaviourName,
  isBehaviourName,
  type Observed,
  type Reading,
  type Readings,
  readingOf,
  UNKNOWN,
} from "./behaviours.ts";
import type { Observation } from "./run.ts";

export interface ResultEntry extends Observation {
  assumed: readonly Reading[];
  agrees: boolean | null;
}

export interface ProbeResult {
  probedAt: string;
  region: string;
  behaviours: Partial<Record<BehaviourName, ResultEntry>>;
}

/** The document of a probe run's observations, with the product's assumption beside each. */
export function probeResult(
  probedAt: string,
  region: string,
  observations: Partial<Record<BehaviourName, Observation>>,
): ProbeResult {
  const behaviours: ProbeResult["behaviours"] = {};
  for (const [name, o] of Object.entries(observations) as [BehaviourName, Observation][]) {
    const assumed = assumptionOf(name).readings;
    behaviours[name] = {
      observed: o.observed,
      evidence: o.evidence,
      assumed,
      agrees: o.observed === UNKNOWN ? null : assumed.includes(o.observed as Reading),
    };
  }
  return { probedAt, region, behaviours };
}

/** A probe result that cannot be read, with where and why. */
export class ProbeResultError extends Error {
  override name = "ProbeResultError";
}

/** What a run takes from a probe result: the readings it settled, and the service's words for each. */
export interface ProbeReadings {
  readings: Partial<Readings>;
  evidence: Partial<Record<BehaviourName, string>>;
  probedAt?: string;
  region?: string;
}

/**
 * Reads a probe result document (parsed JSON). Behaviours it does not know (a newer probe) and ones
 * observed as "unknown" are left out.
 * @throws ProbeResultError for a document without `behaviours`, or a value a behaviour does not take.
 */
export function readProbeResult(doc: unknown): ProbeReadings {
  const behaviours = isRecord(doc) ? doc.behaviours : undefined;
  if (!isRecord(behaviours)) {
    throw new ProbeResultError(
      'not a probe result: expected { "behaviours": { "<name>": { "observed": ... } } } (the output of apigw-drift probe --yes --json)',
    );
  }
  const out: ProbeReadings = {
    readings: {},
    evidence: {},
    ...(typeof (doc as Record<string, unknown>).probedAt === "string"
      ? { probedAt: (doc as Record<string, string>).probedAt }
      : {}),
    ...(typeof (doc as Record<string, unknown>).region === "string"
      ? { region: (doc as Record<string, string>).region }
      : {}),
  };
  for (const [name, entry] of Object.entries(behaviours)) {
    if (!isBehaviourName(name)) continue;
    const observed = isRecord(entry) ? (entry.observed as Observed) : undefined;
    if (observed === UNKNOWN) continue;
    const reading = readingOf(name, observed);
    if (reading === undefined) {
      const values = [...BEHAVIOUR_READINGS[name], UNKNOWN].map(String).join(" | ");
      throw new ProbeResultError(
        `behaviours.${name}.observed must be ${values}, not ${JSON.stringify(observed)}`,
      );
    }
    (out.readings as Record<string, unknown>)[name] = reading;
    if (isRecord(entry) && typeof entry.evidence === "string") out.evidence[name] = entry.evidence;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
