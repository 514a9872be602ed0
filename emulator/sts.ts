/**
 * A local AWS STS for the two operations the product calls: GetCallerIdentity (whose account the
 * credentials act in, for the account guard) and AssumeRole (a fleet's role per account). It imports
 * nothing from the product.
 *
 * Wire format, from the SDK model (`@aws-sdk/client-sts`, awsQuery): `POST /` with a form body
 * `Action=...&Version=2011-06-15&...`, answered `text/xml` as `<ActionResponse><ActionResult>...`;
 * errors as `<ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...</Message></Error>`.
 * The caller is the access key id of the SigV4 `Authorization` header. Who a key is: `identities` maps
 * keys to an account and ARN; any other key is a user of the default account (123456789012), as moto
 * answers. AssumeRole hands out a new key pair whose identity is the role's assumed-role session in the
 * role's account (the account in the role ARN), so calls made with it can be told apart per account.
 * AccessDenied for roles a caller may not assume (`deny`) follows the STS API reference's error shape;
 * its wording is ours (unverified). Trust policies and ExternalId are not evaluated, except that a role
 * listed in `externalIds` requires that id (the wording of the refusal is ours).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, listenLoopback } from "./listen.ts";
import { signatureScope } from "./writes.ts";

export interface StsIdentity {
  account: string;
  arn: string;
  userId?: string;
}

export interface StsCall {
  action: string;
  accessKeyId?: string;
  region?: string;
  params: Record<string, string>;
  status: number;
}

export interface StsEmulatorOptions {
  port?: number;
  /** Who each access key id is; any other key is `arn:aws:iam::<defaultAccount>:user/<key>`. */
  identities?: Record<string, StsIdentity>;
  defaultAccount?: string;
  /** Role ARNs that require this ExternalId. */
  externalIds?: Record<string, string>;
}

export async function startStsEmulator(options: StsEmulatorOptions = {}): Promise<StsEmulator> {
  const emulator = new StsEmulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

export class StsEmulator {
  readonly calls: StsCall[] = [];
  readonly identities: Map<string, StsIdentity>;
  readonly defaultAccount: string;
  /** Role ARNs nobody may assume: AssumeRole answers AccessDenied. */
  readonly denied = new Set<string>();
  readonly #externalIds: Record<string, string>;
  #server: Server | undefined;

  /** @internal Use startStsEmulator. */
  constructor(options: StsEmulatorOptions) {
    this.identities = new Map(Object.entries(options.identities ?? {}));
    this.defaultAccount = options.defaultAccount ?? "123456789012";
    this.#externalIds = options.externalIds ?? {};
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo | null)?.port ?? 0}`;
  }

  /** Who an access key id is, as GetCallerIdentity would answer. */
  identityOf(accessKeyId: string | undefined): StsIdentity {
    const key = accessKeyId ?? "anonymous";
    return (
      this.identities.get(key) ?? {
        account: this.defaultAccount,
        arn: `arn:aws:iam::${this.defaultAccount}:user/${key}`,
        userId: `AIDA${key
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, "")
          .slice(0, 16)}`,
      }
    );
  }

  /** @internal */
  async listen(port: number): Promise<void> {
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(({ status, body }) => {
        res.writeHead(status, {
          "content-type": "text/xml",
          "x-amzn-requestid": randomBytes(8).toString("hex"),
        });
        res.end(body);
      });
    });
    await listenLoopback(this.#server, port);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await closeServer(server);
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const params = Object.fromEntries(new URLSearchParams(raw));
    const { accessKeyId, region } = signatureScope(req.headers);
    const action = params.Action ?? "";
    const answer = this.#answer(action, params, accessKeyId);
    this.calls.push({
      action,
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(region ? { region } : {}),
      params,
      status: answer.status,
    });
    return answer;
  }

  #answer(action: string, params: Record<string, string>, accessKeyId: string | undefined) {
    if (action === "GetCallerIdentity") {
      const who = this.identityOf(accessKeyId);
      return ok(
        action,
        `<Arn>${xml(who.arn)}</Arn><UserId>${xml(who.userId ?? "AIDAEXAMPLE")}</UserId><Account>${who.account}</Account>`,
      );
    }
    if (action === "AssumeRole") {
      const roleArn = params.RoleArn ?? "";
      const session = params.RoleSessionName ?? "";
      const role = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
      if (!role || !/^[\w+=,.@-]{2,64}$/.test(session)) {
        return fail(
          400,
          "ValidationError",
          `1 validation error detected: RoleArn or RoleSessionName is not valid`,
        );
      }
      const caller = this.identityOf(accessKeyId);
      const external = this.#externalIds[roleArn];
      if (this.denied.has(roleArn) || (external !== undefined && params.ExternalId !== external)) {
        return fail(
          403,
          "AccessDenied",
          `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
      }
      const keyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
      const assumed = `arn:aws:sts::${role[1]}:assumed-role/${role[2]}/${session}`;
      this.identities.set(keyId, {
        account: role[1]!,
        arn: assumed,
        userId: `AROA${role[2]!.toUpperCase()}:${session}`,
      });
      const expiration = new Date(Date.now() + Number(params.DurationSeconds ?? 3600) * 1000).toISOString();
      return ok(
        action,
        `<Credentials><AccessKeyId>${keyId}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString("hex")}</SecretAccessKey><SessionToken>${randomBytes(32).toString("base64")}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA${xml(role[2]!.toUpperCase())}:${xml(session)}</AssumedRoleId><Arn>${xml(assumed)}</Arn></AssumedRoleUser>`,
      );
    }
    return fail(400, "InvalidAction", `Could not find operation ${action} for version 2011-06-15`);
  }
}

function ok(action: string, result: string) {
  return {
    status: 200,
    body: `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomBytes(8).toString("hex")}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function fail(status: number, code: string, message: string) {
  return {
    status,
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomBytes(8).toString("hex")}</RequestId></ErrorResponse>`,
  };
}

function xml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
