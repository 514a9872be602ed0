import { describe, expect, it } from "vitest";
import { createReconcileHandler } from "../../../functions/reconcile/app.ts";
import { InvalidEventError, parseEvent, type RunRequest } from "../../../functions/reconcile/event.ts";
import type { DesiredDocument } from "../../../lib/desired-state/schema.ts";
import { type DesiredState, stateFromDocuments } from "../../../lib/desired-state/state.ts";
import { captureOutput, handlerDeps, jsonLines, lambdaContext } from "../../helpers/lambda-harness.ts";
import { MemoryGateway } from "../../helpers/memory-gateway.ts";

const FIELDS = "the event takes mode, dryRun, apiIds, integrationIds, maxDeletes, maxUpdates, prune, target";
const TARGET_TAKES =
  'target takes a target of the fleet such as {"account": "123456789012", "region": "eu-west-1"} (a 12-digit account id and a Region, nothing else)';
const ACCEPTED =
  'the function takes a schedule\'s input such as {"mode": "apply"}, an EventBridge scheduled-rule event, or a manual invoke such as {"dryRun": true}';

/** Events a caller might send by mistake, and the exact refusal each gets (the run never starts). */
const BAD_EVENTS: [string, unknown, string][] = [
  // Unknown fields: typos and case variants must never turn a dry run into an apply.
  [
    "a lower-case typo of dryRun",
    { dryrun: true },
    `unknown field "dryrun" (did you mean dryRun?); ${FIELDS}`,
  ],
  ["dryRun in PascalCase", { DryRun: true }, `unknown field "DryRun" (did you mean dryRun?); ${FIELDS}`],
  ["Mode with a capital", { Mode: "plan" }, `unknown field "Mode" (did you mean mode?); ${FIELDS}`],
  ["a singular apiId", { apiId: ["a1b2c3d4e5"] }, `unknown field "apiId" (did you mean apiIds?); ${FIELDS}`],
  [
    "a singular integrationId",
    { dryRun: true, integrationId: ["aaa1111"] },
    `unknown field "integrationId" (did you mean integrationIds?); ${FIELDS}`,
  ],
  [
    "two unknown fields with a valid one",
    { mode: "plan", force: true, verbose: 1 },
    `unknown field "force"; unknown field "verbose"; ${FIELDS}`,
  ],
  ["a __proto__ key", JSON.parse('{"__proto__": {"mode": "apply"}}'), `unknown field "__proto__"; ${FIELDS}`],
  // Wrong types, one per field.
  ["mode in the wrong case", { mode: "Apply" }, 'mode takes "plan" or "apply", not "Apply"'],
  ["mode as a number", { mode: 1 }, 'mode takes "plan" or "apply", not 1'],
  ["dryRun as a string", { dryRun: "true" }, 'dryRun takes true or false, not "true"'],
  [
    "apiIds as a string",
    { apiIds: "a1b2c3d4e5" },
    'apiIds takes a non-empty array of API ids, not "a1b2c3d4e5"',
  ],
  ["apiIds holding a number", { apiIds: [42] }, "apiIds takes a non-empty array of API ids, not [42]"],
  ["apiIds holding an empty id", { apiIds: [""] }, 'apiIds takes a non-empty array of API ids, not [""]'],
  [
    "integrationIds as an object",
    { integrationIds: { aaa1111: true } },
    'integrationIds takes a non-empty array of integration ids, not {"aaa1111":true}',
  ],
  ["maxUpdates as a string", { maxUpdates: "5" }, 'maxUpdates takes a whole number ≥ 0, not "5"'],
  ["maxDeletes as null", { maxDeletes: null }, "maxDeletes takes a whole number ≥ 0, not null"],
  ["prune as a string", { prune: "false" }, 'prune takes true or false, not "false"'],
  // A fleet's target (the hub's state machine sends one per invoke): exactly an account and a Region.
  [
    "a target as a string",
    { target: "123456789012/eu-west-1" },
    `${TARGET_TAKES}, not "123456789012/eu-west-1"`,
  ],
  [
    "a target with an unquoted account's lost zeros",
    { target: { account: "12345678901", region: "eu-west-1" } },
    `${TARGET_TAKES}, not {"account":"12345678901","region":"eu-west-1"}`,
  ],
  [
    "a target without its Region",
    { target: { account: "123456789012" } },
    `${TARGET_TAKES}, not {"account":"123456789012"}`,
  ],
  [
    "a target with a field of its own",
    { target: { account: "123456789012", region: "eu-west-1", roleArn: "arn:aws:iam::1:role/x" } },
    // Shown cut at 60 characters, as every refused value.
    `${TARGET_TAKES}, not {"account":"123456789012","region":"eu-west-1","roleArn":"a…`,
  ],
  [
    "a target in a Region that is not one",
    { target: { account: "123456789012", region: "EU" } },
    `${TARGET_TAKES}, not {"account":"123456789012","region":"EU"}`,
  ],
  // Empty arrays: "no ids" must not mean "every API".
  ["empty apiIds", { dryRun: true, apiIds: [] }, "apiIds takes a non-empty array of API ids, not []"],
  [
    "empty integrationIds",
    { integrationIds: [] },
    "integrationIds takes a non-empty array of integration ids, not []",
  ],
  // Numbers out of range.
  ["negative maxDeletes", { maxDeletes: -1 }, "maxDeletes takes a whole number ≥ 0, not -1"],
  ["fractional maxUpdates", { maxUpdates: 1.5 }, "maxUpdates takes a whole number ≥ 0, not 1.5"],
  ["a huge maxUpdates", { maxUpdates: 1e21 }, "maxUpdates takes a whole number ≥ 0, not 1e+21"],
  [
    "every bad field at once, each named once",
    { mode: "now", dryRun: 1, apiIds: [1, 2], maxDeletes: -2, typo: 0 },
    `mode takes "plan" or "apply", not "now"; dryRun takes true or false, not 1; apiIds takes a non-empty array of API ids, not [1,2]; maxDeletes takes a whole number ≥ 0, not -2; unknown field "typo"; ${FIELDS}`,
  ],
  // Contradictions.
  [
    "dryRun with mode apply",
    { dryRun: true, mode: "apply" },
    '"dryRun": true contradicts "mode": "apply"; send one of them',
  ],
  // Not an object at all.
  [
    "the mode as a bare string",
    "apply",
    'expected a JSON object, not a string ("apply"); send {"mode": "apply"}',
  ],
  ["another string", "go", `expected a JSON object, not a string ("go"); ${ACCEPTED}`],
  ["an array", [{ dryRun: true }], `expected a JSON object, not an array ([{"dryRun":true}]); ${ACCEPTED}`],
  ["a number", 42, `expected a JSON object, not a number (42); ${ACCEPTED}`],
  ["a boolean", true, `expected a JSON object, not a boolean (true); ${ACCEPTED}`],
  // Envelopes from other AWS sources: a wrong trigger is named as such, not as nine unknown fields.
  [
    "an S3 event through EventBridge",
    {
      version: "0",
      id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
      "detail-type": "Object Created",
      source: "aws.s3",
      account: "123456789012",
      time: "2025-03-10T12:00:00Z",
      region: "eu-west-1",
      resources: ["arn:aws:s3:::bucket"],
      detail: {},
    },
    `an EventBridge event ("Object Created" from aws.s3) is not a reconcile request; ${ACCEPTED}`,
  ],
  [
    "an SQS batch",
    { Records: [{ messageId: "1", eventSource: "aws:sqs", body: '{"dryRun": true}' }] },
    `a batch of records from aws:sqs is not a reconcile request; ${ACCEPTED}`,
  ],
  [
    "an SNS notification",
    { Records: [{ EventSource: "aws:sns", Sns: { Message: "{}" } }] },
    `a batch of records from aws:sns is not a reconcile request; ${ACCEPTED}`,
  ],
  [
    "a function URL request",
    { version: "2.0", rawPath: "/", requestContext: { http: { method: "POST" } }, body: "{}" },
    `an HTTP request event is not a reconcile request; ${ACCEPTED}`,
  ],
];

