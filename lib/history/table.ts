import type {
  AttributeDefinition,
  CreateTableCommandInput,
  GlobalSecondaryIndex,
  KeySchemaElement,
} from "@aws-sdk/client-dynamodb";

/**
 * The drift-history table, defined once. One table holds three kinds of item (keys in `keys.ts`):
 *
 * | item        | pk                          | sk                       | byApi (GSI)                              | byTime (GSI)                                       |
 * |-------------|-----------------------------|--------------------------|------------------------------------------|----------------------------------------------------|
 * | drift event | `INTEGRATION#<integration>` | `EVENT#<at>#<api>#<run>` | `API#<api>` / `<at>#<integration>#<run>` | `EVENT#<yyyy-mm>` / `<at>#<api>#<integration>#<run>` |
 * | run record  | `RUN#<run>`                 | `RUN`                    | —                                        | `RUN#<yyyy-mm>` / `<at>#<run>`                       |
 * | apply lease | `LEASE#apply`               | `LEASE`                  | —                                        | —                                                  |
 *
 * `at` is the run's startedAt (ISO-8601, UTC, fixed width, so it sorts as text), which makes every key a
 * function of the report: writing a report again overwrites its items instead of adding copies. Each of
 * the four queries of PRODUCT §5 is one Query (by integration on the table, by API and by time on an
 * index; time windows walk month buckets), never a Scan. Both indexes project everything, so a query is
 * one read per page, not a query plus a BatchGetItem. The keys are the exported layout the CloudFormation
 * template must match; `template.yaml` is checked against this object by a test.
 */
export const HISTORY_TABLE: {
  readonly BillingMode: "PAY_PER_REQUEST";
  readonly KeySchema: readonly KeySchemaElement[];
  readonly AttributeDefinitions: readonly AttributeDefinition[];
  readonly GlobalSecondaryIndexes: readonly GlobalSecondaryIndex[];
  readonly TimeToLiveSpecification: { readonly AttributeName: string; readonly Enabled: true };
  readonly PointInTimeRecoverySpecification: { readonly PointInTimeRecoveryEnabled: true };
} = {
  // On demand: a scheduled job writes in bursts and reads rarely; provisioned capacity would sit idle.
  BillingMode: "PAY_PER_REQUEST",
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ],
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "sk", AttributeType: "S" },
    { AttributeName: "byApiPk", AttributeType: "S" },
    { AttributeName: "byApiSk", AttributeType: "S" },
    { AttributeName: "byTimePk", AttributeType: "S" },
    { AttributeName: "byTimeSk", AttributeType: "S" },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: "byApi",
      KeySchema: [
        { AttributeName: "byApiPk", KeyType: "HASH" },
        { AttributeName: "byApiSk", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    },
    {
      IndexName: "byTime",
      KeySchema: [
        { AttributeName: "byTimePk", KeyType: "HASH" },
        { AttributeName: "byTimeSk", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    },
  ],
  // Epoch seconds, as DynamoDB TTL requires; set from the retention (default 90 days) on every item.
  TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
  // Template-only (UpdateContinuousBackups, not CreateTable): history is the audit trail of every apply.
  PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
};

/** The index names, as queries use them. */
export const BY_API_INDEX = "byApi";
export const BY_TIME_INDEX = "byTime";
/** The TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = HISTORY_TABLE.TimeToLiveSpecification.AttributeName;
export const DEFAULT_RETENTION_DAYS = 90;

/**
 * CreateTable input for the definition above. TTL and point-in-time recovery are separate calls
 * (UpdateTimeToLive, UpdateContinuousBackups), so they are not part of it.
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: HISTORY_TABLE.BillingMode,
    KeySchema: HISTORY_TABLE.KeySchema.map((k) => ({ ...k })),
    AttributeDefinitions: HISTORY_TABLE.AttributeDefinitions.map((a) => ({ ...a })),
    GlobalSecondaryIndexes: HISTORY_TABLE.GlobalSecondaryIndexes.map((g) => ({
      IndexName: g.IndexName,
      KeySchema: g.KeySchema?.map((k) => ({ ...k })),
      Projection: { ...g.Projection },
    })),
  };
}
