import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { roleArnFor } from "../desired-state/fleet-role.ts";
import { type CallerIdentity, callerIdentity } from "../identity/caller.ts";

/** What a fleet's run knows of how to reach another account (fleet.yaml). */
export interface RoleConfig {
  roleArn: string;
  externalId?: string;
}

/** Credentials in one target's account, and who they are. */
export interface TargetCredentials {
  credentials: AwsCredentialIdentityProvider;
  identity: CallerIdentity;
}

/** STS calls a fleet made, reported apart from the API Gateway calls of its targets. */
export class StsCalls {
  AssumeRole = 0;
  GetCallerIdentity = 0;
  toRecord(): Record<string, number> {
    return { AssumeRole: this.AssumeRole, GetCallerIdentity: this.GetCallerIdentity };
  }
}

/** A role could not be assumed, or its credentials could not say who they are. */
export class TargetAccessError extends Error {
  override name = "TargetAccessError";
}

/** Refreshed this long before they expire, so no call is signed with credentials about to lapse. */
const REFRESH_MS = 5 * 60 * 1000;

/**
 * Credentials for `account` by the SDK's own provider (`fromTemporaryCredentials`: STS AssumeRole with
 * the run's own credentials as the master), then STS GetCallerIdentity with them: the account a target's
 * run acts in comes from its credentials, as for the run's own (PRODUCT §4), never only from the ARN. The
 * session is named `apigw-drift-<run id prefix>`, so CloudTrail in the spoke account names the run.
 * Throws a TargetAccessError naming the role, the account and what to check.
 */
export async function assumeTargetRole(options: {
  role: RoleConfig;
  account: string;
  runId: string;
  calls?: StsCalls;
  /** The run's own identity, for the message when the role refuses it. */
  caller?: string;
  /** Only for tests: the provider (fromTemporaryCredentials by default). */
  provider?: typeof fromTemporaryCredentials;
}): Promise<TargetCredentials> {
  const roleArn = roleArnFor(options.role, options.account);
  const calls = options.calls ?? new StsCalls();
  const assume = (options.provider ?? fromTemporaryCredentials)({
    params: {
      RoleArn: roleArn,
      RoleSessionName: sessionName(options.runId),
      ...(options.role.externalId ? { ExternalId: options.role.externalId } : {}),
    },
  });
  const credentials = memoize(async () => {
    calls.AssumeRole += 1;
    return assume();
  });
  try {
    await credentials();
  } catch (error) {
    throw new TargetAccessError(
      `cannot assume role ${roleArn} for account ${options.account}: ${(error as Error).message}. Check that the role exists in account ${options.account} (templates/spoke-role.yaml, deployed by the spoke StackSet), that its trust policy names ${options.caller ?? "this run's principal"} (the HubRoleArn parameter)${options.role.externalId ? " and requires the externalId fleet.yaml gives" : ""}, and that roleArn in fleet.yaml is right`,
      { cause: error },
    );
  }
  calls.GetCallerIdentity += 1;
  try {
    return { credentials, identity: await callerIdentity({ credentials }) };
  } catch (error) {
    throw new TargetAccessError(
      `assumed role ${roleArn}, but STS GetCallerIdentity with its credentials failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** `apigw-drift-<the first 8 characters of the run id>`: STS takes 2 to 64 of `[\w+=,.@-]`. */
export function sessionName(runId: string): string {
  return `apigw-drift-${runId.replace(/[^\w+=,.@-]/g, "").slice(0, 8)}`;
}

/** One AssumeRole per expiry, shared by every client of the target; a failure is not kept. */
function memoize(provider: () => Promise<AwsCredentialIdentity>): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (current) {
      const held = await current.catch(() => undefined);
      if (held && (!held.expiration || held.expiration.getTime() - Date.now() > REFRESH_MS)) return held;
    }
    current = provider();
    current.catch(() => {
      current = undefined;
    });
    return current;
  };
}