/** Events the function takes, and the run each asks for (the function's RECONCILE_MODE is "apply"). */
const GOOD_EVENTS: [string, unknown, RunRequest][] = [
  ["null (an invoke with no payload)", null, { mode: "apply", source: "schedule" }],
  ["an empty object", {}, { mode: "apply", source: "schedule" }],
  ["a Scheduler schedule's input", { mode: "plan" }, { mode: "plan", source: "schedule" }],
  [
    "an EventBridge scheduled-rule event",
    {
      version: "0",
      id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2025-03-10T12:00:00Z",
      region: "eu-west-1",
      resources: ["arn:aws:events:eu-west-1:123456789012:rule/apigw-drift"],
      detail: {},
    },
    { mode: "apply", source: "scheduled-rule" },
  ],
  ["a dry run", { dryRun: true }, { mode: "plan", source: "manual" }],
  ["dryRun false (the function's mode)", { dryRun: false }, { mode: "apply", source: "manual" }],
  ["dryRun with mode plan", { dryRun: true, mode: "plan" }, { mode: "plan", source: "manual" }],
  [
    "every option",
    {
      mode: "apply",
      apiIds: ["a1b2c3d4e5"],
      integrationIds: ["aaa1111"],
      maxDeletes: 0,
      maxUpdates: 3,
      prune: false,
    },
    {
      mode: "apply",
      apiIds: ["a1b2c3d4e5"],
      integrationIds: ["aaa1111"],
      maxDeletes: 0,
      maxUpdates: 3,
      prune: false,
      source: "manual",
    },
  ],
  [
    "a target of the hub's state machine",
    { target: { account: "222222222222", region: "ap-south-1" } },
    { mode: "apply", target: { account: "222222222222", region: "ap-south-1" }, source: "fleet" },
  ],
  [
    "a dry run of one target",
    { dryRun: true, target: { account: "222222222222", region: "ap-south-1" } },
    { mode: "plan", target: { account: "222222222222", region: "ap-south-1" }, source: "manual" },
  ],
];

