/**
 * The tool's own identity, so its own writes are never taken for drift's author (PRODUCT §8). The CLI knows
 * its caller from STS GetCallerIdentity (`arn:aws:sts::A:assumed-role/ROLE/SESSION` for a role, the user's
 * ARN for an IAM user); the Lambda knows its role (`arn:aws:iam::A:role/path/ROLE`) or, the same way, its
 * assumed-role session. A CloudTrail record names the caller in `userIdentity.arn` (the session ARN, which
 * carries no role path) and, for a role session, the role in `userIdentity.sessionContext.sessionIssuer.arn`
 * (with its path). Roles and users are therefore compared by partition, account and name: IAM names are
 * unique in an account whatever their path, and "not distinguished by case" (IAM user guide, IAM
 * identifiers), so the name compares case-insensitively.
 */

/** A role or user, as IAM keeps it unique. */
interface NamedPrincipal {
  kind: "role" | "user";
  partition: string;
  account: string;
  /** Lower case. */
  name: string;
}

/** What counts as the tool itself. Build it with selfIdentity. */
export interface SelfIdentity {
  /** ARNs matched exactly (root, federated users, anything not a role or user). */
  readonly arns: readonly string[];
  /** Roles and users: any of their sessions is the tool. */
  readonly principals: readonly NamedPrincipal[];
  /** When set, a record whose userAgent contains it is the tool's too. */
  readonly userAgentMarker?: string;
}

export interface SelfIdentityOptions {
  /**
   * "role" (default): every session of the caller's role is the tool — right for the Lambda's own role and
   * for a CLI under a role only automation uses. "session": only the caller's own session (its exact
   * assumed-role ARN) — for a CLI run under a role people share, where a colleague's console session of the
   * same role must still be attributed.
   */
  scope?: "role" | "session";
  /** A user-agent fragment only the tool sends (e.g. its SDK `customUserAgent`). */
  userAgentMarker?: string;
}

/** The tool's identity from its caller ARN(s). */
export function selfIdentity(
  arns: string | readonly string[],
  options: SelfIdentityOptions = {},
): SelfIdentity {
  const exact: string[] = [];
  const principals: NamedPrincipal[] = [];
  for (const arn of typeof arns === "string" ? [arns] : arns) {
    const named = parsePrincipal(arn);
    const sessionOnly = options.scope === "session" && /:assumed-role\//.test(arn);
    if (named && !sessionOnly) principals.push(named);
    else exact.push(arn);
  }
  return {
    arns: exact,
    principals,
    ...(options.userAgentMarker ? { userAgentMarker: options.userAgentMarker } : {}),
  };
}

/** The parts of a record's caller that identify it. */
export interface RecordCaller {
  arn?: string;
  sessionIssuerArn?: string;
  userAgent?: string;
}

/** True when the record's caller is the tool itself. */
export function isSelf(caller: RecordCaller, self: SelfIdentity): boolean {
  if (caller.arn !== undefined && self.arns.includes(caller.arn)) return true;
  if (self.userAgentMarker && caller.userAgent?.includes(self.userAgentMarker)) return true;
  for (const arn of [caller.arn, caller.sessionIssuerArn]) {
    const named = arn === undefined ? undefined : parsePrincipal(arn);
    if (named && self.principals.some((p) => samePrincipal(p, named))) return true;
  }
  return false;
}

/**
 * The role or user an ARN names: `arn:P:sts::A:assumed-role/ROLE/SESSION`, `arn:P:iam::A:role/path/ROLE`,
 * `arn:P:iam::A:user/path/USER`. Undefined for anything else (root, federated-user, service principals).
 */
export function parsePrincipal(arn: string): NamedPrincipal | undefined {
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (session)
    return { kind: "role", partition: session[1]!, account: session[2]!, name: session[3]!.toLowerCase() };
  const iam = /^arn:([^:]+):iam::(\d{12}):(role|user)\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  if (iam) {
    return {
      kind: iam[3] as "role" | "user",
      partition: iam[1]!,
      account: iam[2]!,
      name: iam[4]!.toLowerCase(),
    };
  }
  return undefined;
}

function samePrincipal(a: NamedPrincipal, b: NamedPrincipal): boolean {
  return a.kind === b.kind && a.partition === b.partition && a.account === b.account && a.name === b.name;
}
