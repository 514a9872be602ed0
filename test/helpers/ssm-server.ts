import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny SSM Parameter Store on loopback that answers GetParameter only, over the service's own wire format
 * (awsJson1_1: POST /, `X-Amz-Target: AmazonSSM.GetParameter`, `Content-Type: application/x-amz-json-1.1`),
 * so tests drive the real @aws-sdk/client-ssm through `AWS_ENDPOINT_URL_SSM`. What it answers, and where
 * each answer comes from:
 * - a parameter: `{"Parameter": {Name, Type, Value, Version, ARN, DataType, LastModifiedDate}}`, the
 *   GetParameter response in the SSM API reference; a SecureString's value decrypted only when the request
 *   says `WithDecryption: true` (otherwise the service returns the ciphertext, here a stand-in for it);
 * - a missing one: 400 `{"__type": "ParameterNotFound"}` with no message, as the service answers (its
 *   clients print an empty message: awslabs/aws-simple-cicd#10, vandium-io/aws-param-store#8);
 * - a denied one: 400 AccessDeniedException with the message IAM gives ("User: … is not authorized to
 *   perform: ssm:GetParameter on resource: … because no identity-based policy allows the ssm:GetParameter
 *   action", aws-solutions/aws-control-tower-customizations#208), or the one KMS gives through SSM for a key
 *   the caller may not use ("The ciphertext refers to a customer master key that does not exist, does not
 *   exist in this region, or you are not allowed to access.", tryolabs/aws-workshop#6);
 * - any other operation: 400 UnknownOperationException.
 * Signatures are not checked (fake credentials).
 */
export interface SsmParameter {
  Name: string;
  Type: "String" | "StringList" | "SecureString";
  Value: string;
}

export type Denial = "iam" | "kms";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const ROLE = "arn:aws:sts::123456789012:assumed-role/apigw-drift-ReconcileFunctionRole-1A2B3C/apigw-drift";

export async function startSsm() {
  const parameters = new Map<string, SsmParameter>();
  const denials = new Map<string, Denial>();
  const requests: { target: string; body: Record<string, unknown> }[] = [];
  const arn = (name: string) =>
    `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith("/") ? "" : "/"}${name}`;

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": "11111111-2222-3333-4444-555555555555",
    });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    requests.push({ target, body });
    if (req.method !== "POST" || target !== "AmazonSSM.GetParameter") {
      return answer(res, 400, { __type: "UnknownOperationException" });
    }
    const name = String(body.Name);
    const denial = denials.get(name);
    if (denial === "iam") {
      return answer(res, 400, {
        __type: "AccessDeniedException",
        message: `User: ${ROLE} is not authorized to perform: ssm:GetParameter on resource: ${arn(name)} because no identity-based policy allows the ssm:GetParameter action`,
      });
    }
    const parameter = parameters.get(name);
    if (!parameter) return answer(res, 400, { __type: "ParameterNotFound" });
    const decrypt = parameter.Type !== "SecureString" || body.WithDecryption === true;
    if (denial === "kms" && parameter.Type === "SecureString" && decrypt) {
      return answer(res, 400, {
        __type: "AccessDeniedException",
        message:
          "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
      });
    }
    return answer(res, 200, {
      Parameter: {
        Name: parameter.Name,
        Type: parameter.Type,
        Value: decrypt ? parameter.Value : Buffer.from(`ciphertext of ${parameter.Name}`).toString("base64"),
        Version: 1,
        ARN: arn(name),
        DataType: "text",
        LastModifiedDate: 1_767_225_600,
      },
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500, { __type: "InternalServerError" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: REGION,
    /** Every request received, in order. */
    requests,
    put(parameter: SsmParameter) {
      parameters.set(parameter.Name, parameter);
    },
    delete(name: string) {
      parameters.delete(name);
    },
    /** Denies GetParameter of `name` as IAM does, or its decryption as KMS does; undefined lifts it. */
    deny(name: string, denial: Denial | undefined) {
      if (denial) denials.set(name, denial);
      else denials.delete(name);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
