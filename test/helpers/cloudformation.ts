import { readFileSync } from "node:fs";
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

/**
 * Evaluates the intrinsic functions a template uses for values (Ref, Fn::Sub, Fn::Join, Fn::Split,
 * Fn::Select), with parameter values and pseudo parameters given, so a test can see the ARNs a policy
 * really grants.
 */
export function evaluate(value: unknown, refs: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, refs));
  if (typeof value !== "object" || value === null) return value;
  const [key, arg] = Object.entries(value)[0] ?? [];
  if (Object.keys(value).length !== 1 || key === undefined) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, refs)]));
  }
  const sub = (text: string, vars: Record<string, unknown>) =>
    text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const v = name in vars ? vars[name] : refs[name];
      if (v === undefined) throw new Error(`no value for \${${name}}`);
      return String(v);
    });
  switch (key) {
    case "Ref":
      if (!(String(arg) in refs)) throw new Error(`no value for Ref ${String(arg)}`);
      return refs[String(arg)];
    case "Fn::Sub": {
      if (typeof arg === "string") return sub(arg, {});
      const [text, vars] = arg as [string, Record<string, unknown>];
      const evaluated = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, evaluate(v, refs)]));
      return sub(text, evaluated);
    }
    case "Fn::Join": {
      const [sep, list] = arg as [unknown, unknown];
      return (evaluate(list, refs) as unknown[]).join(String(evaluate(sep, refs)));
    }
    case "Fn::Split": {
      const [sep, text] = arg as [unknown, unknown];
      return String(evaluate(text, refs)).split(String(evaluate(sep, refs)));
    }
    case "Fn::Select": {
      const [index, list] = arg as [unknown, unknown];
      return (evaluate(list, refs) as unknown[])[Number(evaluate(index, refs))];
    }
    default:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, refs)]));
  }
}
