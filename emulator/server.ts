/**
 * A local API Gateway v2 management API on loopback, for the real `@aws-sdk/client-apigatewayv2` client:
 * integration tests, the demo and benchmarks point the SDK's `endpoint` at `emulator.url`.
 *
 * @example
 * const emulator = await startEmulator({ seed: 7 });
 * const api = emulator.addApi({ name: "orders", protocolType: "HTTP" });
 * emulator.addIntegration(api.apiId, { integrationType: "HTTP_PROXY", integrationUri: "https://x" });
 * emulator.faults.configure({ throttle: { ratePerSecond: 10, burst: 40 } });
 * const client = new ApiGatewayV2Client({ endpoint: emulator.url, region: "eu-west-1", credentials });
 * // ... run the product ...
 * emulator.calls.operations(); // ["GetApi", "GetIntegrations", "UpdateIntegration"]
 * await emulator.close();
 *
 * Several accounts and Regions: API Gateway's APIs and its quota live per account and Region (the ARN
 * `arn:aws:apigateway:{region}::/apis/{id}` and the quotas page's "per account, per Region";
 * service-facts #4), so the emulator keeps one store and one set of faults (its own throttle bucket) per
 * (account, Region). A request's Region is its SigV4 credential scope's (the Region the SDK signs for);
 * its account is whose its access key is, as `accounts` says (the STS emulator's `identityOf` knows the
 * keys its AssumeRole handed out), the default account otherwise. `emulator.at({ account, region })` seeds
 * and inspects another target; the emulator's own methods are the default target's.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Behaviour, behaviourFromProbe, resolveBehaviour } from "./behaviour.ts";
import { CallLog } from "./call-log.ts";
import { type FaultConfig, Faults } from "./faults.ts";
import { createHandler } from "./http.ts";
import { closeServer, listenLoopback } from "./listen.ts";
import type { Integration } from "./patch.ts";
import { createRandom } from "./random.ts";
import { type Api, type ApiSeed, type IntegrationSeed, type Route, type RouteSeed, Store } from "./store.ts";
import type { WriteListener } from "./writes.ts";

export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Seeds ids and fault draws; the same seed and the same calls give the same run. Default 1. */
  seed?: number;
  /** The default target's Region (requests signed for no Region go there); shown in `apiEndpoint`. Default "eu-west-1". */
  region?: string;
  /** The default target's account: whose a key `accounts` does not know is. Default "123456789012". */
  account?: string;
  /**
   * Whose an access key id is (its account), for requests signed with it; undefined for the default
   * account. Feed it from the STS emulator: `accounts: (key) => sts.identityOf(key).account`.
   */
  accounts?: (accessKeyId: string | undefined) => string | undefined;
  /**
   * Readings of unsettled service behaviour (behaviour.ts BEHAVIOURS); the rest keep their defaults.
   * @example { "requestTemplates.patch": "merge", "tlsConfig.emptyObject": "stored" }
   */
  behaviour?: Partial<Behaviour>;
  /**
   * A `probe --json` result (PRODUCT §11), parsed: each behaviour takes the reading a real account showed
   * (behaviour.ts behaviourFromProbe; "unknown" ones keep their default). `behaviour` applies on top.
   * @example startEmulator({ probe: JSON.parse(readFileSync("probe.json", "utf8")) })
   */
  probe?: unknown;
  /** Faults standing from the first call, in the default target (`at(...).faults` for another's). */
  faults?: FaultConfig;
  /** Epoch milliseconds, for the throttle's bucket, call timestamps and createdDate. Default Date.now. */
  now?: () => number;
  /** Told after each successful CreateIntegration/UpdateIntegration/DeleteIntegration (emulator/cloudtrail.ts). */
  onWrite?: WriteListener;
}

/** One account and Region of the emulator. */
export interface TargetKey {
  account: string;
  region: string;
}

/** Starts an emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const probe = options.probe === undefined ? undefined : behaviourFromProbe(options.probe);
  const behaviour = resolveBehaviour({ ...probe?.behaviour, ...options.behaviour });
  // The emulator's behaviour object is read at every call, so changing it applies to the next one.
  let current = (): Behaviour => behaviour;
  const home: TargetKey = {
    account: options.account ?? "123456789012",
    region: options.region ?? "eu-west-1",
  };
  const targets = new Targets((key) => {
    // The default target keeps the seed's own streams, so its ids are those of a one-target emulator;
    // another target's streams are the seed's mixed with its name.
    const mix =
      key.account === home.account && key.region === home.region ? 0 : hash(`${key.account}/${key.region}`);
    // Two streams, so turning a fault on does not change the ids generated after it.
    return new EmulatorTarget(
      key,
      new Store({ random: createRandom(seed ^ mix), now, region: key.region, behaviour: () => current() }),
      new Faults({
        random: createRandom(seed ^ 0x5bd1e995 ^ mix),
        now,
        behaviour: () => current(),
        ...(options.faults && mix === 0 ? { config: options.faults } : {}),
      }),
    );
  });
  const calls = new CallLog();
  const emulator = new Emulator({
    targets,
    home,
    calls,
    behaviour,
    warnings: probe?.warnings ?? [],
  });
  current = () => emulator.behaviour;
  const server = createServer(
    createHandler({
      calls,
      now,
      target: ({ accessKeyId, region }) => {
        const key = {
          account: options.accounts?.(accessKeyId) ?? home.account,
          region: region ?? home.region,
        };
        const target = targets.get(key);
        return {
          ...key,
          faults: target.faults,
          context: { store: target.store, behaviour: emulator.behaviour },
        };
      },
      ...(options.onWrite ? { onWrite: options.onWrite } : {}),
    }),
  );
  await listenLoopback(server, options.port ?? 0);
  emulator.attach(server);
  return emulator;
}

/** The emulator's targets, each made on first use: an account's other Region starts with no APIs. */
class Targets {
  readonly #byKey = new Map<string, EmulatorTarget>();
  readonly #make: (key: TargetKey) => EmulatorTarget;
  constructor(make: (key: TargetKey) => EmulatorTarget) {
    this.#make = make;
  }
  get(key: TargetKey): EmulatorTarget {
    const name = `${key.account}/${key.region}`;
    let target = this.#byKey.get(name);
    if (!target) {
      target = this.#make(key);
      this.#byKey.set(name, target);
    }
    return target;
  }
  all(): EmulatorTarget[] {
    return [...this.#byKey.values()];
  }
}

/** One account and Region: its APIs, integrations and routes, and its own faults (its own throttle). */
export class EmulatorTarget {
  readonly account: string;
  readonly region: string;
  /** Injectable faults of this target; change them at any time, they apply from the next call. */
  readonly faults: Faults;
  /** @internal */
  readonly store: Store;

