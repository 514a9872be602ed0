/**
 * The probe's scratch APIs and the rule that keeps it off everything else: every write (CreateApi,
 * DeleteApi, CreateIntegration, UpdateIntegration) and every read of an API's integrations goes through
 * `ScratchApis.guard`, which lets it through only for an API this probe created, or one it adopted as the
 * leftover of an earlier probe by its name. A refused call throws before anything is sent.
 */
import type { ProbeApi, ProbeGateway } from "../apigateway/probe-gateway.ts";

export const SCRATCH_PREFIX = "apigw-drift-probe-";
/** A leftover younger than this may belong to a probe still running: it is deleted only with --clean-all. */
export const LEFTOVER_AGE_MS = 10 * 60 * 1000;

/** `apigw-drift-probe-<run>-http` / `-ws`: the only names a probe creates. */
const SCRATCH_NAME = /^apigw-drift-probe-([a-z0-9]{8})-(http|ws)$/;

/** A call the probe must never make: it names an API it did not create. */
export class ProbeSafetyError extends Error {
  override name = "ProbeSafetyError";
}

/** True for a name only a probe gives an API. */
export function isScratchName(name: string): boolean {
  return SCRATCH_NAME.test(name);
}

/** The scratch API name of `run` for `protocol`. */
export function scratchName(run: string, protocol: "HTTP" | "WEBSOCKET"): string {
  const name = `${SCRATCH_PREFIX}${run}-${protocol === "HTTP" ? "http" : "ws"}`;
  if (!isScratchName(name)) throw new ProbeSafetyError(`not a scratch API name: ${name}`);
  return name;
}

/** The run a scratch API name belongs to. */
export function runOf(name: string): string | undefined {
  return SCRATCH_NAME.exec(name)?.[1];
}

export class ScratchApis {
  readonly #owned = new Map<string, ProbeApi>();

  /** Takes `api` as the probe's own: one it created, or a leftover of an earlier probe. */
  adopt(api: ProbeApi): void {
    if (!isScratchName(api.name)) {
      throw new ProbeSafetyError(
        `refusing to take API ${api.apiId} (${api.name}): not a probe's scratch API`,
      );
    }
    this.#owned.set(api.apiId, api);
  }

  /** Forgets an API once it is deleted. */
  release(apiId: string): void {
    this.#owned.delete(apiId);
  }

  owns(apiId: string): boolean {
    return this.#owned.has(apiId);
  }

  /** The APIs still owned, in the order they were taken. */
  owned(): ProbeApi[] {
    return [...this.#owned.values()];
  }

  /** `gateway` with every call that names an API checked against what this probe owns. */
  guard(gateway: ProbeGateway): ProbeGateway {
    const own = (apiId: string, operation: string): void => {
      if (!this.owns(apiId)) {
        throw new ProbeSafetyError(`refusing ${operation} on API ${apiId}: the probe did not create it`);
      }
    };
    return {
      listApis: () => gateway.listApis(),
      createApi: async (input) => {
        if (!isScratchName(input.name)) {
          throw new ProbeSafetyError(`refusing CreateApi ${input.name}: not a scratch API name`);
        }
        const api = await gateway.createApi(input);
        this.adopt(api);
        return api;
      },
      deleteApi: async (apiId) => {
        own(apiId, "DeleteApi");
        const outcome = await gateway.deleteApi(apiId);
        this.release(apiId);
        return outcome;
      },
      createIntegration: async (apiId, fields) => {
        own(apiId, "CreateIntegration");
        return gateway.createIntegration(apiId, fields);
      },
      updateIntegration: async (apiId, integrationId, fields) => {
        own(apiId, "UpdateIntegration");
        return gateway.updateIntegration(apiId, integrationId, fields);
      },
      getIntegration: async (apiId, integrationId) => {
        own(apiId, "GetIntegration");
        return gateway.getIntegration(apiId, integrationId);
      },
      integrationsPage: async (apiId, maxResults) => {
        own(apiId, "GetIntegrations");
        return gateway.integrationsPage(apiId, maxResults);
      },
    };
  }
}
