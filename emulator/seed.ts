/**
 * Seeds an emulator from a desired state, so the demo, tests and benchmarks start from "live matches git"
 * and then add drift on purpose. The types are structural and the emulator's own: it imports nothing from
 * the product, and a product's loaded document (or `{ doc }` entry) fits them as it is.
 */

import type { Emulator } from "./server.ts";
import type { Protocol } from "./service-model.ts";

/** One API to seed: its id, protocol and integrations keyed by id, in wire (camelCase) names. */
export interface SeedApi {
  apiId: string;
  protocol: Protocol;
  integrations: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A SeedApi, or an entry that carries one as `doc` (the product's loaded file). */
export type SeedSource = SeedApi | { readonly doc: SeedApi };

function docOf(source: SeedSource): SeedApi {
  return "doc" in source ? source.doc : source;
}

/**
 * Creates each API and each declared integration as CreateIntegration would store it (so the service's
 * refusals apply: an HTTP API Lambda integration must declare payloadFormatVersion). An integration
 * declared without a type becomes the protocol's plainest one (HTTP_PROXY ANY to a backend, or MOCK).
 * @throws BadRequest naming the integration the service would refuse.
 */
export function seedFromDesired(emulator: Emulator, apis: readonly SeedSource[]): void {
  for (const doc of apis.map(docOf)) {
    emulator.addApi({ apiId: doc.apiId, name: doc.apiId, protocolType: doc.protocol });
    for (const [integrationId, declaration] of Object.entries(doc.integrations)) {
      const input: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(declaration)) {
        if (field !== "ignore" && value !== null) input[field] = value;
      }
      input.integrationType ??= doc.protocol === "HTTP" ? "HTTP_PROXY" : "MOCK";
      if (input.integrationType === "HTTP_PROXY") input.integrationMethod ??= "ANY";
      if (input.integrationType === "HTTP_PROXY") input.integrationUri ??= "https://backend.example.com";
      try {
        emulator.addIntegration(doc.apiId, { integrationId, ...input });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`seeding ${doc.apiId}/${integrationId}: the service would refuse it: ${reason}`, {
          cause: error,
        });
      }
    }
  }
}

/** One drift the demo injects, described for people. */
export interface InjectedDrift {
  apiId: string;
  integrationId: string;
  what: string;
}

/**
 * Injects the kinds of drift people meet: a console edit of a timeout, a stray header mapping, a changed
 * template, an integration added by hand (pruned when the file says so) and a quick-create one (never
 * deleted). Deterministic: the same desired state gets the same drift.
 */
export function injectDrift(emulator: Emulator, apis: readonly SeedSource[]): InjectedDrift[] {
  const drift: InjectedDrift[] = [];
  for (const doc of apis.map(docOf)) {
    const ids = Object.keys(doc.integrations).sort();
    const first = ids[0];
    // The stray mapping goes where the file owns requestParameters, so it is drift rather than noise.
    const second = ids.find((id) => id !== first && doc.integrations[id]?.requestParameters) ?? ids[1];
    if (first) {
      const [field, value] = consoleEdit(doc.integrations[first] ?? {});
      emulator.overwriteIntegration(doc.apiId, first, { [field]: value });
      drift.push({ apiId: doc.apiId, integrationId: first, what: `${field} changed in the console` });
    }
    if (second) {
      const live = emulator.getIntegration(doc.apiId, second);
      const key = doc.protocol === "HTTP" ? "overwrite:header.x-debug" : "integration.request.header.x-debug";
      emulator.overwriteIntegration(doc.apiId, second, {
        requestParameters: { ...(live?.requestParameters as object | undefined), [key]: "'true'" },
        description: "edited by hand",
      });
      drift.push({
        apiId: doc.apiId,
        integrationId: second,
        what: "a stray header mapping and a new description",
      });
    }
    const stray = emulator.addIntegration(doc.apiId, {
      integrationType: doc.protocol === "HTTP" ? "HTTP_PROXY" : "MOCK",
      ...(doc.protocol === "HTTP"
        ? { integrationMethod: "GET", integrationUri: "https://old.example.com" }
        : {}),
      description: "created by hand, not in git",
    });
    drift.push({
      apiId: doc.apiId,
      integrationId: stray.integrationId,
      what: "an integration git does not know",
    });
  }
  return drift;
}

/** A plausible console edit of a field the declaration owns. */
function consoleEdit(declaration: Readonly<Record<string, unknown>>): [string, unknown] {
  if (typeof declaration.timeoutInMillis === "number") return ["timeoutInMillis", 12_345];
  if (typeof declaration.integrationUri === "string")
    return ["integrationUri", `${declaration.integrationUri}-old`];
  if (declaration.passthroughBehavior === "NEVER") return ["passthroughBehavior", "WHEN_NO_MATCH"];
  return ["timeoutInMillis", 12_345];
}
