/**
 * One probe run (PRODUCT §11): delete what earlier probes left, create this run's two scratch APIs, run
 * every experiment in turn, and delete everything it created whatever happens (an error, an interrupt).
 * Calls go one at a time through the gateway it is given (the product's client and limiter); each
 * experiment's unexpected failure is that behaviour's "unknown", and the others still run.
 */
import { type ProbeApi, type ProbeGateway, serviceWords } from "../apigateway/probe-gateway.ts";
import { BEHAVIOUR_NAMES, type BehaviourName, type Observed, UNKNOWN } from "./behaviours.ts";
import { type Cleanup, cleanLeftovers, deleteOwn } from "./cleanup.ts";
import { EXPERIMENTS, type Experiment, type Placeholders, type UpdateExperiment } from "./experiments.ts";
import { ScratchApis, scratchName } from "./scratch.ts";

export interface Observation {
  observed: Observed;
  /** The service's own words: the fields read back, or its error. */
  evidence: string;
}

export interface ProbeOptions extends Placeholders {
  /** Delete every leftover scratch API, however young (another probe may be running). */
  cleanAll?: boolean;
  /** Aborted by SIGINT/SIGTERM: no new call starts, and the scratch APIs are deleted. */
  signal?: AbortSignal;
  now?: () => number;
  /** Eight lowercase letters and digits naming this run's scratch APIs. */
  runId: string;
  /** Progress and cleanup lines, for stderr. */
  log?: (line: string) => void;
  experiments?: readonly Experiment[];
}

export type { Cleanup } from "./cleanup.ts";

export type ProbeOutcome =
  | { kind: "ran"; probedAt: string; behaviours: Record<BehaviourName, Observation>; cleanup: Cleanup }
  /** It could not start: no credentials, no permission, no scratch API. */
  | { kind: "failed"; message: string; cleanup: Cleanup }
  | { kind: "interrupted"; cleanup: Cleanup };

/** Thrown between calls once the run is aborted. */
class Interrupted extends Error {}

export async function runProbe(gateway: ProbeGateway, options: ProbeOptions): Promise<ProbeOutcome> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const scratch = new ScratchApis();
  const guarded = scratch.guard(gateway);
  const cleanup: Cleanup = { deleted: [], failed: [] };
  const state = { runId: options.runId, createSent: false };
  const checkpoint = () => {
    if (options.signal?.aborted) throw new Interrupted();
  };
  try {
    checkpoint();
    let listed: ProbeApi[];
    try {
      listed = await guarded.listApis();
    } catch (error) {
      return {
        kind: "failed",
        message: `could not list the account's APIs: ${serviceWords(error).words}`,
        cleanup,
      };
    }
    await cleanLeftovers(listed, {
      guarded,
      scratch,
      cleanAll: options.cleanAll === true,
      now,
      log,
      cleanup,
      checkpoint,
    });
    const apis: Partial<Record<"HTTP" | "WEBSOCKET", string>> = {};
    for (const protocol of ["HTTP", "WEBSOCKET"] as const) {
      checkpoint();
      const name = scratchName(options.runId, protocol);
      state.createSent = true;
      try {
        const api = await guarded.createApi({
          name,
          protocolType: protocol,
          ...(protocol === "WEBSOCKET" ? { routeSelectionExpression: "$request.body.action" } : {}),
        });
        apis[protocol] = api.apiId;
        log(`created scratch API ${api.apiId} (${name})`);
      } catch (error) {
        return {
          kind: "failed",
          message: `could not create the scratch API ${name}: ${serviceWords(error).words}`,
          cleanup,
        };
      }
    }
    const ctx = {
      gateway: guarded,
      apis: apis as Record<"HTTP" | "WEBSOCKET", string>,
      p: options,
      checkpoint,
    };
    const behaviours = {} as Record<BehaviourName, Observation>;
    for (const experiment of options.experiments ?? EXPERIMENTS) {
      checkpoint();
      behaviours[experiment.name] = await runExperiment(experiment, ctx);
      log(`${experiment.name}: ${String(behaviours[experiment.name].observed)}`);
    }
    const ordered = Object.fromEntries(
      BEHAVIOUR_NAMES.filter((n) => behaviours[n]).map((n) => [n, behaviours[n]]),
    ) as Record<BehaviourName, Observation>;
    return { kind: "ran", probedAt: new Date(now()).toISOString(), behaviours: ordered, cleanup };
  } catch (error) {
    if (error instanceof Interrupted) return { kind: "interrupted", cleanup };
    throw error;
  } finally {
    await deleteOwn(guarded, scratch, state, cleanup, log);
  }
}