  /** @internal Use `emulator.at(...)`. */
  constructor(key: TargetKey, store: Store, faults: Faults) {
    this.account = key.account;
    this.region = key.region;
    this.store = store;
    this.faults = faults;
  }

  /** Adds an API (id generated when absent: 10 lowercase letters and digits). */
  addApi(seed: ApiSeed): Api {
    return this.store.addApi(seed);
  }

  /**
   * Adds an integration as CreateIntegration stores it: validated and with server defaults.
   * @throws BadRequest when the service would refuse the input (use overwriteIntegration for bad states).
   */
  addIntegration(apiId: string, seed: IntegrationSeed): Integration {
    return this.store.addIntegration(apiId, seed);
  }

  /** Adds a route; `target: "integrations/{id}"` protects that integration from deletion. */
  addRoute(apiId: string, seed: RouteSeed): Route {
    return this.store.addRoute(apiId, seed);
  }

  /** Copies of every API, in GetApis order. */
  listApis(): Api[] {
    return this.store.apiRows().map((row) => structuredClone(row.value));
  }

  /** A copy of the stored API. */
  getApi(apiId: string): Api | undefined {
    return this.store.getApi(apiId);
  }

  /** A copy of the stored integration, as GetIntegration returns it. */
  getIntegration(apiId: string, integrationId: string): Integration | undefined {
    return this.store.getIntegration(apiId, integrationId);
  }

  /** Copies of an API's integrations, in list order. */
  listIntegrations(apiId: string): Integration[] {
    return this.store.listIntegrations(apiId);
  }

  /** Copies of an API's routes, in list order. */
  listRoutes(apiId: string): Route[] {
    return this.store.listRoutes(apiId);
  }

  /** Injects drift: overwrites stored fields with no validation (`undefined` removes a field). */
  overwriteIntegration(apiId: string, integrationId: string, fields: Record<string, unknown>): Integration {
    return this.store.overwriteIntegration(apiId, integrationId, fields);
  }

  /** Deletes an integration out of band (a MISSING integration); true when it existed. */
  removeIntegration(apiId: string, integrationId: string): boolean {
    return this.store.removeIntegration(apiId, integrationId);
  }
}

/**
 * A running emulator: its address, the default target's seeding, inspection and faults (it is that
 * target), other targets through `at`, and the call log of them all.
 */
export class Emulator extends EmulatorTarget {
  /** Every request, in arrival order, with the account and Region it went to. */
  readonly calls: CallLog;
  /**
   * The readings of unsettled service behaviour in force: change a member (or assign a whole Behaviour)
   * between calls and the next call follows it. Seeding (addIntegration) follows it too.
   * @example emulator.behaviour["requestTemplates.patch"] = "merge";
   */
  behaviour: Behaviour;
  /** What reading the `probe` option skipped (unknown names, behaviours the probe could not settle). */
  readonly probeWarnings: readonly string[];
  readonly #targets: Targets;
  #server: Server | undefined;

  /** @internal Use startEmulator. */
  constructor(parts: {
    targets: Targets;
    home: TargetKey;
    calls: CallLog;
    behaviour: Behaviour;
    warnings: readonly string[];
  }) {
    const home = parts.targets.get(parts.home);
    super(parts.home, home.store, home.faults);
    this.#targets = parts.targets;
    this.calls = parts.calls;
    this.behaviour = parts.behaviour;
    this.probeWarnings = parts.warnings;
  }

  /** Another account and Region (made empty on first use), to seed and inspect; the same store requests reach. */
  at(key: TargetKey): EmulatorTarget {
    return this.#targets.get(key);
  }

  /** Every target that exists: seeded, or reached by a request. */
  targets(): EmulatorTarget[] {
    return this.#targets.all();
  }

  /**
   * Sets some behaviours, checked; the others keep their current reading.
   * @throws BehaviourError for an unknown name or value.
   */
  configureBehaviour(patch: Partial<Behaviour>): void {
    this.behaviour = resolveBehaviour({ ...this.behaviour, ...patch });
  }

  /** @internal */
  attach(server: Server): void {
    this.#server = server;
  }

  /** The port it listens on. */
  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** `http://127.0.0.1:{port}`: the SDK client's `endpoint`, or `AWS_ENDPOINT_URL_APIGATEWAYV2`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening and drops open (keep-alive) connections. Safe to call twice. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await closeServer(server);
  }
}

/** FNV-1a of a target's name: mixes it into the seed, so each target draws its own ids. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
