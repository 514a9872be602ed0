import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAwsServiceSpec } from "@aws-cdk/aws-service-spec";
import { type CollectionTag, parse, type ScalarTag } from "yaml";

/** CloudFormation's short-form intrinsic functions, read as their long form ({"Fn::Sub": ...}, {"Ref": ...}). */
const INTRINSICS = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "Transform",
  "And",
  "Equals",
  "If",
  "Not",
  "Or",
  "Condition",
  "GetAtt",
  "Ref",
];

function tags(): (ScalarTag | CollectionTag)[] {
  const out: (ScalarTag | CollectionTag)[] = [];
  for (const name of INTRINSICS) {
    const key = name === "Ref" || name === "Condition" ? name : `Fn::${name}`;
    const wrap = (value: unknown) => ({
      [key]: name === "GetAtt" && typeof value === "string" ? value.split(".") : value,
    });
    out.push({ tag: `!${name}`, resolve: (value: string) => wrap(value) } as ScalarTag);
    out.push({
      tag: `!${name}`,
      collection: "seq",
      resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()),
    } as CollectionTag);
    out.push({
      tag: `!${name}`,
      collection: "map",
      resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()),
    } as CollectionTag);
  }
  return out;
}

export interface Template {
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<
    string,
    {
      Type: string;
      Properties?: Record<string, unknown>;
      Metadata?: Record<string, unknown>;
      [k: string]: unknown;
    }
  >;
  Outputs?: Record<string, unknown>;
  [k: string]: unknown;
}

export function readTemplate(path = "template.yaml"): Template {
  return parse(readFileSync(path, "utf8"), { customTags: tags(), uniqueKeys: true }) as Template;
}

type SpecType = { type: string; reference?: { $ref: string }; element?: SpecType; types?: SpecType[] };
type SpecProperty = { type: SpecType; required?: boolean };

const isIntrinsic = (v: unknown) =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  /^(Ref|Fn::|Condition)/.test(Object.keys(v)[0]!);

/**
 * Checks every AWS::* resource against the CloudFormation resource specification (@aws-cdk/aws-service-spec):
 * the type exists, every property (and nested property) exists, required ones are present. Values that are
 * intrinsic functions are not checked further. Returns the problems found.
 */
export async function checkAgainstSpec(template: Template): Promise<string[]> {
  const db = await loadAwsServiceSpec();
  const problems: string[] = [];
  const checkObject = (where: string, value: unknown, props: Record<string, SpecProperty>) => {
    if (isIntrinsic(value)) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    for (const [name, p] of Object.entries(props)) {
      if (p.required && !(name in value)) problems.push(`${where}: missing required property ${name}`);
    }
    for (const [name, v] of Object.entries(value)) {
      const p = props[name];
      if (!p) problems.push(`${where}: unknown property ${name}`);
      else checkValue(`${where}.${name}`, v, p.type);
    }
  };
  const checkValue = (where: string, value: unknown, type: SpecType) => {
    if (isIntrinsic(value)) return;
    if (type.type === "ref") {
      const def = db.get("typeDefinition", type.reference!.$ref) as unknown as {
        properties: Record<string, SpecProperty>;
      };
      checkObject(where, value, def.properties);
    } else if (type.type === "array") {
      if (!Array.isArray(value)) problems.push(`${where}: expected a list`);
      else {
        for (const [i, v] of value.entries()) checkValue(`${where}[${i}]`, v, type.element!);
      }
    } else if (type.type === "boolean" && typeof value !== "boolean")
      problems.push(`${where}: expected a boolean`);
    else if (
      (type.type === "integer" || type.type === "number") &&
      typeof value !== "number" &&
      typeof value !== "string"
    ) {
      problems.push(`${where}: expected a number`);
    } else if (type.type === "string" && typeof value !== "string")
      problems.push(`${where}: expected a string`);
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!resource.Type.startsWith("AWS::") || resource.Type.startsWith("AWS::Serverless::")) continue;
    const found = db.lookup("resource", "cloudFormationType", "equals", resource.Type);
    if (found.length !== 1) {
      problems.push(`${id}: unknown resource type ${resource.Type}`);
      continue;
    }
    const spec = found.only() as unknown as { properties: Record<string, SpecProperty> };
    checkObject(`${id}.Properties`, resource.Properties ?? {}, spec.properties);
  }
  return problems;
}

/** What `Ref: AWS::NoValue` evaluates to: the property or list element it stands for is dropped. */
const NO_VALUE = Symbol("AWS::NoValue");

