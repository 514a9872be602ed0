import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../functions/reconcile/config.ts";
import { RedactionKeyError, redactionKeySource } from "../../functions/reconcile/redaction-key.ts";
import { startSsm } from "../helpers/ssm-server.ts";

/** The real @aws-sdk/client-ssm against a loopback GetParameter endpoint, through AWS_ENDPOINT_URL_SSM. */
let ssm: Awaited<ReturnType<typeof startSsm>>;
const NAME = "/apigw-drift/redaction-key";
const KEY = "key-from-ssm-7f3a9c";

beforeAll(async () => {
  ssm = await startSsm();
});
afterAll(async () => {
  await ssm.close();
});
beforeEach(() => {
  vi.stubEnv("AWS_ENDPOINT_URL_SSM", ssm.endpoint);
  vi.stubEnv("AWS_REGION", ssm.region);
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  ssm.requests.length = 0;
  ssm.put({ Name: NAME, Type: "SecureString", Value: KEY });
  ssm.deny(NAME, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const expectError = async (load: () => Promise<unknown>, message: string) => {
  const error = await load().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RedactionKeyError);
  expect((error as Error).message).toBe(message);
};

describe("the redaction key", () => {
  it("is read from its SecureString parameter, decrypted, once per cold start", async () => {
    const key = redactionKeySource({ parameterName: NAME });
    expect(ssm.requests).toEqual([]);
    expect(await key()).toBe(KEY);
    expect(await key()).toBe(KEY);
    expect(ssm.requests).toEqual([
      { target: "AmazonSSM.GetParameter", body: { Name: NAME, WithDecryption: true } },
    ]);
  });

  it("is the given key, or the built-in one, without a parameter: SSM is never called", async () => {
    expect(await redactionKeySource({ key: "local-key" })()).toBe("local-key");
    expect(await redactionKeySource({})()).toBeUndefined();
    expect(await redactionKeySource({ parameterName: "", key: "local-key" })()).toBe("local-key");
    expect(ssm.requests).toEqual([]);
  });

  it("fails the invocation when the parameter does not exist, and tries again at the next", async () => {
    ssm.delete(NAME);
    const key = redactionKeySource({ parameterName: NAME });
    await expectError(
      key,
      `cannot read the redaction key's SSM parameter "${NAME}": it does not exist in this account and Region (ParameterNotFound). Create it as a SecureString (\`aws ssm put-parameter --type SecureString --name <name> --value <key>\`), or deploy with RedactionKeyParameter empty to use the built-in key; the run did not start`,
    );
    ssm.put({ Name: NAME, Type: "SecureString", Value: KEY });
    expect(await key()).toBe(KEY);
    expect(ssm.requests).toHaveLength(2);
  });

  it("says what the role lacks when IAM denies the parameter", async () => {
    ssm.deny(NAME, "iam");
    await expectError(
      redactionKeySource({ parameterName: NAME }),
      `cannot read the redaction key's SSM parameter "${NAME}": access denied (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/apigw-drift-ReconcileFunctionRole-1A2B3C/apigw-drift is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-west-1:123456789012:parameter${NAME} because no identity-based policy allows the ssm:GetParameter action). The function's role needs ssm:GetParameter on this parameter (the template grants it on the one RedactionKeyParameter names) and, when a customer managed KMS key encrypts it, kms:Decrypt on that key (deploy with RedactionKeyKmsKeyArn set to the key's ARN); the run did not start`,
    );
  });

  it("says what the role lacks when KMS refuses to decrypt it", async () => {
    ssm.deny(NAME, "kms");
    await expectError(
      redactionKeySource({ parameterName: NAME }),
      `cannot read the redaction key's SSM parameter "${NAME}": access denied (AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.). The function's role needs ssm:GetParameter on this parameter (the template grants it on the one RedactionKeyParameter names) and, when a customer managed KMS key encrypts it, kms:Decrypt on that key (deploy with RedactionKeyKmsKeyArn set to the key's ARN); the run did not start`,
    );
  });

  it("refuses a key stored unencrypted, in a String parameter", async () => {
    ssm.put({ Name: NAME, Type: "String", Value: KEY });
    await expectError(
      redactionKeySource({ parameterName: NAME }),
      `the redaction key's SSM parameter "${NAME}" is a String, not a SecureString: the key would be stored unencrypted. Recreate it with \`aws ssm put-parameter --type SecureString --overwrite --name ${NAME} --value <key>\`; the run did not start`,
    );
  });

  it("is configured by its parameter's name or by the key, never both", () => {
    expect(
      parseConfig({ DRIFT_HISTORY_TABLE: "t", APIGW_DRIFT_REDACTION_KEY_PARAMETER: NAME }),
    ).toMatchObject({
      APIGW_DRIFT_REDACTION_KEY_PARAMETER: NAME,
    });
    expect(() =>
      parseConfig({
        DRIFT_HISTORY_TABLE: "t",
        APIGW_DRIFT_REDACTION_KEY: "k",
        APIGW_DRIFT_REDACTION_KEY_PARAMETER: NAME,
      }),
    ).toThrow(
      "invalid function environment: APIGW_DRIFT_REDACTION_KEY: set either APIGW_DRIFT_REDACTION_KEY (the key) or APIGW_DRIFT_REDACTION_KEY_PARAMETER (the SSM parameter holding it), not both",
    );
  });
});
