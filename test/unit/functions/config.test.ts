import { describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES, parseConfig, whereFromArn } from "../../../functions/reconcile/config.ts";

describe("parseConfig (the function's environment, once per cold start)", () => {
  it("fills in every default when only the table is set", () => {
    expect(parseConfig({ DRIFT_HISTORY_TABLE: "history" })).toEqual({
      RECONCILE_MODE: "apply",
      DRIFT_HISTORY_TABLE: "history",
      DRIFT_HISTORY_RETENTION_DAYS: 90,
      MAX_UPDATES: 100,
      MAX_DELETES: 5,
      RATE_LIMIT: 10,
      CONCURRENCY: 8,
      DEADLINE_MARGIN_MS: 30_000,
      ATTRIBUTION: "on",
      ATTRIBUTION_PAGES: 20,
      NOTIFICATIONS: "on",
    });
  });

  it("reads numbers as Number() reads them, and keeps the redaction settings it is given", () => {
    expect(
      parseConfig({
        RECONCILE_MODE: "plan",
        DRIFT_HISTORY_TABLE: "t",
        DRIFT_HISTORY_RETENTION_DAYS: "30",
        MAX_UPDATES: "0",
        MAX_DELETES: "1e1",
        RATE_LIMIT: "2.5",
        CONCURRENCY: " 4 ",
        DEADLINE_MARGIN_MS: "0",
        APIGW_DRIFT_REDACTION_KEY_PARAMETER: "/apigw-drift/key",
        ATTRIBUTION: "off",
        ATTRIBUTION_PAGES: "3",
        NOTIFICATIONS: "off",
        POWERTOOLS_SERVICE_NAME: "not ours",
      }),
    ).toEqual({
      RECONCILE_MODE: "plan",
      DRIFT_HISTORY_TABLE: "t",
      DRIFT_HISTORY_RETENTION_DAYS: 30,
      MAX_UPDATES: 0,
      MAX_DELETES: 10,
      RATE_LIMIT: 2.5,
      CONCURRENCY: 4,
      DEADLINE_MARGIN_MS: 0,
      APIGW_DRIFT_REDACTION_KEY_PARAMETER: "/apigw-drift/key",
      ATTRIBUTION: "off",
      ATTRIBUTION_PAGES: 3,
      NOTIFICATIONS: "off",
    });
  });

  it("names every bad variable in one message, with what it takes", () => {
    expect(() =>
      parseConfig({
        RECONCILE_MODE: "Apply",
        DRIFT_HISTORY_RETENTION_DAYS: "0",
        MAX_UPDATES: "-1",
        MAX_DELETES: "five",
        RATE_LIMIT: "0",
        CONCURRENCY: "1.5",
        DEADLINE_MARGIN_MS: "",
        ATTRIBUTION_PAGES: "0",
        ATTRIBUTION: "yes",
        NOTIFICATIONS: "OFF",
      }),
    ).toThrow(
      new Error(
        'invalid function environment: RECONCILE_MODE: takes "plan" or "apply", not "Apply"; DRIFT_HISTORY_TABLE: must name the history table (template.yaml sets it); DRIFT_HISTORY_RETENTION_DAYS: takes a whole number of days ≥ 1, not "0"; MAX_UPDATES: takes a whole number ≥ 0, not "-1"; MAX_DELETES: takes a whole number ≥ 0, not "five"; RATE_LIMIT: takes a number of requests per second > 0, not "0"; CONCURRENCY: takes a whole number ≥ 1, not "1.5"; DEADLINE_MARGIN_MS: takes a whole number of milliseconds ≥ 0, not ""; ATTRIBUTION_PAGES: takes a whole number of pages ≥ 1, not "0"; ATTRIBUTION: takes "on" or "off", not "yes"; NOTIFICATIONS: takes "on" or "off", not "OFF"',
      ),
    );
  });

  it('refuses an empty table name and an empty number ("" is 0 to Number())', () => {
    expect(() => parseConfig({ DRIFT_HISTORY_TABLE: "", CONCURRENCY: "" })).toThrow(
      new Error(
        'invalid function environment: DRIFT_HISTORY_TABLE: must name the history table (template.yaml sets it); CONCURRENCY: takes a whole number ≥ 1, not ""',
      ),
    );
  });

  it("lists the variables it reads, for the template test", () => {
    expect(ENVIRONMENT_VARIABLES).toEqual([
      "RECONCILE_MODE",
      "DRIFT_HISTORY_TABLE",
      "DRIFT_HISTORY_RETENTION_DAYS",
      "MAX_UPDATES",
      "MAX_DELETES",
      "RATE_LIMIT",
      "CONCURRENCY",
      "DEADLINE_MARGIN_MS",
      "ATTRIBUTION_PAGES",
      "APIGW_DRIFT_REDACTION_KEY",
      "APIGW_DRIFT_REDACTION_KEY_PARAMETER",
      "ATTRIBUTION",
      "NOTIFICATIONS",
      "APIGW_DRIFT_ROLE_ARN",
    ]);
  });
});

describe("whereFromArn", () => {
  it("reads the Region and account of a function ARN, and nothing from anything else", () => {
    expect(whereFromArn("arn:aws:lambda:eu-west-1:123456789012:function:apigw-drift")).toEqual({
      region: "eu-west-1",
      account: "123456789012",
    });
    expect(whereFromArn("not-an-arn")).toEqual({});
  });
});