/** A string argument CloudFormation takes only as a literal (Fn::Join's and Fn::Split's delimiters, …). */
function literal(fn: string, what: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new Error(`${fn}'s ${what} must be a literal string, not ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Evaluates the intrinsic functions a template uses for values (Ref, Fn::Sub, Fn::Join, Fn::Split,
 * Fn::Select, Fn::If with `conditions`, the condition functions, AWS::NoValue), with parameter values and
 * pseudo parameters given, so a test can see the ARNs a policy really grants. Like CloudFormation it
 * refuses a function where only a literal string is allowed (Fn::Join's and Fn::Split's delimiters, the
 * string of Fn::Sub).
 */
export function evaluate(
  value: unknown,
  refs: Record<string, unknown>,
  conditions: Record<string, boolean> = {},
): unknown {
  const result = evaluateValue(value, refs, conditions);
  return result === NO_VALUE ? undefined : result;
}

function evaluateValue(
  value: unknown,
  refs: Record<string, unknown>,
  conditions: Record<string, boolean>,
): unknown {
  const ev = (v: unknown) => evaluateValue(v, refs, conditions);
  const object = (entries: [string, unknown][]) =>
    Object.fromEntries(entries.map(([k, v]) => [k, ev(v)]).filter(([, v]) => v !== NO_VALUE));
  if (Array.isArray(value)) return value.map(ev).filter((v) => v !== NO_VALUE);
  if (typeof value !== "object" || value === null) return value;
  const [key, arg] = Object.entries(value)[0] ?? [];
  if (Object.keys(value).length !== 1 || key === undefined) return object(Object.entries(value));
  const sub = (text: string, vars: Record<string, unknown>) =>
    text.replace(/\$\{(!?)([^}]*)\}/g, (_, bang: string, name: string) => {
      // ${!Literal} is the escape for a literal ${Literal}.
      if (bang) return `\${${name}}`;
      const v = name in vars ? vars[name] : refs[name];
      if (v === undefined) throw new Error(`no value for \${${name}}`);
      return String(v);
    });
  const condition = (name: unknown) => {
    const known = conditions[String(name)];
    if (known === undefined) throw new Error(`no value for condition ${String(name)}`);
    return known;
  };
  switch (key) {
    case "Ref":
      if (arg === "AWS::NoValue") return NO_VALUE;
      if (!(String(arg) in refs)) throw new Error(`no value for Ref ${String(arg)}`);
      return refs[String(arg)];
    case "Fn::GetAtt": {
      // A stand-in for the attribute when the test has one; the function itself otherwise.
      const name = (arg as string[]).join(".");
      return name in refs ? refs[name] : value;
    }
    case "Fn::Sub": {
      if (!Array.isArray(arg)) return sub(literal("Fn::Sub", "string", arg), {});
      const [text, vars] = arg as [unknown, Record<string, unknown>];
      const evaluated = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, ev(v)]));
      return sub(literal("Fn::Sub", "string", text), evaluated);
    }
    case "Fn::Join": {
      const [sep, list] = arg as [unknown, unknown];
      return (ev(list) as unknown[]).join(literal("Fn::Join", "delimiter", sep));
    }
    case "Fn::Split": {
      const [sep, text] = arg as [unknown, unknown];
      return String(ev(text)).split(literal("Fn::Split", "delimiter", sep));
    }
    case "Fn::Select": {
      const [index, list] = arg as [unknown, unknown];
      return (ev(list) as unknown[])[Number(ev(index))];
    }
    case "Fn::If": {
      const [name, whenTrue, whenFalse] = arg as [unknown, unknown, unknown];
      return ev(condition(name) ? whenTrue : whenFalse);
    }
    case "Condition":
      return condition(arg);
    case "Fn::Equals": {
      const [a, b] = (arg as unknown[]).map(ev);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case "Fn::Not":
      return !(ev((arg as unknown[])[0]) as boolean);
    case "Fn::And":
      return (arg as unknown[]).every((c) => ev(c) === true);
    case "Fn::Or":
      return (arg as unknown[]).some((c) => ev(c) === true);
    default:
      return object(Object.entries(value));
  }
}

/**
 * The values `Ref` gives for a template's parameters: each default, then `given` (as a deploy passes them),
 * CommaDelimitedList values as lists; with the pseudo parameters of one account and Region.
 */
export function parameterValues(
  template: Template,
  given: Record<string, string> = {},
): Record<string, unknown> {
  const refs: Record<string, unknown> = {
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "apigw-drift",
    "AWS::URLSuffix": "amazonaws.com",
  };
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const value = name in given ? given[name] : parameter.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no default: give it a value`);
    refs[name] = parameter.Type === "CommaDelimitedList" ? String(value).split(",") : value;
  }
  return refs;
}