describe(`${parseEvent.name} on the bad-event corpus`, () => {
  it.each(BAD_EVENTS)("refuses %s", (_name, event, message) => {
    expect(() => parseEvent(event, "apply")).toThrow(new InvalidEventError(`invalid event: ${message}`));
  });

  it("holds at least 15 bad events", () => {
    expect(BAD_EVENTS.length).toBeGreaterThanOrEqual(15);
  });

  it.each(GOOD_EVENTS)("takes %s", (_name, event, request) => {
    expect(parseEvent(event, "apply")).toEqual(request);
  });
});

const HTTP_API = "a1b2c3d4e5";
const WS_API = "w9x8y7z6v5";
const state: DesiredState = stateFromDocuments([
  {
    file: `desired-state/${HTTP_API}.yaml`,
    doc: {
      apiId: HTTP_API,
      protocol: "HTTP",
      integrations: { aaa1111: { timeoutInMillis: 10000 } },
    } satisfies DesiredDocument,
  },
  {
    file: `desired-state/${WS_API}.yaml`,
    doc: {
      apiId: WS_API,
      protocol: "WEBSOCKET",
      integrations: { ccc3333: { passthroughBehavior: "NEVER" } },
    } satisfies DesiredDocument,
  },
]);

function world() {
  const gateway = new MemoryGateway()
    .addApi(HTTP_API, "HTTP")
    .addIntegration(HTTP_API, "aaa1111", {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://a.example.com",
      integrationMethod: "ANY",
      timeoutInMillis: 5000,
    })
    .addApi(WS_API, "WEBSOCKET")
    .addIntegration(WS_API, "ccc3333", { integrationType: "MOCK", passthroughBehavior: "WHEN_NO_MATCH" });
  const harness = handlerDeps({ desired: state, gateway: () => ({ gateway, apiCalls: () => ({}) }) });
  return { gateway, ...harness, handler: createReconcileHandler(harness.deps) };
}

describe("the reconcile handler, given ids the desired state does not have", () => {
  it.each([
    [
      "an unknown API",
      { dryRun: true, apiIds: ["zzzzzzzzzz"] },
      [
        {
          apiId: "zzzzzzzzzz",
          message: `API zzzzzzzzzz has no desired-state file; known APIs: ${HTTP_API}, ${WS_API}`,
        },
      ],
    ],
    [
      "an unknown integration",
      { mode: "apply", integrationIds: ["zzz9999"] },
      [{ message: "integration zzz9999 is not declared in the desired state of the selected APIs" }],
    ],
    [
      "an integration of an API it did not select",
      { mode: "apply", apiIds: [HTTP_API], integrationIds: ["ccc3333"] },
      [{ message: "integration ccc3333 is not declared in the desired state of the selected APIs" }],
    ],
    [
      "one known and one unknown API, and an unknown integration",
      { mode: "apply", apiIds: [HTTP_API, "nope"], integrationIds: ["aaa1111", "zzz9999"] },
      [
        { apiId: "nope", message: `API nope has no desired-state file; known APIs: ${HTTP_API}, ${WS_API}` },
        { message: "integration zzz9999 is not declared in the desired state of the selected APIs" },
      ],
    ],
  ])("fails the run for %s with zero gateway calls, and logs and counts it", async (_name, event, errors) => {
    const { gateway, deps, recorded, handler } = world();
    const { value: report, output } = await captureOutput(async () => {
      const r = await handler(event, lambdaContext());
      deps.metrics.publishStoredMetrics();
      return r;
    });
    expect(report).toMatchObject({ status: "FAILED", integrations: [], errors });
    expect(report?.errors).toEqual(errors);
    expect(gateway.trace).toEqual([]);
    expect(gateway.integration(HTTP_API, "aaa1111")?.timeoutInMillis).toBe(5000);
    // The refusal is history too: a run record with the errors (no drift events: it looked at nothing).
    expect(recorded.map((r) => [r.runId, r.status, r.errors])).toEqual([[report?.runId, "FAILED", errors]]);
    const lines = jsonLines(output);
    // One ERROR line per report error, with its whole text (logged under "error": Powertools would drop a
    // top-level "message" key as reserved).
    expect(lines.filter((l) => l.message === "run error").map((l) => [l.level, l.error])).toEqual(
      errors.map((e) => ["ERROR", e]),
    );
    expect(lines.find((l) => l.message === "run finished")).toMatchObject({
      status: "FAILED",
      runId: report?.runId,
    });
    expect(lines.find((l) => "_aws" in l)).toMatchObject({ RunFailed: 1, Updated: 0, Drifted: 0 });
  });

  it("refuses an invalid event before it reads the desired state, builds a gateway or records anything", async () => {
    const { gateway, recorded, handler, runtimesBuilt, desiredReads } = world();
    const { error, output } = await captureOutput(() => handler({ dryrun: true }, lambdaContext()));
    expect(error).toEqual(
      new InvalidEventError(`invalid event: unknown field "dryrun" (did you mean dryRun?); ${FIELDS}`),
    );
    expect(desiredReads()).toBe(0);
    expect(runtimesBuilt()).toBe(0);
    expect(gateway.trace).toEqual([]);
    expect(recorded).toEqual([]);
    expect(output).toBe("");
  });
});
