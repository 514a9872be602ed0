/**
 * What `apigw-drift probe` without `--yes` prints: every experiment it would run (what it creates, the one
 * UpdateIntegration it sends, what it reads back), what it creates and deletes around them, and the IAM
 * policy it needs. Made from the experiments' own data, so the plan is what the run sends.
 */
import { EXPERIMENTS, type Experiment, PLACEHOLDER_ROLE, type Placeholders } from "./experiments.ts";
import { LEFTOVER_AGE_MS, SCRATCH_PREFIX } from "./scratch.ts";

/** The calls a run makes at most: listings, the two scratch APIs, each experiment's. */
export function callBudget(experiments: readonly Experiment[], p: Placeholders): number {
  let calls = 2 + 2 + 2; // GetApis before and after, CreateApi and DeleteApi for each scratch API
  for (const x of experiments) {
    if (x.kind === "update" && (x.needs !== "vpcLink" || p.vpcLink)) calls += 3;
    if (x.kind === "pageSize") calls += x.sizes.length;
  }
  return calls;
}

/** The plan's lines, without a trailing newline. */
export function planLines(
  p: Placeholders,
  rate: number,
  experiments: readonly Experiment[] = EXPERIMENTS,
): string[] {
  const minutes = LEFTOVER_AGE_MS / 60_000;
  const lines = [
    "apigw-drift probe: the experiments it would run on this account (nothing is sent without --yes)",
    "",
    `First: GetApis, and DeleteApi for each scratch API an earlier probe left (named ${SCRATCH_PREFIX}*, created over ${minutes} minutes ago; every one with --clean-all).`,
    `Then: CreateApi of an HTTP API and a WebSocket API named ${SCRATCH_PREFIX}<run>-http and -ws, which it deletes at the end, also after an error or SIGINT/SIGTERM.`,
    "",
  ];
  for (const x of experiments) lines.push(experimentLine(x, p));
  lines.push(
    "",
    `Calls: at most ${callBudget(experiments, p)}, one at a time, at most ${rate} per second (the account's quota, 10 per second with a burst of 40, is shared with every other caller).`,
    `AWS service integrations name the role arn:aws:iam::${p.account}:role/${PLACEHOLDER_ROLE} (it need not exist: nothing is invoked).`,
  );
  return lines;
}

function experimentLine(x: Experiment, p: Placeholders): string {
  switch (x.kind) {
    case "skipped":
      return `${x.name}: ${x.why}`;
    case "pageSize":
      return `${x.name} (HTTP API): GetIntegrations at maxResults ${x.sizes.join(", ")} until one is accepted; the first accepted is the largest, a 400 is a refusal`;
    case "update": {
      if (x.needs === "vpcLink" && !p.vpcLink) {
        return `${x.name}: skipped without --vpc-link ID (a private integration on your VPC link): reads tlsConfig back after sending {}`;
      }
      const api = x.protocol === "HTTP" ? "HTTP API" : "WebSocket API";
      return `${x.name} (${api}): creates ${JSON.stringify(x.create(p))}; sends UpdateIntegration ${JSON.stringify(x.update(p))}; reads ${x.shows.join(", ")} back: ${x.reads}`;
    }
  }
}

/**
 * The least IAM policy a probe run needs in `region` ("*" for any). CreateApi and DeleteApi are limited to
 * the scratch names with API Gateway's `apigateway:Request/ApiName` and `apigateway:Resource/ApiName`
 * condition keys (Service Authorization Reference, Amazon API Gateway Management V2: "Available during the
 * CreateApi and UpdateApi operations", "... UpdateApi and DeleteApi"). No condition key names the API of an
 * integration write, so those are limited in the code (lib/probe/scratch.ts) and its tests instead.
 */
export function iamPolicy(region: string, account: string): Record<string, unknown> {
  const arn = (path: string) => `arn:aws:apigateway:${region}::${path}`;
  const scratch = `${SCRATCH_PREFIX}*`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListApisReadScratchIntegrations",
        Effect: "Allow",
        Action: "apigateway:GET",
        Resource: [arn("/apis"), arn("/apis/*")],
      },
      {
        Sid: "CreateScratchApis",
        Effect: "Allow",
        Action: "apigateway:POST",
        Resource: arn("/apis"),
        Condition: { StringLike: { "apigateway:Request/ApiName": scratch } },
      },
      {
        Sid: "DeleteScratchApis",
        Effect: "Allow",
        Action: "apigateway:DELETE",
        Resource: arn("/apis/*"),
        Condition: { StringLike: { "apigateway:Resource/ApiName": scratch } },
      },
      {
        Sid: "WriteScratchIntegrations",
        Effect: "Allow",
        Action: ["apigateway:POST", "apigateway:PATCH"],
        Resource: [arn("/apis/*/integrations"), arn("/apis/*/integrations/*")],
      },
      {
        Sid: "NameThePlaceholderRole",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${account}:role/${PLACEHOLDER_ROLE}`,
        Condition: { StringEquals: { "iam:PassedToService": "apigateway.amazonaws.com" } },
      },
    ],
  };
}