/** The truth of every condition in the template's Conditions section, for these parameter values. */
export function evaluateConditions(
  template: Template,
  refs: Record<string, unknown>,
): Record<string, boolean> {
  const conditions: Record<string, boolean> = {};
  const pending = new Map(Object.entries(template.Conditions ?? {}));
  // Conditions may name each other (Condition: X): evaluate those whose dependencies are known, until none is left.
  while (pending.size > 0) {
    let progressed = false;
    for (const [name, definition] of pending) {
      try {
        conditions[name] = evaluate(definition, refs, conditions) as boolean;
      } catch {
        continue;
      }
      pending.delete(name);
      progressed = true;
    }
    if (!progressed) throw new Error(`cannot evaluate conditions ${[...pending.keys()].join(", ")}`);
  }
  return conditions;
}

/**
 * The template with every Fn::ForEach (AWS::LanguageExtensions) in Resources, Conditions and Outputs
 * expanded for these parameter values, as the transform does: for each element of the collection, the
 * output key with `${Id}` replaced by it and `&{Id}` by it without its non-alphanumeric characters, and the
 * fragment with `${Id}` replaced in Fn::Sub strings and `Ref: Id` by the element.
 */
export function expandForEach(template: Template, refs: Record<string, unknown>): Template {
  const expandSection = (section: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(section)) {
      if (!key.startsWith("Fn::ForEach::")) {
        if (key in out) throw new Error(`Fn::ForEach made a second ${key}`);
        out[key] = value;
        continue;
      }
      const [id, collection, fragment] = value as [string, unknown, Record<string, unknown>];
      const items = evaluate(collection, refs);
      if (!Array.isArray(items)) throw new Error(`${key}: the collection is not a list`);
      for (const item of items.map(String)) {
        const replaced = replaceIdentifier(fragment, id, item) as Record<string, unknown>;
        const renamed = Object.fromEntries(
          Object.entries(replaced).map(([k, v]) => [
            k.replaceAll(`\${${id}}`, item).replaceAll(`&{${id}}`, item.replace(/[^A-Za-z0-9]/g, "")),
            v,
          ]),
        );
        for (const [k, v] of Object.entries(expandSection(renamed))) {
          if (k in out)
            throw new Error(`${key} makes ${k} twice (is an element of its collection repeated?)`);
          out[k] = v;
        }
      }
    }
    return out;
  };
  const expanded: Template = {
    ...template,
    Resources: expandSection(template.Resources) as Template["Resources"],
  };
  if (template.Conditions) expanded.Conditions = expandSection(template.Conditions);
  if (template.Outputs) expanded.Outputs = expandSection(template.Outputs);
  return expanded;
}

function replaceIdentifier(value: unknown, id: string, item: string): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceIdentifier(v, id, item));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === "Ref" && entries[0]![1] === id) return item;
  return Object.fromEntries(
    entries.map(([k, v]) => {
      if (k === "Fn::Sub" && typeof v === "string") return [k, v.replaceAll(`\${${id}}`, item)];
      if (k === "Fn::Sub" && Array.isArray(v) && typeof v[0] === "string") {
        return [k, [v[0].replaceAll(`\${${id}}`, item), replaceIdentifier(v[1], id, item)]];
      }
      return [k, replaceIdentifier(v, id, item)];
    }),
  );
}

/** The CloudFormation templates in `dir`: its *.yaml and *.yml files with a Resources section, sorted. */
export function cloudFormationTemplates(dir = "."): string[] {
  const yaml = (folder: string) =>
    readdirSync(folder)
      .filter((name) => /\.ya?ml$/i.test(name))
      .sort()
      .map((name) => join(folder, name));
  // The project root, and templates/ (the spoke role's plain template, for a StackSet).
  const templates = join(dir, "templates");
  return [...yaml(dir), ...(existsSync(templates) ? yaml(templates) : [])].filter((path) => {
    try {
      const doc = readTemplate(path) as unknown;
      return typeof doc === "object" && doc !== null && "Resources" in doc;
    } catch {
      return false;
    }
  });
}

/**
 * Runs cfn-lint (the executable at `command`) on `paths`. Its exit code is a bitmask: 2 for errors, 4 for
 * warnings, 8 for informational findings; anything else (1, 16, 32, a signal) means it could not lint.
 */
