import { describe, expect, it } from "vitest";
import { retentionDaysFromEnvironment } from "../../../lib/history/environment.ts";
import { createTableInput, HISTORY_TABLE, TTL_ATTRIBUTE } from "../../../lib/history/table.ts";

describe(createTableInput.name, () => {
  it("is the table definition without the template-only settings", () => {
    const input = createTableInput("t");
    expect(input).toEqual({
      TableName: "t",
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: HISTORY_TABLE.KeySchema,
      AttributeDefinitions: HISTORY_TABLE.AttributeDefinitions,
      GlobalSecondaryIndexes: HISTORY_TABLE.GlobalSecondaryIndexes,
    });
    expect(input.KeySchema).not.toBe(HISTORY_TABLE.KeySchema);
  });

  it("defines exactly the attributes its keys use", () => {
    const keys = [
      ...HISTORY_TABLE.KeySchema,
      ...HISTORY_TABLE.GlobalSecondaryIndexes.flatMap((g) => g.KeySchema ?? []),
    ].map((k) => k.AttributeName);
    expect(HISTORY_TABLE.AttributeDefinitions.map((a) => a.AttributeName).sort()).toEqual([...keys].sort());
    expect(TTL_ATTRIBUTE).toBe("expiresAt");
  });
});

describe(retentionDaysFromEnvironment.name, () => {
  it("is 90 days unless DRIFT_HISTORY_RETENTION_DAYS says otherwise", () => {
    expect(retentionDaysFromEnvironment({})).toBe(90);
    expect(retentionDaysFromEnvironment({ DRIFT_HISTORY_RETENTION_DAYS: " " })).toBe(90);
    expect(retentionDaysFromEnvironment({ DRIFT_HISTORY_RETENTION_DAYS: "30" })).toBe(30);
    for (const bad of ["0", "-1", "1.5", "ninety"]) {
      expect(() => retentionDaysFromEnvironment({ DRIFT_HISTORY_RETENTION_DAYS: bad })).toThrow(
        `DRIFT_HISTORY_RETENTION_DAYS must be a whole number of days ≥ 1, not "${bad}"`,
      );
    }
  });
});
