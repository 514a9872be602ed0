import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BEHAVIOURS,
  type Behaviour,
  type BehaviourName,
  behaviourFromProbe,
  defaultBehaviour,
} from "../../../emulator/behaviour.ts";
import { applyUpdate, BadRequest, createIntegration, type Integration } from "../../../emulator/patch.ts";
import { SUBTYPES } from "../../../emulator/service-model.ts";
import { checkRules } from "../../../lib/desired-state/rules.ts";
import { type DesiredIntegration, integrationSchema } from "../../../lib/desired-state/schema.ts";
import { diffIntegration } from "../../../lib/diff/diff.ts";
import { parsePointer } from "../../../lib/diff/pointer.ts";
import { INTEGRATION_TYPES_BY_PROTOCOL, type Protocol } from "../../../lib/model/service.ts";
import { planApi } from "../../../lib/plan/plan.ts";
import { buildUpdate } from "../../../lib/plan/update.ts";

/** Small value domains, so that equal and unequal values both come up often. */
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
const requestKeys: Record<Protocol, string[]> = {
  HTTP: ["overwrite:header.a", "append:querystring.b", "overwrite:header.authorization", "overwrite:path"],
  WEBSOCKET: ["integration.request.header.a", "integration.request.querystring.b"],
};
const smallMap = (keys: string[]) =>
  fc.dictionary(fc.constantFrom(...keys), fc.constantFrom("v1", "v2"), { maxKeys: 3 });

function fieldsArb(protocol: Protocol, required: "integrationType"[] = []) {
  const both = {
    connectionType: opt(fc.constantFrom("INTERNET", "VPC_LINK")),
    credentialsArn: opt(
      fc.constantFrom("arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"),
    ),
    description: opt(fc.constantFrom("a", "b", "")),
    integrationMethod: opt(fc.constantFrom("POST", "GET", "ANY")),
    integrationType: fc.constantFrom(...INTEGRATION_TYPES_BY_PROTOCOL[protocol]),
    integrationUri: opt(fc.constantFrom("https://a.example.com", "https://b.example.com")),
    payloadFormatVersion: opt(fc.constantFrom("1.0", "2.0")),
    requestParameters: opt(smallMap(requestKeys[protocol])),
    timeoutInMillis: opt(fc.constantFrom(50, 1000, protocol === "HTTP" ? 30000 : 29000)),
  };
  const only: Record<string, fc.Arbitrary<unknown>> = protocol === "HTTP"
    ? {
        connectionId: opt(fc.constantFrom("vl1", "vl2")),
        responseParameters: opt(
          fc.dictionary(
            fc.constantFrom("200", "404"),
            smallMap(["overwrite:header.x", "overwrite:statuscode", "append:header.set-cookie"]),
            { maxKeys: 2 },
          ),
        ),
        tlsConfig: opt(fc.record({ serverNameToVerify: fc.constantFrom("a.example.com", "b.example.com") })),
      }
    : {
        contentHandlingStrategy: opt(fc.constantFrom("CONVERT_TO_BINARY", "CONVERT_TO_TEXT")),
        passthroughBehavior: opt(fc.constantFrom("WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES")),
        requestTemplates: opt(smallMap(["application/json", "text/plain", "a~b"])),
        templateSelectionExpression: opt(fc.constantFrom("\\$default", "$request.body.action")),
      };
  const fields: Record<string, fc.Arbitrary<unknown>> = { ...both, ...only };
  return fc.record(fields, { requiredKeys: required });
}

const ignoreArb = fc.subarray([
  "/description",
  "/requestParameters/overwrite:header.a",
  "/requestParameters/integration.request.header.a",
  "/responseParameters/404",
  "/responseParameters/200/overwrite:header.x",
  "/requestTemplates/text~1plain",
  "/timeoutInMillis",
]);

