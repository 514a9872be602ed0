/**
 * Notifications after a run (PRODUCT §8): the previous state from history, decideNotifications, the events
 * sent, and the new state kept. A notification that could not be sent leaves its integration's state as it
 * was, so the next run decides (and sends) it again; nothing here fails the run — every problem becomes a
 * warning for the report and the logs.
 */
import type { Report } from "../plan/report.ts";
import { decideNotifications, type Notification, type NotifiedState } from "./decide.ts";
import type { SendReport } from "./send.ts";

/** Where the states live between runs (lib/history/notified.ts on the history table). */
export interface NotificationStates {
  load(now: number): Promise<Map<string, NotifiedState>>;
  save(
    changes: {
      put: ReadonlyMap<string, NotifiedState & { apiId: string; integrationId: string }>;
      remove: readonly { apiId: string; integrationId: string }[];
    },
    now: number,
  ): Promise<void>;
}

export interface AfterRunDeps {
  states: NotificationStates;
  /** sendNotifications on the composition root's EventBridge client. */
  send: (notifications: readonly Notification[]) => Promise<SendReport>;
  now: () => number;
}

export interface AfterRunOutcome {
  /** What was decided, in (apiId, integrationId) order. */
  notifications: Notification[];
  sent: number;
  /** For people: what went wrong, and what happens next. */
  warnings: string[];
}

export async function notifyAfterRun(
  report: Pick<Report, "runId" | "desiredRevision" | "integrations" | "account" | "region">,
  deps: AfterRunDeps,
  /** Where the run acted when the report does not say (a run of one target): the function's own. */
  where: { account?: string; region?: string } = {},
): Promise<AfterRunOutcome> {
  const now = deps.now();
  let previous: Map<string, NotifiedState>;
  try {
    previous = await deps.states.load(now);
  } catch (error) {
    // Without what was announced, every standing drift would be announced again: send nothing this time.
    return {
      notifications: [],
      sent: 0,
      warnings: [`no notifications were sent: ${(error as Error).message}; the next run decides them again`],
    };
  }
  const account = report.account ?? where.account;
  const region = report.region ?? where.region;
  const decision = decideNotifications(previous, report.integrations, {
    runId: report.runId,
    desiredRevision: report.desiredRevision,
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
  });
  const warnings: string[] = [];
  const next = new Map(decision.next);
  let sent = 0;
  if (decision.notifications.length > 0) {
    let outcome: SendReport;
    try {
      outcome = await deps.send(decision.notifications);
    } catch (error) {
      outcome = {
        sent: 0,
        calls: 0,
        failed: decision.notifications.map((notification) => ({
          notification,
          errorCode: (error as Error).name || "Error",
          errorMessage: (error as Error).message,
        })),
      };
    }
    sent = outcome.sent;
    for (const { notification } of outcome.failed) {
      const key = `${notification.detail.apiId}/${notification.detail.integrationId}`;
      const before = previous.get(key);
      if (before) next.set(key, before);
      else next.delete(key);
    }
    if (outcome.failed.length > 0) {
      const first = outcome.failed[0]!;
      warnings.push(
        `${outcome.failed.length} of ${decision.notifications.length} notifications were not sent to EventBridge (${first.errorCode}: ${first.errorMessage}); the next run sends them again`,
      );
    }
  }
  const put = new Map<string, NotifiedState & { apiId: string; integrationId: string }>();
  for (const [key, state] of next) {
    const before = previous.get(key);
    if (before?.kind === state.kind && before.drift === state.drift) continue;
    put.set(key, { ...state, ...split(key) });
  }
  const remove = [...previous.keys()].filter((k) => !next.has(k)).map(split);
  if (put.size > 0 || remove.length > 0) {
    try {
      await deps.states.save({ put, remove }, now);
    } catch (error) {
      warnings.push(
        `the notification states were not saved (${(error as Error).message}); the next run may announce these changes again`,
      );
    }
  }
  return { notifications: decision.notifications, sent, warnings };
}

/** integrationKey's parts: API ids never hold a "/". */
function split(key: string): { apiId: string; integrationId: string } {
  const at = key.indexOf("/");
  return { apiId: key.slice(0, at), integrationId: key.slice(at + 1) };
}
