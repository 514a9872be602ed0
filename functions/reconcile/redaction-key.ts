/**
 * The key of the keyed hash that redacted values carry (PRODUCT §3: `***` plus a short HMAC), read once per
 * cold start from the SSM SecureString parameter the template's RedactionKeyParameter names, so the key is
 * never in the template, the stack's parameters or the function's environment (only the parameter's name
 * is). It is read at the first invocation, not at import, and the SSM client is imported then too: a
 * function without the parameter never loads it.
 */
import type { SSMClient } from "@aws-sdk/client-ssm";

/** The key could not be read; the message says which parameter, why, and what to do. */
export class RedactionKeyError extends Error {
  override name = "RedactionKeyError";
}

export interface RedactionKeyOptions {
  /** APIGW_DRIFT_REDACTION_KEY_PARAMETER: the name (or ARN) of the SecureString parameter holding the key. */
  parameterName?: string;
  /** APIGW_DRIFT_REDACTION_KEY: the key itself, for runs outside Lambda; unset, the built-in key. */
  key?: string;
  /** Only for tests: the SDK's standard configuration (region, credentials, `AWS_ENDPOINT_URL_SSM`) otherwise. */
  client?: Pick<SSMClient, "send">;
}

/**
 * The redaction key as the function needs it: undefined for the built-in key, the given key, or the SSM
 * parameter's value, read at the first call and then reused. A failed read is not kept: the next
 * invocation tries again (a parameter created or a permission granted since is picked up).
 */
export function redactionKeySource(options: RedactionKeyOptions): () => Promise<string | undefined> {
  const name = options.parameterName;
  if (!name) {
    const key = options.key;
    return async () => key;
  }
  let loading: Promise<string> | undefined;
  return () => {
    loading ??= readKey(name, options.client).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

async function readKey(name: string, given?: Pick<SSMClient, "send">): Promise<string> {
  const { GetParameterCommand, SSMClient } = await import("@aws-sdk/client-ssm");
  // A parameter store that accepts a connection and never answers must not hang the run to its timeout.
  const client =
    given ?? new SSMClient({ requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } });
  const where = `the redaction key's SSM parameter ${JSON.stringify(name)}`;
  let parameter: { Type?: string; Value?: string } | undefined;
  try {
    ({ Parameter: parameter } = await client.send(
      new GetParameterCommand({ Name: name, WithDecryption: true }),
    ));
  } catch (error) {
    throw new RedactionKeyError(`cannot read ${where}: ${reason(error)}; the run did not start`, {
      cause: error,
    });
  }
  if (parameter?.Type !== "SecureString") {
    throw new RedactionKeyError(
      `${where} is a ${parameter?.Type ?? "parameter of no type"}, not a SecureString: the key would be stored unencrypted. Recreate it with \`aws ssm put-parameter --type SecureString --overwrite --name ${name} --value <key>\`; the run did not start`,
    );
  }
  if (!parameter.Value) throw new RedactionKeyError(`${where} is empty; the run did not start`);
  return parameter.Value;
}

/** What went wrong, and what to do about it. */
function reason(error: unknown): string {
  const name = (error as { name?: string }).name ?? "Error";
  const message = error instanceof Error && error.message !== name ? `: ${error.message}` : "";
  switch (name) {
    case "ParameterNotFound":
      return "it does not exist in this account and Region (ParameterNotFound). Create it as a SecureString (`aws ssm put-parameter --type SecureString --name <name> --value <key>`), or deploy with RedactionKeyParameter empty to use the built-in key";
    case "AccessDeniedException":
      return `access denied (AccessDeniedException${message}). The function's role needs ssm:GetParameter on this parameter (the template grants it on the one RedactionKeyParameter names) and, when a customer managed KMS key encrypts it, kms:Decrypt on that key (deploy with RedactionKeyKmsKeyArn set to the key's ARN)`;
    case "InvalidKeyId":
      return `its KMS key is not usable (InvalidKeyId${message}): check that the key exists and is enabled`;
    default:
      return `${name}${message}. The next invocation tries again`;
  }
}