export function cfnLint(
  command: string,
  paths: readonly string[],
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, ["--", ...paths], { timeout: 120_000, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** What a resource attribute or SAM-generated resource evaluates to in tests (no stack exists). */
const STAND_INS: Record<string, string> = {
  HistoryTable: "apigw-drift-HistoryTable-1A2B3C",
  "HistoryTable.Arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/apigw-drift-HistoryTable-1A2B3C",
  ReconcileFunctionRole: "apigw-drift-ReconcileFunctionRole-1A2B3C",
  ReconcileLogGroup: "/apigw-drift/apigw-drift/reconcile",
  "FailedInvocationsQueue.Arn":
    "arn:aws:sqs:eu-west-1:123456789012:apigw-drift-FailedInvocationsQueue-1A2B3C",
  "IntegrationEventsQueue.Arn":
    "arn:aws:sqs:eu-west-1:123456789012:apigw-drift-IntegrationEventsQueue-1A2B3C",
  "ReconcileFunctionRole.Arn": "arn:aws:iam::123456789012:role/apigw-drift-ReconcileFunctionRole-1A2B3C",
};

/**
 * The template as a deploy with `given` parameter values sees it: Fn::ForEach expanded, the values `Ref`
 * and `Fn::Sub` give (parameters, pseudo parameters, stand-ins for the stack's resources), and the truth
 * of each condition. Pass `refs` and `conditions` to evaluate() to get a deployed property's value.
 */
export function deployment(template: Template, given: Record<string, string> = {}) {
  const refs = { ...parameterValues(template, given), ...STAND_INS };
  const expanded = expandForEach(template, refs);
  return { expanded, refs, conditions: evaluateConditions(expanded, refs) };
}

/** Whether the template's Rules let a deploy with these values through; the failed assertions otherwise. */
export function ruleFailures(template: Template, given: Record<string, string> = {}): string[] {
  const { refs, conditions } = deployment(template, given);
  const rules = (template.Rules ?? {}) as Record<
    string,
    { RuleCondition?: unknown; Assertions: { Assert: unknown; AssertDescription?: string }[] }
  >;
  return Object.entries(rules).flatMap(([name, rule]) => {
    if (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition, refs, conditions) !== true)
      return [];
    return rule.Assertions.filter((a) => evaluate(a.Assert, refs, conditions) !== true).map(
      (a) => `${name}: ${a.AssertDescription ?? "assertion failed"}`,
    );
  });
}

export interface RoleStatement {
  /** Where it comes from: "Policies" (the function's SAM Policies) or the logical id of a RolePolicy. */
  source: string;
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Every IAM statement the function's role gets when the template is deployed with `given` parameter values:
 * its SAM `Policies` and the AWS::IAM::RolePolicy resources on its role (after Fn::ForEach), with
 * conditions, Fn::If and AWS::NoValue evaluated, so that a statement a condition leaves out is absent.
 */
export function roleStatements(template: Template, given: Record<string, string> = {}): RoleStatement[] {
  const { expanded, refs, conditions } = deployment(template, given);
  const documents: [string, unknown][] = [];
  for (const [i, policy] of (
    (expanded.Resources.ReconcileFunction?.Properties?.Policies ?? []) as unknown[]
  ).entries()) {
    documents.push([`Policies[${i}]`, policy]);
  }
  const role = JSON.stringify({ Ref: "ReconcileFunctionRole" });
  for (const [id, resource] of Object.entries(expanded.Resources)) {
    const onRole = JSON.stringify(resource.Properties?.RoleName) === role;
    if (resource.Type === "AWS::IAM::RolePolicy" && onRole)
      documents.push([id, resource.Properties?.PolicyDocument]);
    // A customer managed policy attached to the role (it keeps the inline-policy quota for ApiAccess).
    const attached = ((resource.Properties?.Roles ?? []) as unknown[]).some(
      (r) => JSON.stringify(r) === role,
    );
    if (resource.Type === "AWS::IAM::ManagedPolicy" && attached)
      documents.push([id, resource.Properties?.PolicyDocument]);
  }
  const resourceCondition = (id: string) => {
    const name = expanded.Resources[id]?.Condition;
    return name === undefined || conditions[String(name)] === true;
  };
  return documents
    .filter(([source]) => source.startsWith("Policies") || resourceCondition(source))
    .flatMap(([source, document]) => {
      const evaluated = evaluate(document, refs, conditions) as { Statement?: Record<string, unknown>[] };
      return (evaluated.Statement ?? []).map((s) => ({
        ...(s as Omit<RoleStatement, "source" | "Action" | "Resource">),
        source: source.startsWith("Policies") ? "Policies" : source,
        Action: [s.Action as string | string[]].flat(),
        Resource: [s.Resource as string | string[]].flat(),
      }));
    });
}
