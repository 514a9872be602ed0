import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyUpdate, createIntegration } from "../../../emulator/patch.ts";
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
function isValid(protocol: Protocol, desired: Record<string, unknown>): boolean {
  if (!integrationSchema(protocol).safeParse(desired).success) return false;
  return checkRules({ integrations: { x: desired } }, protocol).length === 0;
}

/** Live state as the service would hold it: created through the model, so defaults are filled. */
function liveOf(protocol: Protocol, fields: Record<string, unknown>) {
  const input = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
  return createIntegration(protocol, "abc1234", input);
}

function valueAt(doc: unknown, pointer: string): unknown {
  let current = doc;
  for (const token of parsePointer(pointer)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

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

  it("converges: applying the planned update with PATCH semantics leaves nothing to plan", () => {
    fc.assert(
      fc.property(
        fieldsArb(protocol),
        fieldsArb(protocol, ["integrationType"]),
        ignoreArb,
        (desired, current, ignore) => {
          fc.pre(isValid(protocol, desired));
          const live = liveOf(protocol, current);
          const options = { protocol, ignore };
          const planned = buildUpdate(desired as DesiredIntegration, live, options);
          const drift = diffIntegration(desired as DesiredIntegration, live, options);
          if (!planned) {
            expect(drift).toEqual([]);
            return;
          }
          const stuck = new Set<string>(planned.cannot.map((c) => c.field));
          const update = planned.fields ?? {};
          // Exactly the top-level fields that differ are sent, but for those no update can fix.
          const drifted = [...new Set(drift.map((d) => d.path.split("/")[1]!))];
          expect(Object.keys(update).sort()).toEqual(drifted.filter((f) => !stuck.has(f)).sort());
          // Through JSON, as the SDK sends it: a key whose value is undefined never reaches the service.
          const after = applyUpdate(protocol, live, JSON.parse(JSON.stringify(update)));
          const left = diffIntegration(desired as DesiredIntegration, after, options);
          expect(left.filter((d) => !stuck.has(d.path.split("/")[1]!))).toEqual([]);
          for (const pointer of ignore) expect(valueAt(after, pointer)).toEqual(valueAt(live, pointer));
        },
      ),
      { numRuns: 1000 },
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
