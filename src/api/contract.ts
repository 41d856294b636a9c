import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse as parseYaml } from "yaml";
import { ValidationError, describeValue, type FieldIssue } from "../shared";

/** The OpenAPI 3.1 document: the single source of truth for every route. */
export const OPENAPI_PATH = join(import.meta.dirname, "../../openapi.yaml");

const SPEC_ID = "https://credit.local/openapi.json";

/** A parsed OpenAPI document (only what this module reads). */
export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
  [k: string]: unknown;
}

/**
 * Validators compiled once from openapi.yaml's component schemas (ajv, JSON Schema 2020-12, all errors).
 * Unknown fields are rejected by `additionalProperties: false` in the spec itself.
 */
export class Contract {
  readonly doc: OpenApiDoc;
  readonly yamlText: string;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(yamlText = readFileSync(OPENAPI_PATH, "utf8")) {
    this.yamlText = yamlText;
    this.doc = parseYaml(yamlText) as OpenApiDoc;
    this.ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
    (addFormats as unknown as (a: Ajv2020) => void)(this.ajv);
    this.ajv.addSchema({ $id: SPEC_ID, components: this.doc.components }, SPEC_ID);
  }

  /** The compiled validator of `#/components/schemas/<name>`. @throws Error when the schema does not exist. */
  validator(name: string): ValidateFunction {
    let v = this.cache.get(name);
    if (!v) {
      if (!(name in this.doc.components.schemas)) throw new Error(`openapi.yaml has no schema components.schemas.${name}`);
      v = this.ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
      this.cache.set(name, v);
    }
    return v;
  }

  /**
   * Validates `value` against schema `name`.
   * @returns the value, typed by the caller.
   * @throws ValidationError with one issue per bad field (path, expected, received).
   */
  check<T>(name: string, value: unknown, prefix = ""): T {
    const v = this.validator(name);
    if (v(value)) return value as T;
    throw new ValidationError(toIssues(v.errors ?? [], value, prefix));
  }

  /** Field issues of `value` against schema `name` (empty when valid). */
  issues(name: string, value: unknown, prefix = ""): FieldIssue[] {
    const v = this.validator(name);
    return v(value) ? [] : toIssues(v.errors ?? [], value, prefix);
  }
}

function at(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function expectedOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type":
      return Array.isArray(p.type) ? (p.type as string[]).join(" or ") : String(p.type);
    case "enum":
      return `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `exactly ${JSON.stringify(p.allowedValue)}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `number ${p.comparison} ${p.limit}`;
    case "minLength":
      return `string of at least ${p.limit} characters`;
    case "maxLength":
      return `string of at most ${p.limit} characters`;
    case "minItems":
      return `array of at least ${p.limit} items`;
    case "maxItems":
      return `array of at most ${p.limit} items`;
    case "minProperties":
      return `object with at least ${p.limit} properties`;
    case "pattern":
      return `string matching ${p.pattern}`;
    case "format":
      return `string in format ${p.format}`;
    case "multipleOf":
      return `multiple of ${p.multipleOf}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Maps ajv errors to one FieldIssue per field (the first, most specific error of each path wins). */
export function toIssues(errors: ErrorObject[], root: unknown, prefix = ""): FieldIssue[] {
  const out = new Map<string, FieldIssue>();
  for (const e of errors) {
    if (e.keyword === "oneOf" || e.keyword === "anyOf" || e.keyword === "if") continue;
    const p = e.params as Record<string, unknown>;
    let path = e.instancePath;
    let issue: FieldIssue;
    if (e.keyword === "required") {
      path += "/" + String(p.missingProperty);
      issue = { path: prefix + path, expected: "a value (required)", received: "nothing (missing)", message: `${path} is required` };
    } else if (e.keyword === "additionalProperties") {
      path += "/" + String(p.additionalProperty);
      issue = { path: prefix + path, expected: "no such field (unknown field)", received: describeValue(at(root, path)), message: `unknown field ${path}` };
    } else {
      issue = { path: prefix + path, expected: expectedOf(e), received: describeValue(at(root, path)), message: e.message };
    }
    if (!out.has(issue.path)) out.set(issue.path, issue);
  }
  if (out.size === 0) out.set(prefix, { path: prefix, expected: "a valid request", received: describeValue(root) });
  return [...out.values()];
}

let shared: Contract | undefined;

/** The process-wide contract, compiled on first use. */
export function contract(): Contract {
  shared ??= new Contract();
  return shared;
}
