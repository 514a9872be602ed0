/**
 * Every request the emulator saw, in arrival order: the trace tests assert on (STYLE.md: "assert call
 * sequences as an ordered trace of operations", which doubles as the call-economy check).
 */
import type { FaultKind } from "./faults.ts";
import type { OperationName } from "./operations.ts";

export interface CallRecord {
  /** 1, 2, 3... in arrival order. */
  seq: number;
  /** Epoch milliseconds at arrival, from the emulator's clock. */
  at: number;
  /** The SDK operation name; "Unknown" when no operation matched. */
  operation: OperationName | "Unknown";
  method: string;
  /** The URL path, without the query string. */
  path: string;
  query: Record<string, string>;
  /** The account the request went to: whose its access key is (the default account's when unknown). */
  account: string;
  /** The Region it went to: its signature's, or the default one's when it was not signed. */
  region: string;
  /** The access key id of its SigV4 signature, if signed. */
  accessKeyId?: string;
  /** The Region of its signature's credential scope, if signed. */
  signedRegion?: string;
  apiId?: string;
  integrationId?: string;
  /** The parsed JSON body of a write (POST, PATCH); the raw text when it was not JSON. */
  body?: unknown;
  /** The id a create made: CreateApi's apiId, CreateIntegration's integrationId. */
  createdId?: string;
  /** The answer's status; absent while in flight and when the connection was reset. */
  status?: number;
  /** The answer's error type (`x-amzn-ErrorType`), for error answers. */
  errorType?: string;
  /** The injected fault that produced the answer (or the reset); absent for a real answer. */
  fault?: FaultKind;
}

/** What `CallLog.filter` matches on: every given key must be equal. */
export type CallFilter = Partial<
  Pick<
    CallRecord,
    | "operation"
    | "method"
    | "apiId"
    | "integrationId"
    | "status"
    | "errorType"
    | "fault"
    | "account"
    | "region"
  >
> & {
  /** true: only faulted calls; false: only calls the store answered. */
  faulted?: boolean;
};

export class CallLog {
  #records: CallRecord[] = [];
  #seq = 0;

  /** @internal Appends a record at arrival; the HTTP layer fills in the outcome before answering. */
  start(record: Omit<CallRecord, "seq">): CallRecord {
    this.#seq += 1;
    const full: CallRecord = { seq: this.#seq, ...record };
    this.#records.push(full);
    return full;
  }

  /** All records (copies), in arrival order. */
  all(): CallRecord[] {
    return this.#records.map((r) => ({ ...r }));
  }

  /** Records matching every key of `filter`, in arrival order. */
  filter(filter: CallFilter = {}): CallRecord[] {
    const { faulted, ...fields } = filter;
    return this.all().filter(
      (r) =>
        (faulted === undefined || (r.fault !== undefined) === faulted) &&
        Object.entries(fields).every(([k, v]) => r[k as keyof CallRecord] === v),
    );
  }

  /** The operation names of matching records, in order: the compact trace. */
  operations(filter: CallFilter = {}): CallRecord["operation"][] {
    return this.filter(filter).map((r) => r.operation);
  }

  /** How many records match. */
  count(filter: CallFilter = {}): number {
    return this.filter(filter).length;
  }

  /** Forgets every record; sequence numbers keep counting, so records stay unique across resets. */
  reset(): void {
    this.#records = [];
  }
}
