import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";

/** Who the run's credentials are: the account the account guard checks against, and the caller's ARN. */
export interface CallerIdentity {
  account: string;
  arn: string;
}

/**
 * STS GetCallerIdentity on the SDK's standard configuration (region, credential chain,
 * `AWS_ENDPOINT_URL_STS`): the account a run acts in comes from its credentials, never only from a flag
 * (PRODUCT §4). The only importer of @aws-sdk/client-sts. It needs no permission (the API reference: "No
 * permissions are required to perform this operation").
 */
export async function callerIdentity(
  options: {
    client?: STSClient;
    /** Whose identity: a fleet target's assumed role (lib/fleet); the standard chain otherwise. */
    credentials?: AwsCredentialIdentityProvider;
  } = {},
): Promise<CallerIdentity> {
  const client =
    options.client ??
    new STSClient({
      requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn) throw new Error("STS answered without an account");
    return { account: out.Account, arn: out.Arn };
  } finally {
    if (!options.client) client.destroy();
  }
}
