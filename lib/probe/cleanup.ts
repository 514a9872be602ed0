/**
 * What a probe owes the account it runs on: it deletes what earlier probes left (by their scratch names,
 * old ones only unless told otherwise), and every API it made itself, whatever happened, reporting each
 * one it could not delete for a person to delete.
 */
import { type ProbeApi, type ProbeGateway, serviceWords } from "../apigateway/probe-gateway.ts";
import { isScratchName, LEFTOVER_AGE_MS, runOf, type ScratchApis } from "./scratch.ts";

export interface Cleanup {
  deleted: ProbeApi[];
  /** Scratch APIs it could not delete, with why: a person must delete them. */
  failed: { api: ProbeApi; error: string }[];
}

interface CleanContext {
  guarded: ProbeGateway;
  scratch: ScratchApis;
  cleanAll: boolean;
  now: () => number;
  log: (line: string) => void;
  cleanup: Cleanup;
  checkpoint: () => void;
}

/** Deletes earlier probes' scratch APIs: old ones always, young ones (a probe may be running) with cleanAll. */
export async function cleanLeftovers(listed: readonly ProbeApi[], c: CleanContext): Promise<void> {
  for (const api of listed) {
    if (!isScratchName(api.name)) continue;
    const created = api.createdDate ? Date.parse(api.createdDate) : Number.NaN;
    const age = c.now() - created;
    if (!c.cleanAll && !(age >= LEFTOVER_AGE_MS)) {
      const when = Number.isNaN(created) ? "at an unknown time" : `${Math.round(age / 1000)} s ago`;
      c.log(
        `left ${api.apiId} (${api.name}): created ${when}, perhaps by a probe still running; --clean-all deletes it`,
      );
      continue;
    }
    c.checkpoint();
    c.scratch.adopt(api);
    await deleteOne(c.guarded, api, c.cleanup, (line) => c.log(`${line}, left by an earlier probe`));
  }
}

/**
 * Deletes every API the probe owns; then, if it ever sent a CreateApi, lists once more and deletes any API
 * with this run's names it does not know of (a CreateApi whose answer was lost still made one).
 */
export async function deleteOwn(
  guarded: ProbeGateway,
  scratch: ScratchApis,
  state: { runId: string; createSent: boolean },
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<void> {
  for (const api of scratch.owned()) await deleteOne(guarded, api, cleanup, log);
  if (!state.createSent) return;
  let listed: ProbeApi[];
  try {
    listed = await guarded.listApis();
  } catch (error) {
    log(`could not list the APIs to check for a scratch API left unseen: ${serviceWords(error).words}`);
    return;
  }
  const handled = new Set([...cleanup.deleted, ...cleanup.failed.map((f) => f.api)].map((a) => a.apiId));
  for (const api of listed) {
    if (runOf(api.name) !== state.runId || handled.has(api.apiId)) continue;
    scratch.adopt(api);
    await deleteOne(guarded, api, cleanup, log);
  }
}

async function deleteOne(
  guarded: ProbeGateway,
  api: ProbeApi,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<void> {
  try {
    const outcome = await guarded.deleteApi(api.apiId);
    cleanup.deleted.push(api);
    log(
      `deleted scratch API ${api.apiId} (${api.name})${outcome === "not-found" ? ": it was already gone" : ""}`,
    );
  } catch (error) {
    const words = serviceWords(error).words;
    cleanup.failed.push({ api, error: words });
    log(`could not delete scratch API ${api.apiId} (${api.name}): ${words}`);
  }
}
