import type { Protocol } from "../model/service.ts";
import type { DesiredStateError } from "./errors.ts";
import type { FleetConfig } from "./fleet.ts";
import { type DatedIgnore, datedIgnores } from "./ignore.ts";
import type { ApiMode, DesiredDocument } from "./schema.ts";

/** What a run needs to know of one API's file before it reads the file whole: guards, selection, prune. */
export interface DesiredApiEntry {
  file: string;
  apiId: string;
  protocol: Protocol;
  account?: string;
  region?: string;
  prune: boolean;
  /** `observe`: the run reports and records this API's drift and never writes to it. */
  mode: ApiMode;
  /** The declared integration ids, sorted. */
  integrationIds: readonly string[];
  /** The ignore entries with an end date, to warn once they expire (ignore.ts). */
  datedIgnores: readonly DatedIgnore[];
}

/** One API's file and its validated document. */
export interface DesiredApi {
  file: string;
  doc: DesiredDocument;
}

/**
 * A desired state: one git revision of `desired-state/`, valid only when `errors` is empty. It keeps each
 * validated document as JSON text (a plain copy takes about a fifth of the parsed objects' memory, and
 * text none of the collector's work) and hands out a fresh document when asked, so a run holds one API's
 * document at a time and its memory is set by the largest API, not the fleet.
 *
 * This module needs neither the YAML parser nor the validator: the Lambda builds its state from the JSON
 * its build validated and embedded.
 */
export interface DesiredState {
  /** Valid files, sorted by apiId. */
  readonly apis: readonly DesiredApiEntry[];
  /** Every error in every file, sorted by file and position. */
  readonly errors: readonly DesiredStateError[];
  /** The document of a listed API, parsed afresh from its text. */
  document(apiId: string): DesiredDocument;
  /** fleet.yaml, when the folder has one (PRODUCT §9): the role to assume in other accounts. */
  readonly fleet?: FleetConfig;
}

/** A validated document as the state keeps it, and as the Lambda build embeds it. */
export interface DesiredText {
  file: string;
  /**
   * JSON.stringify of the validated DesiredDocument: as text (the Lambda's embedded state), or as its UTF-8
   * bytes (validatedText), which is how the loader hands it over: bytes sit outside V8's heap, so the collector
   * neither copies nor scans them. Held as strings, the texts of 50,000 integrations (15 MB) were copied
   * through the young generation while the rest of the folder was read, which alone grew it to V8's
   * largest size and cost the CLI's plan 70 MB of peak RSS (npm run bench, figure 6).
   */
  json: string | Uint8Array;
  /** Where each dated ignore entry's `until` stands in the file, by pointer (for warnings). */
  positions?: Record<string, { line: number; column: number }>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A validated document as the loader keeps it: its entry (with where each dated ignore entry's `until`
 * stands, for warnings), and its text as bytes (see DesiredText).
 */
export function validatedText(
  file: string,
  doc: DesiredDocument,
  positions?: DesiredText["positions"],
): ValidatedText {
  return { entry: entryOf(file, doc, positions), json: encoder.encode(JSON.stringify(doc)) };
}

const parse = (json: string | Uint8Array) =>
  JSON.parse(typeof json === "string" ? json : decoder.decode(json)) as DesiredDocument;

/** A state from validated documents' JSON texts (the Lambda's embedded state, or tools'). */
export function stateFromTexts(
  texts: readonly DesiredText[],
  errors: readonly DesiredStateError[] = [],
): DesiredState {
  return stateFromEntries(
    texts.map(({ file, json, positions }) => ({ entry: entryOf(file, parse(json), positions), json })),
    errors,
  );
}

/** A validated document as the loader hands it over: its entry, taken while it had the document, and its text. */
export interface ValidatedText {
  entry: DesiredApiEntry;
  json: string | Uint8Array;
}

/** A state from texts whose entries are known (the loader's: no text is parsed again to list it). */
export function stateFromEntries(
  texts: readonly ValidatedText[],
  errors: readonly DesiredStateError[] = [],
): DesiredState {
  const byApi = new Map<string, string | Uint8Array>();
  const apis: DesiredApiEntry[] = [];
  for (const { entry, json } of texts) {
    byApi.set(entry.apiId, json);
    apis.push(entry);
  }
  apis.sort((a, b) => (a.apiId < b.apiId ? -1 : a.apiId > b.apiId ? 1 : 0));
  return {
    apis,
    errors,
    document(apiId) {
      const json = byApi.get(apiId);
      if (json === undefined) throw new Error(`API ${apiId} has no desired-state file`);
      return parse(json);
    },
  };
}

/** `state` (or an empty one) with `errors` instead of its own: for errors found around the files. */
export function withErrors(
  state: DesiredState | undefined,
  errors: readonly DesiredStateError[],
): DesiredState {
  const base = state ?? stateFromTexts([]);
  return {
    apis: base.apis,
    errors,
    document: (apiId) => base.document(apiId),
    ...(base.fleet ? { fleet: base.fleet } : {}),
  };
}

/** `state` with fleet.yaml's configuration (or without any, for `undefined`). */
export function withFleet(state: DesiredState, fleet: FleetConfig | undefined): DesiredState {
  return {
    apis: state.apis,
    errors: state.errors,
    document: (apiId) => state.document(apiId),
    ...(fleet ? { fleet } : {}),
  };
}

/** The part of `state` that the APIs `apiIds` are: for one target of a fleet (lib/fleet). */
export function subsetState(state: DesiredState, apiIds: ReadonlySet<string>): DesiredState {
  return {
    apis: state.apis.filter((a) => apiIds.has(a.apiId)),
    errors: state.errors,
    document: (apiId) => state.document(apiId),
    ...(state.fleet ? { fleet: state.fleet } : {}),
  };
}

/** A state from documents already in memory (tests, benchmarks, import). */
export function stateFromDocuments(
  docs: readonly DesiredApi[],
  errors: readonly DesiredStateError[] = [],
): DesiredState {
  return stateFromTexts(
    docs.map(({ file, doc }) => ({ file, json: JSON.stringify(doc) })),
    errors,
  );
}

/** Every API's document at once: for tools that need them all (seeding an emulator, import checks). */
export function documents(state: DesiredState): DesiredApi[] {
  return state.apis.map((a) => ({ file: a.file, doc: state.document(a.apiId) }));
}

/** What a run needs to know of one API's file before it reads the file whole (see DesiredApiEntry). */
export function entryOf(
  file: string,
  doc: DesiredDocument,
  positions: DesiredText["positions"] = {},
): DesiredApiEntry {
  return {
    file,
    apiId: doc.apiId,
    protocol: doc.protocol,
    ...(doc.account !== undefined ? { account: doc.account } : {}),
    ...(doc.region !== undefined ? { region: doc.region } : {}),
    prune: doc.prune === true,
    mode: doc.mode ?? "enforce",
    integrationIds: Object.keys(doc.integrations).sort(),
    datedIgnores: datedIgnores(doc).map((entry) => ({ ...entry, ...positions[entry.pointer] })),
  };
}