/** A declaration the validator accepts: the only kind the plan ever sees. */
const schemas = {
  HTTP: integrationSchema("HTTP"),
  WEBSOCKET: integrationSchema("WEBSOCKET"),
};
function isValid(protocol: Protocol, desired: Record<string, unknown>): boolean {
  // One schema per protocol: building a zod schema costs far more than a parse (80 s of the suite's time).
  if (!schemas[protocol].safeParse(desired).success) return false;
  return checkRules({ integrations: { x: desired } }, protocol).length === 0;
}

/** Live state as the service would hold it: created through the emulator's model, so defaults are filled. */
function liveOf(protocol: Protocol, fields: Record<string, unknown>, behaviour: Partial<Behaviour>) {
  const input = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
  try {
    return createIntegration(protocol, "abc1234", input, behaviour);
  } catch (error) {
    if (error instanceof BadRequest) return undefined; // the service refuses it: no such live state
    throw error;
  }
}

function valueAt(doc: unknown, pointer: string): unknown {
  let current = doc;
  for (const token of parsePointer(pointer)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

/** The types whose integrations need a URI and a method: unsetting either can never converge. */
const NEEDS_URI_AND_METHOD = new Set(["AWS", "HTTP", "HTTP_PROXY"]);
const needsUriAndMethod = (type: unknown, subtype: unknown) =>
  NEEDS_URI_AND_METHOD.has(String(type)) || (type === "AWS_PROXY" && subtype === undefined);

/**
 * Plans an update of `live` to `desired`, applies it through the emulator's model under `behaviour` (the
 * request through JSON, as the SDK sends it: an undefined member never reaches the service), and checks
 * that nothing is left to plan and ignored values are untouched, except what the plan itself said it
 * cannot fix in place, and, under a reading that makes a removal impossible, the fields `unremovable`
 * names: those must fail visibly, as a refusal of the request or a difference the apply reports as
 * NotConverged, and never silently.
 */
function convergesOnce(
  protocol: Protocol,
  desired: Record<string, unknown>,
  live: Integration,
  ignore: string[],
  behaviour: Partial<Behaviour>,
  unremovable: readonly string[] = [],
): void {
  const options = { protocol, ignore };
  const planned = buildUpdate(desired as DesiredIntegration, live, options);
  const drift = diffIntegration(desired as DesiredIntegration, live, options);
  if (!planned) {
    expect(drift).toEqual([]);
    return;
  }
  // Fields no update can fix are named at plan time and left out of the request.
  const stuck = new Set<string>(planned.cannot.map((c) => c.field));
  if (!planned.fields) {
    // Nothing to send: the plan said why, for a person to act on.
    expect(planned.cannot.length).toBeGreaterThan(0);
    return;
  }
  const update = planned.fields;
  const drifted = [...new Set(drift.map((d) => d.path.split("/")[1]!))];
  // Exactly the top-level fields that differ are sent (a field only partly stuck still goes), plus what an
  // AWS service integration re-sends.
  const resent =
    live.integrationSubtype === undefined
      ? []
      : ["integrationSubtype", "integrationType", "requestParameters"];
  const sent = Object.keys(update);
  for (const field of drifted) if (!stuck.has(field)) expect(sent).toContain(field);
  for (const field of sent) expect([...drifted, ...resent]).toContain(field);
  let after: Integration;
  try {
    after = applyUpdate(protocol, live, JSON.parse(JSON.stringify(update)), behaviour);
  } catch (error) {
    // A refusal is visible (the integration is FAILED with the service's words), and only a reading that
    // refuses one of the request's removals may cause it.
    expect(error).toBeInstanceOf(BadRequest);
    expect(unremovable.some((f) => sent.includes(f))).toBe(true);
    return;
  }
  const left = diffIntegration(desired as DesiredIntegration, after, options);
  // What stays is what the plan or the reading says cannot change, and it stays visible as drift.
  expect(
    left.filter((d) => !stuck.has(d.path.split("/")[1]!) && !unremovable.includes(d.path.split("/")[1]!)),
  ).toEqual([]);
  for (const pointer of ignore) expect(valueAt(after, pointer)).toEqual(valueAt(live, pointer));
}

type Scenario = "same type" | "type change" | "incompatible with the live type" | "required field unset";

/**
 * A declaration without integrationType whose fields, over the live integration, break a rule the service
 * enforces on the result (payloadFormatVersion 2.0 only on Lambda proxies of HTTP APIs, POST on Lambda).
 */
function breaksLiveType(protocol: Protocol, desired: Record<string, unknown>, live: Integration): boolean {
  const lambda = live.integrationType === "AWS_PROXY" && live.integrationSubtype === undefined;
  const pfv = desired.payloadFormatVersion ?? live.payloadFormatVersion;
  const method = desired.integrationMethod ?? live.integrationMethod;
  return (
    (pfv === "2.0" && !(lambda && protocol === "HTTP")) || (lambda && method != null && method !== "POST")
  );
}

/** Which scenario a generated (desired, live) pair belongs to. */
function scenarioOf(protocol: Protocol, desired: Record<string, unknown>, live: Integration): Scenario {
  if (desired.integrationType !== undefined && desired.integrationType !== live.integrationType) {
    return "type change";
  }
  if (breaksLiveType(protocol, desired, live)) return "incompatible with the live type";
  const unsets =
    needsUriAndMethod(live.integrationType, live.integrationSubtype) &&
    (desired.integrationUri === null || desired.integrationMethod === null);
  return unsets ? "required field unset" : "same type";
}

/** The behaviours that can change what an UpdateIntegration does to `protocol`'s integrations. */
const UPDATE_BEHAVIOURS: Record<Protocol, BehaviourName[]> = {
  HTTP: [
    "requestParameters.patch",
    "requestParameters.emptyString",
    "responseParameters.emptyObject",
    "description.emptyString",
    "stringFields.emptyString",
    "tlsConfig.emptyObject",
  ],
  WEBSOCKET: [
    "requestParameters.patch",
    "requestParameters.emptyString",
    "requestTemplates.patch",
    "description.emptyString",
    "stringFields.emptyString",
  ],
};

/** The defaults, then every other reading of each behaviour once, the others at their defaults. */
function combinations(names: readonly BehaviourName[]): { label: string; behaviour: Partial<Behaviour> }[] {
  const out: { label: string; behaviour: Partial<Behaviour> }[] = [{ label: "defaults", behaviour: {} }];
  for (const name of names) {
    const row = BEHAVIOURS[name];
    for (const value of row.values as readonly unknown[]) {
      if (value !== row.default)
        out.push({ label: `${name}=${String(value)}`, behaviour: { [name]: value } });
    }
  }
  return out;
}

/**
 * Readings under which the product's removal encoding cannot work, and the fields it then cannot remove:
 * no encoding the API has would remove them (the probe, PRODUCT §11, tells a user which reading their
 * account shows, and the plan warns of it up front). The property still runs under each: the rest must
 * converge, and these must fail visibly. Key: the behaviour's label.
 */
const UNREMOVABLE: Record<string, string[]> = {
  // A "" that is stored, or refused, leaves no way to remove one request parameter.
  "requestParameters.emptyString=stored": ["requestParameters"],
  "requestParameters.emptyString=rejected": ["requestParameters"],
  "responseParameters.emptyObject=rejected": ["responseParameters"],
  "description.emptyString=rejected": ["description"],
  "stringFields.emptyString=rejected": [
    "credentialsArn",
    "connectionId",
    "templateSelectionExpression",
    "contentHandlingStrategy",
    "integrationUri",
  ],
  "tlsConfig.emptyObject=rejected": ["tlsConfig"],
  // Templates are sent whole, never with a "" marker (an empty template is a valid body, facts #12):
  // under a merge, a template the file removes stays.
  "requestTemplates.patch=merge": ["requestTemplates"],
};

describe.each(["HTTP", "WEBSOCKET"] as const)("plan properties (%s)", (protocol) => {
  it("finds no drift between a declaration and itself", () => {
    fc.assert(
      fc.property(fieldsArb(protocol), (fields) => {
        fc.pre(isValid(protocol, fields));
        const diffs = diffIntegration(
          fields as DesiredIntegration,
          { integrationId: "x", ...fields },
          { protocol },
        );
        expect(diffs).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  const cases: { scenario: Scenario; label: string; behaviour: Partial<Behaviour> }[] = [
    ...combinations(UPDATE_BEHAVIOURS[protocol]).map((c) => ({ scenario: "same type" as const, ...c })),
    { scenario: "type change", label: "defaults", behaviour: {} },
    { scenario: "incompatible with the live type", label: "defaults", behaviour: {} },
    { scenario: "required field unset", label: "defaults", behaviour: {} },
  ];
  for (const { scenario, label, behaviour } of cases) {
    const unremovable = UNREMOVABLE[label] ?? [];
    const fails =
      unremovable.length > 0 ? ` (fails visibly where it must remove ${unremovable.join(", ")})` : "";
    it(`converges (${scenario}) with ${label}${fails}`, () => {
      // The incompatible pairs are rare among random ones: bias the declaration towards them (no type, and a
      // method or payload format only some types take) so the property sees enough of them.
      const desiredArb =
        scenario === "incompatible with the live type"
          ? fieldsArb(protocol).map(({ integrationType: _, ...rest }) => rest)
          : fieldsArb(protocol);
      fc.assert(
        fc.property(
          desiredArb,
          fieldsArb(protocol, ["integrationType"]),
          ignoreArb,
          (desired, current, ignore) => {
            fc.pre(isValid(protocol, desired));
            const live = liveOf(protocol, current, behaviour);
            fc.pre(live !== undefined && scenarioOf(protocol, desired, live) === scenario);
            convergesOnce(protocol, desired, live as Integration, ignore, behaviour, unremovable);
          },
        ),
        scenario === "same type"
          ? { numRuns: label === "defaults" ? 500 : 200 }
          : { numRuns: 100, maxSkipsPerRun: 400 },
      );
    });
  }
});

/** An AWS service integration's parameters: every required one and some optional ones, of `action`. */
function serviceParametersArb(action: string) {
  const row = SUBTYPES[action]!;
  const value = fc.constantFrom("$request.body.a", "$request.body.b", "$request.header.x");
  const required = Object.fromEntries(row.required.map((k) => [k, value]));
  const optional = Object.fromEntries(row.optional.slice(0, 3).map((k) => [k, value]));
  return fc.record({ ...required, ...optional }, { requiredKeys: [...row.required] });
}

const serviceArb = fc.constantFrom("SQS-SendMessage", "EventBridge-PutEvents").chain((action) =>
  fc.record({
    action: fc.constant(action),
    live: fc.record(
      {
        integrationType: fc.constant("AWS_PROXY"),
        integrationSubtype: fc.constant(action),
        credentialsArn: fc.constantFrom(
          "arn:aws:iam::123456789012:role/a",
          "arn:aws:iam::123456789012:role/b",
        ),
        requestParameters: serviceParametersArb(action),
        description: fc.constantFrom("a", "b"),
        timeoutInMillis: fc.constantFrom(1000, 30000),
      },
      { requiredKeys: ["integrationType", "integrationSubtype", "credentialsArn", "requestParameters"] },
    ),
    desired: fc.record(
      {
        integrationType: fc.constant("AWS_PROXY"),
        integrationSubtype: fc.constant(action),
        credentialsArn: opt(
          fc.constantFrom("arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"),
        ),
        requestParameters: serviceParametersArb(action),
        description: opt(fc.constantFrom("a", "b")),
        timeoutInMillis: opt(fc.constantFrom(1000, 30000)),
      },
      { requiredKeys: ["integrationType", "integrationSubtype"] },
    ),
  }),
);

describe("plan properties (HTTP AWS service integrations)", () => {
  const permissive: Partial<Behaviour> = {
    "subtype.updateWithoutSubtype": "accepted",
    "subtype.emptyStringParameter": "accepted",
    "subtype.requiredParametersOnUpdate": "stored",
  };
  const cases = [
    ...combinations([
      "subtype.updateWithoutSubtype",
      "subtype.emptyStringParameter",
      "subtype.change",
      "subtype.requiredParametersOnUpdate",
      "requestParameters.patch",
    ]),
    { label: "every subtype behaviour at its permissive reading", behaviour: permissive },
  ];
  for (const { label, behaviour } of cases) {
    it(`converges with ${label}`, () => {
      fc.assert(
        fc.property(serviceArb, ignoreArb, ({ live: fields, desired }, ignore) => {
          fc.pre(isValid("HTTP", desired));
          const live = liveOf("HTTP", fields, behaviour);
          fc.pre(live !== undefined);
          convergesOnce("HTTP", desired, live as Integration, ignore, behaviour);
        }),
        { numRuns: 200 },
      );
    });
  }
});

/**
 * The convergence properties again, each under every reading of one probe result (test/fixtures/probe/:
 * the emulator's defaults, moto's readings, the strictest readings, and the readings no other fixture
 * has), all at once as an account would show them: what the readings make unremovable must fail
 * visibly, and the rest converge.
 */
const PROBE_FIXTURES = readdirSync("test/fixtures/probe")
  .filter((f) => f.endsWith(".json"))
  .sort();

describe.each(PROBE_FIXTURES)("plan properties under the probe result %s", (file) => {
  const behaviour = behaviourFromProbe(
    JSON.parse(readFileSync(`test/fixtures/probe/${file}`, "utf8")),
  ).behaviour;
  const defaults = defaultBehaviour();
  const changed = (Object.entries(behaviour) as [BehaviourName, unknown][]).filter(
    ([n, v]) => defaults[n] !== v,
  );
  const unremovable = [...new Set(changed.flatMap(([n, v]) => UNREMOVABLE[`${n}=${String(v)}`] ?? []))];

  it.each(["HTTP", "WEBSOCKET"] as const)("converges on %s APIs", (protocol) => {
    fc.assert(
      fc.property(
        fieldsArb(protocol),
        fieldsArb(protocol, ["integrationType"]),
        ignoreArb,
        (desired, current, ignore) => {
          fc.pre(isValid(protocol, desired));
          const live = liveOf(protocol, current, behaviour);
          fc.pre(live !== undefined && scenarioOf(protocol, desired, live) === "same type");
          convergesOnce(protocol, desired, live as Integration, ignore, behaviour, unremovable);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("converges on AWS service integrations", () => {
    fc.assert(
      fc.property(serviceArb, ignoreArb, ({ live: fields, desired }, ignore) => {
        fc.pre(isValid("HTTP", desired));
        const live = liveOf("HTTP", fields, behaviour);
        fc.pre(live !== undefined);
        convergesOnce("HTTP", desired, live as Integration, ignore, behaviour, unremovable);
      }),
      { numRuns: 60 },
    );
  });
});

describe("prune properties", () => {
  it("never plans the delete of a managed or route-targeted integration", () => {
    const liveArb = fc.uniqueArray(
      fc.record({ integrationId: fc.stringMatching(/^[a-z0-9]{3}$/), apiGatewayManaged: fc.boolean() }),
      { selector: (i) => i.integrationId, maxLength: 12 },
    );
    fc.assert(
      fc.property(liveArb, fc.array(fc.nat(11), { maxLength: 6 }), fc.nat(12), (live, targets, declared) => {
        const routes = targets
          .filter((t) => t < live.length)
          .map((t, i) => ({ routeId: `r${i}`, target: `integrations/${live[t]!.integrationId}` }));
        const integrations = Object.fromEntries(live.slice(0, declared).map((i) => [i.integrationId, {}]));
        const planned = planApi({
          desired: { apiId: "a1b2c3d4e5", protocol: "HTTP", integrations },
          live,
          routes,
          prune: true,
          now: Date.UTC(2027, 1, 1),
        });
        const targeted = new Set(routes.map((r) => r.target.slice("integrations/".length)));
        for (const { result } of planned) {
          const source = live.find((i) => i.integrationId === result.integrationId);
          if (result.action !== "delete") continue;
          expect(source?.apiGatewayManaged).toBe(false);
          expect(targeted.has(result.integrationId)).toBe(false);
          expect(Object.hasOwn(integrations, result.integrationId)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});
