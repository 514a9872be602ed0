import type { AddressInfo } from "node:net";
import {
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { InitializeHandlerArguments, InitializeHandlerOutput } from "@smithy/types";
import dynalite from "dynalite";
import type { Diff } from "../../lib/diff/diff.ts";
import { ensureTable } from "../../lib/history/embedded.ts";
import { type IntegrationResult, type Report, runStatus, summarise } from "../../lib/plan/report.ts";

/** A real dynalite server on loopback (in memory unless given a folder), and a client for it. */
export async function startDynalite(options: { path?: string; createTableMs?: number } = {}) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...options });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = dynamoClient(endpoint);
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A DynamoDB client for `endpoint` with fake credentials and no SDK retries (tests see every call). */
export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

let tables = 0;
/** A fresh history table from the one definition; each test gets its own. */
export async function historyTable(client: DynamoDBClient): Promise<string> {
  const name = `history-${++tables}`;
  await ensureTable(client, name);
  return name;
}

/** A drifted result with one changed field. */
export function drifted(apiId: string, integrationId: string, diffs?: Diff[]): IntegrationResult {
  return {
    apiId,
    integrationId,
    status: "DRIFTED",
    action: "update",
    diffs: diffs ?? [{ path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 }],
  };
}

/** A report as a run returns it, around `integrations`; `at` is its startedAt. */
export function sampleReport(
  at: string,
  integrations: IntegrationResult[],
  overrides: Partial<Report> = {},
): Report {
  const mode = overrides.mode ?? "plan";
  return {
    runId: `run-${at}`,
    startedAt: at,
    finishedAt: new Date(Date.parse(at) + 1500).toISOString(),
    mode,
    desiredRevision: "0123456789abcdef0123456789abcdef01234567",
    status: runStatus(mode, integrations),
    summary: summarise(integrations),
    integrations,
    apiCalls: { GetApi: 1, GetIntegrations: 1, throttled: 0, retries: 0 },
    errors: [],
    warnings: [],
    ...overrides,
  };
}

type Next = (args: InitializeHandlerArguments<object>) => Promise<InitializeHandlerOutput<object>>;

/** Records the size of every BatchWriteItem and the sort keys of the last one. */
export function traceBatches(client: DynamoDBClient) {
  const trace = { sizes: [] as number[], lastKeys: [] as string[], stop: () => {} };
  const name = `trace${Math.random()}`;
  client.middlewareStack.add(
    ((next: Next, context: { commandName?: string }) => async (args: InitializeHandlerArguments<object>) => {
      if (context.commandName === "BatchWriteItemCommand") {
        const requests =
          Object.values((args.input as BatchWriteItemCommandInput).RequestItems ?? {})[0] ?? [];
        trace.sizes.push(requests.length);
        trace.lastKeys = requests.map((r) => r.PutRequest?.Item?.sk?.S ?? "");
      }
      return next(args);
    }) as never,
    { step: "initialize", name },
  );
  trace.stop = () => void client.middlewareStack.remove(name);
  return trace;
}

/**
 * Moves the second half of each BatchWriteItem's requests into UnprocessedItems (they are not sent) for
 * the first `calls` calls, as DynamoDB does when the table or an index is throttled.
 */
export function holdBack(client: DynamoDBClient, options: { calls: number }) {
  const state = { heldBack: 0, calls: 0, stop: () => {} };
  const name = `holdBack${Math.random()}`;
  client.middlewareStack.add(
    ((next: Next, context: { commandName?: string }) => async (args: InitializeHandlerArguments<object>) => {
      if (context.commandName !== "BatchWriteItemCommand" || state.calls++ >= options.calls)
        return next(args);
      const input = args.input as BatchWriteItemCommandInput;
      const [tableName, requests] = Object.entries(input.RequestItems ?? {})[0]!;
      const keep = requests.slice(0, Math.floor(requests.length / 2));
      const held = requests.slice(keep.length);
      state.heldBack += held.length;
      const result = keep.length
        ? await next({ ...args, input: { ...input, RequestItems: { [tableName]: keep } } })
        : { output: { $metadata: {} }, response: {} };
      (result.output as BatchWriteItemCommandOutput).UnprocessedItems = { [tableName]: held };
      return result;
    }) as never,
    { step: "initialize", name },
  );
  state.stop = () => void client.middlewareStack.remove(name);
  return state;
}
