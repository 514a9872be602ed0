/**
 * The benchmark's data: desired-state files generated in memory (validated by the product's own loader,
 * so every figure runs on a state a user could commit), the same integrations seeded into an emulator or
 * an in-memory gateway, and drift injected into a seeded random choice of them.
 */
import { stringify } from "yaml";
import { createIntegration, type Integration } from "../emulator/patch.ts";
import type { Emulator } from "../emulator/server.ts";
import { loadDesiredFiles } from "../lib/desired-state/load.ts";
import {
  type DesiredApi,
  type DesiredState,
  documents,
  stateFromDocuments,
} from "../lib/desired-state/state.ts";
import { planApi } from "../lib/plan/plan.ts";

export interface Shape {
  apis: number;
  integrationsPerApi: number;
  /** How many integrations get drift, picked at random (seeded) across all APIs. */
  drifted: number;
  seed: number;
}

export interface IntegrationRef {
  apiId: string;
  integrationId: string;
}

/** The scale figure's states: APIs of 100 integrations each, a common size for a large HTTP API. */
export const scaleShape = (integrations: number) => ({
  apis: Math.ceil(integrations / 100),
  integrationsPerApi: 100,
});

const apiIdOf = (a: number) => `bench${String(a).padStart(5, "0")}`;
/** Globally unique, 7 characters like the service's ids. */
const integrationIdOf = (n: number) => `i${String(n).padStart(6, "0")}`;

/** One integration's declaration: a typical HTTP API proxy route with a few owned fields. */
function declaration(a: number, j: number): Record<string, unknown> {
  const d: Record<string, unknown> = {
    integrationType: "HTTP_PROXY",
    integrationMethod: j % 3 === 0 ? "GET" : "ANY",
    integrationUri: `https://svc${a}.internal.example.com/r${j}/{proxy}`,
    payloadFormatVersion: "1.0",
    timeoutInMillis: 5_000 + (j % 50) * 100,
    requestParameters: { "overwrite:header.x-env": "prod", "append:header.x-route": `r${j}` },
  };
  if (j % 4 === 0) d.responseParameters = { "404": { "overwrite:statuscode": "410" } };
  if (j % 5 === 0) d.description = `route ${j} of service ${a}`;
  return d;
}

/** The desired state of `shape`, built in memory as the loader would return it (no YAML, no checks). */
export function desiredState(shape: Pick<Shape, "apis" | "integrationsPerApi">): DesiredState {
  const apis: DesiredApi[] = [];
  for (let a = 0; a < shape.apis; a++) {
    const integrations: Record<string, unknown> = {};
    for (let j = 0; j < shape.integrationsPerApi; j++) {
      integrations[integrationIdOf(a * shape.integrationsPerApi + j)] = declaration(a, j);
    }
    const doc = { apiId: apiIdOf(a), protocol: "HTTP", integrations } as DesiredApi["doc"];
    apis.push({ file: `desired-state/${apiIdOf(a)}.yaml`, doc });
  }
  return stateFromDocuments(apis);
}

/** The desired-state files of `shape`, as YAML bytes, one per API (what the Lambda bundle embeds). */
export function desiredFiles(shape: Pick<Shape, "apis" | "integrationsPerApi">) {
  return documents(desiredState(shape)).map(({ file, doc }) => ({
    path: file,
    bytes: Buffer.from(stringify(doc)),
  }));
}

/** Loads generated files through the product's validator; a generator bug fails loudly, not as drift. */
export function loadGenerated(files: { path: string; bytes: Uint8Array }[]): DesiredState {
  const state = loadDesiredFiles(files);
  if (state.errors.length > 0) {
    const first = state.errors[0]!;
    throw new Error(`bench generated an invalid desired state: ${first.file}:${first.line} ${first.message}`);
  }
  return state;
}

/** A small seeded generator (mulberry32): the same seed picks the same drift in every run. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` integrations of the state, picked at random without repetition. */
export function pickDrifted(state: DesiredState, count: number, seed: number): IntegrationRef[] {
  const all = documents(state).flatMap(({ doc }) =>
    Object.keys(doc.integrations).map((integrationId) => ({ apiId: doc.apiId, integrationId })),
  );
  const random = seededRandom(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [all[i], all[k]] = [all[k]!, all[i]!];
  }
  return all.slice(0, Math.min(count, all.length));
}

/** The kinds of drift people make in the console, in turn: each changes a different owned field. */
export function driftFields(live: Record<string, unknown>, k: number): Record<string, unknown> {
  switch (k % 4) {
    case 0:
      return { timeoutInMillis: 12_345 };
    case 1:
      return {
        requestParameters: {
          ...(live.requestParameters as Record<string, string>),
          "overwrite:header.x-debug": "true",
        },
      };
    case 2:
      return { integrationUri: `${String(live.integrationUri)}-old` };
    default:
      return { description: "edited by hand", integrationMethod: "POST" };
  }
}

function creationInput(declared: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(declared)) if (field !== "ignore") input[field] = value;
  return input;
}

/** Creates every API and integration of `state` in the emulator, then drifts the `drifted` ones. */
export function seedEmulator(emulator: Emulator, state: DesiredState, drifted: readonly IntegrationRef[]) {
  for (const { doc } of documents(state)) {
    emulator.addApi({ apiId: doc.apiId, name: doc.apiId, protocolType: doc.protocol });
    for (const [integrationId, declared] of Object.entries(doc.integrations)) {
      emulator.addIntegration(doc.apiId, { integrationId, ...creationInput(declared) });
    }
  }
  drifted.forEach(({ apiId, integrationId }, k) => {
    const live = emulator.getIntegration(apiId, integrationId) ?? {};
    emulator.overwriteIntegration(apiId, integrationId, driftFields(live, k));
  });
}

/** One API's live integrations as the service would hold them, with `drift` (key: integrationId) applied. */
export function liveIntegrations(doc: DesiredApi["doc"], drift: ReadonlyMap<string, number>): Integration[] {
  const list: Integration[] = [];
  for (const [integrationId, declared] of Object.entries(doc.integrations)) {
    const created = createIntegration(doc.protocol, integrationId, creationInput(declared));
    const k = drift.get(integrationId);
    list.push(k === undefined ? created : { ...created, ...driftFields(created, k) });
  }
  return list;
}

/** Integrations whose live state in the emulator still differs from `apis`: checked in process, no call. */
export function driftLeft(emulator: Emulator, apis: readonly DesiredApi[]): number {
  let left = 0;
  for (const { doc } of apis) {
    const planned = planApi({
      desired: doc,
      live: emulator.listIntegrations(doc.apiId),
      prune: false,
      now: Date.now(),
    });
    left += planned.filter((p) => p.result.status !== "IN_SYNC").length;
  }
  return left;
}
