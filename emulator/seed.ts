/**
 * Seeds an emulator from a desired state, so the demo, tests and benchmarks start from "live matches git"
 * and then add drift on purpose.
 */
import type { DesiredApi } from "../lib/desired-state/state.ts";
import type { Emulator } from "./server.ts";

/** Creates each API and each declared integration as CreateIntegration would store it. */
export function seedFromDesired(emulator: Emulator, apis: readonly DesiredApi[]): void {
  for (const { doc } of apis) {
    emulator.addApi({ apiId: doc.apiId, name: doc.apiId, protocolType: doc.protocol });
    for (const [integrationId, declaration] of Object.entries(doc.integrations)) {
      const input: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(declaration)) {
        if (field !== "ignore" && value !== null) input[field] = value;
      }
      input.integrationType ??= doc.protocol === "HTTP" ? "HTTP_PROXY" : "MOCK";
      if (input.integrationType === "HTTP_PROXY") input.integrationMethod ??= "ANY";
      if (input.integrationType === "HTTP_PROXY") input.integrationUri ??= "https://backend.example.com";
      emulator.addIntegration(doc.apiId, { integrationId, ...input });
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
export function injectDrift(emulator: Emulator, apis: readonly DesiredApi[]): InjectedDrift[] {
  const drift: InjectedDrift[] = [];
  for (const { doc } of apis) {
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
function consoleEdit(declaration: Record<string, unknown>): [string, unknown] {
  if (typeof declaration.timeoutInMillis === "number") return ["timeoutInMillis", 12_345];
  if (typeof declaration.integrationUri === "string")
    return ["integrationUri", `${declaration.integrationUri}-old`];
  if (declaration.passthroughBehavior === "NEVER") return ["passthroughBehavior", "WHEN_NO_MATCH"];
  return ["timeoutInMillis", 12_345];
}