interface ExperimentContext {
  gateway: ProbeGateway;
  apis: Record<"HTTP" | "WEBSOCKET", string>;
  p: Placeholders;
  checkpoint: () => void;
}

async function runExperiment(experiment: Experiment, ctx: ExperimentContext): Promise<Observation> {
  switch (experiment.kind) {
    case "skipped":
      return unknown(experiment.why);
    case "pageSize":
      return pageSize(experiment.sizes, ctx);
    case "update":
      if (experiment.needs === "vpcLink" && !ctx.p.vpcLink) {
        return unknown("not probed: needs a VPC link (--vpc-link ID) for a private integration");
      }
      return updateExperiment(experiment, ctx);
  }
}

async function updateExperiment(x: UpdateExperiment, ctx: ExperimentContext): Promise<Observation> {
  const apiId = ctx.apis[x.protocol];
  const created = await attempt(() => ctx.gateway.createIntegration(apiId, x.create(ctx.p)));
  if ("failed" in created) return unknown(`CreateIntegration answered ${created.failed}`);
  const unready = x.unready?.(created.value);
  if (unready) return unknown(unready);
  ctx.checkpoint();
  const id = created.value.integrationId;
  const updated = await attempt(() => ctx.gateway.updateIntegration(apiId, id, x.update(ctx.p)));
  if ("failed" in updated) {
    return updated.failure === "bad-request" && x.refused !== undefined
      ? { observed: x.refused, evidence: `UpdateIntegration answered ${updated.failed}` }
      : unknown(`UpdateIntegration answered ${updated.failed}`);
  }
  ctx.checkpoint();
  const read = await attempt(() => ctx.gateway.getIntegration(apiId, id));
  if ("failed" in read) return unknown(`GetIntegration answered ${read.failed}`);
  const shown = x.shows.map((f) => `${f} ${JSON.stringify(read.value[f]) ?? "absent"}`).join(", ");
  const reading = x.interpret(read.value, ctx.p);
  return reading === undefined
    ? unknown(`GetIntegration after the update shows none of the readings: ${shown}`)
    : { observed: reading, evidence: `GetIntegration after the update: ${shown}` };
}

/** The largest size GetIntegrations accepts, largest first; a 400 means refused, anything else unknown. */
async function pageSize(sizes: readonly number[], ctx: ExperimentContext): Promise<Observation> {
  const said: string[] = [];
  for (const size of sizes) {
    ctx.checkpoint();
    const page = await attempt(() => ctx.gateway.integrationsPage(ctx.apis.HTTP, size));
    if (!("failed" in page)) {
      said.push(`maxResults=${size} accepted (${page.value.items} items)`);
      return { observed: size as Observed, evidence: said.join("; ") };
    }
    said.push(`maxResults=${size} answered ${page.failed}`);
    if (page.failure !== "bad-request") return unknown(said.join("; "));
  }
  return unknown(said.join("; "));
}

type Attempt<T> = { value: T } | { failed: string; failure: string };

async function attempt<T>(call: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { value: await call() };
  } catch (error) {
    const { failure, words } = serviceWords(error);
    return { failed: words, failure };
  }
}

function unknown(evidence: string): Observation {
  return { observed: UNKNOWN, evidence };
}
