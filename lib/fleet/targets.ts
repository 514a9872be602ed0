import type { DesiredApiEntry } from "../desired-state/state.ts";

/** Where a group of APIs lives: one account and Region, with its own quota (PRODUCT §9). */
export interface Target {
  account: string;
  region: string;
}

/** One target of a fleet and the APIs the run acts on there. */
export interface FleetTarget {
  /** Undefined when a file names no account and the run's own account is unknown (STS failed). */
  account?: string;
  /** Undefined when a file names no Region and the run has none (AWS_REGION unset). */
  region?: string;
  /** The run's own account: its own credentials, no role to assume. */
  own: boolean;
  /** Sorted by apiId, as in the desired state. */
  apis: DesiredApiEntry[];
}

/** Where the run itself acts: the credentials' account (STS), the SDK's Region. */
export interface Home {
  account?: string;
  region?: string;
}

/**
 * Groups the APIs by where their files say they live (PRODUCT §9): a file without `account` or `region`
 * belongs to the run's own. Targets come sorted by account, then Region (unknown ones last), so a fleet's
 * report is the same run to run. Pure.
 */
export function groupTargets(apis: readonly DesiredApiEntry[], home: Home): FleetTarget[] {
  const groups = new Map<string, FleetTarget>();
  for (const api of apis) {
    const account = api.account ?? home.account;
    const region = api.region ?? home.region;
    const key = `${account ?? "~"}/${region ?? "~"}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        ...(account !== undefined ? { account } : {}),
        ...(region !== undefined ? { region } : {}),
        own: account !== undefined && account === home.account,
        apis: [],
      };
      groups.set(key, group);
    }
    group.apis.push(api);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}

/** `account/region` for messages and headings, `?` for what is unknown. */
export function targetName(target: { account?: string; region?: string }): string {
  return `${target.account ?? "?"}/${target.region ?? "?"}`;
}

/**
 * The APIs a request selects, as reconcile selects them (`--api`, `--integration`): the fleet groups only
 * these, so a target the selection leaves empty is not visited. Undefined when the selection names an id
 * the desired state does not have: the single-target run reports that, with its own message.
 */
export function selectedApis(
  apis: readonly DesiredApiEntry[],
  selection: { apiIds?: readonly string[]; integrationIds?: readonly string[] },
): DesiredApiEntry[] | undefined {
  const { apiIds, integrationIds } = selection;
  if (apiIds?.some((id) => !apis.some((a) => a.apiId === id))) return undefined;
  let chosen = apiIds ? apis.filter((a) => apiIds.includes(a.apiId)) : [...apis];
  if (integrationIds) {
    if (integrationIds.some((id) => !chosen.some((a) => a.integrationIds.includes(id)))) return undefined;
    chosen = chosen.filter((a) => integrationIds.some((id) => a.integrationIds.includes(id)));
  }
  return chosen;
}

/** The request's selection narrowed to one target's APIs (reconcile refuses ids a target lacks). */
export function selectionFor(
  target: FleetTarget,
  selection: { apiIds?: readonly string[]; integrationIds?: readonly string[] },
): { apiIds?: string[]; integrationIds?: string[] } {
  const apiIds = selection.apiIds?.filter((id) => target.apis.some((a) => a.apiId === id));
  const integrationIds = selection.integrationIds?.filter((id) =>
    target.apis.some((a) => a.integrationIds.includes(id)),
  );
  return {
    ...(apiIds ? { apiIds } : {}),
    ...(integrationIds ? { integrationIds } : {}),
  };
}
