import { afterEach, describe, expect, it, vi } from "vitest";
import { createFunctionDeps } from "../../../functions/reconcile/runtime.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe(createFunctionDeps.name, () => {
  it("builds the runtime once and gives every warm invocation the same clients", async () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    const deps = createFunctionDeps({ DRIFT_HISTORY_TABLE: "drift-history" });
    const first = await deps.runtime();
    const second = await deps.runtime();
    expect(second).toBe(first);
    const a = first.services({ where: {} });
    const b = second.services({ where: {} });
    expect(b.history).toBe(a.history);
    expect(b.lease).toBe(a.lease);
    await first.close();
  });

  it("does not keep a runtime it could not build: the next invocation tries again", async () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    const deps = createFunctionDeps({
      DRIFT_HISTORY_TABLE: "drift-history",
      APIGW_DRIFT_REDACTION_KEY_PARAMETER: "/apigw-drift/redaction-key",
    });
    await expect(deps.runtime()).rejects.toThrow(
      /the redaction key's SSM parameter "\/apigw-drift\/redaction-key"/,
    );
    await expect(deps.runtime()).rejects.toThrow(/the redaction key's SSM parameter/);
  });
});
