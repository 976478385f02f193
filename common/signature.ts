/**
 * Argument matching as Chromium's extension bindings do it (extensions/renderer/bindings/
 * api_signature.cc, argument_spec.cc, api_invocation_errors.cc): optional parameters are matched
 * by type with backtracking, then each matched argument is parsed in full. Top-level mismatches
 * give `No matching signature.`; nested problems name the parameter and property.
 */
import {
  METHODS,
  qualifiedNamespace,
  type MethodSpec,
  type ParamSpec,
  type PropertySchema,
  type Schema,
  type WireNamespace as Namespace,
} from './methods';

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // instanceof fails across realms (a worker, another frame), so look at the brand.
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return isArrayBuffer(value) || ArrayBuffer.isView(value);
}

function isInt32(value: unknown): value is number {
  return typeof value === 'number' && (value | 0) === value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isBinary(value);
}

/** Chromium's name for a value's type in `found …` texts. */
function typeName(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') return isInt32(value) ? 'integer' : 'number';
  if (typeof value === 'object') {
    if (Array.isArray(value)) return 'array';
    if (isBinary(value)) return 'binary';
    return 'object';
  }
  return typeof value;
}

function schemaTypeName(schema: Schema): string {
  if (schema.type === 'enum') return schema.ref;
  if (schema.type === 'object') return schema.ref ?? 'object';
  return schema.type;
}

/** The fundamental type check used while matching optional parameters. */
function isCorrectType(schema: Schema, value: unknown): boolean {
  switch (schema.type) {
    case 'integer':
      return isInt32(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
    case 'enum':
      return typeof value === 'string';
    case 'binary':
      return isBinary(value);
    case 'function':
      return typeof value === 'function';
    case 'object':
      return isPlainObject(value);
    case 'any':
      return value !== undefined;
  }
}

function expectedName(schema: Schema): string {
  return schema.type === 'enum' ? 'string' : schema.type === 'object' ? 'object' : schema.type;
}

/**
 * Parses one value in full. Returns the normalised value or throws a string with Chromium's
 * detail text (without the `Error at parameter` prefix).
 */
function parseValue(schema: Schema, value: unknown): unknown {
  if (!isCorrectType(schema, value)) {
    throw `Invalid type: expected ${expectedName(schema)}, found ${typeName(value)}.`;
  }
  if (schema.type === 'enum') {
    if (!schema.values.includes(value as string)) {
      throw `Value must be one of ${[...schema.values].sort().join(', ')}.`;
    }
    return value;
  }
  if (schema.type === 'object') return parseObject(schema.properties, value as Record<string, unknown>);
  if (schema.type === 'integer' && Object.is(value, -0)) return 0;
  return value;
}

function parseObject(properties: Readonly<Record<string, PropertySchema>>, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(properties).sort()) {
    const prop = properties[key];
    const v = value[key];
    if (v === undefined || v === null) {
      if (!prop.optional) throw `Missing required property '${key}'.`;
      continue;
    }
    try {
      out[key] = parseValue(prop, v);
    } catch (detail) {
      throw `Error at property '${key}': ${String(detail)}`;
    }
  }
  for (const key of Object.keys(value)) {
    if (!Object.prototype.hasOwnProperty.call(properties, key)) throw `Unexpected property: '${key}'.`;
  }
  return out;
}

/** `sockets.tcp.connect(integer socketId, …, function callback)` as Chromium prints it. */
export function signatureText(ns: Namespace, method: string, spec: MethodSpec): string {
  const parts = spec.params.map((p) => `${p.optional ? 'optional ' : ''}${schemaTypeName(p.schema)} ${p.name}`);
  parts.push(`${spec.callbackOptional ? 'optional ' : ''}function callback`);
  return `${qualifiedNamespace(ns)}.${method}(${parts.join(', ')})`;
}

/**
 * Chromium's `Error in invocation of …` TypeError. Its own class, so the host recognises a
 * signature mismatch by type, not by its text; pages still see a TypeError.
 */
export class InvocationError extends TypeError {}

export function invocationError(ns: Namespace, method: string, spec: MethodSpec, detail: string): InvocationError {
  return new InvocationError(`Error in invocation of ${signatureText(ns, method, spec)}: ${detail}`);
}

function resolve(params: readonly ParamSpec[], args: readonly unknown[], pi: number, ai: number, out: unknown[]): boolean {
  if (pi === params.length) return ai === args.length;
  const param = params[pi];
  if (ai < args.length) {
    const arg = args[ai];
    const nullish = arg === undefined || arg === null;
    if ((nullish && param.optional) || isCorrectType(param.schema, arg)) {
      out.push(nullish ? undefined : arg);
      if (resolve(params, args, pi + 1, ai + 1, out)) return true;
      out.pop();
    }
  }
  if (!param.optional) return false;
  out.push(undefined);
  if (resolve(params, args, pi + 1, ai, out)) return true;
  out.pop();
  return false;
}

const CALLBACK: ParamSpec = { name: 'callback', schema: { type: 'function' }, optional: true };

export interface ParsedCall {
  /** One value per parameter (before the callback); omitted optionals are undefined. */
  readonly args: unknown[];
  readonly callback?: (...args: unknown[]) => void;
}

/**
 * Matches page arguments against a method's signature. The trailing callback may always be
 * left out (the promise form). Throws Chromium's TypeError on a mismatch.
 */
export function parseInvocation(ns: Namespace, method: string, spec: MethodSpec, args: readonly unknown[]): ParsedCall {
  const params = [...spec.params, CALLBACK];
  const matched: unknown[] = [];
  if (args.length > params.length || !resolve(params, args, 0, 0, matched)) {
    throw invocationError(ns, method, spec, 'No matching signature.');
  }
  const callback = matched.pop() as ParsedCall['callback'];
  const out: unknown[] = [];
  spec.params.forEach((param, i) => {
    const value = matched[i];
    if (value === undefined) {
      out.push(undefined);
      return;
    }
    try {
      out.push(parseValue(param.schema, value));
    } catch (detail) {
      throw invocationError(ns, method, spec, `Error at parameter '${param.name}': ${String(detail)}`);
    }
  });
  return { args: out, callback };
}

/**
 * The host's check of an already-positional argument list from the port (no callback, one
 * slot per parameter). Returns the normalised list or throws a TypeError with Chromium's text.
 */
export function parsePositional(ns: Namespace, method: string, spec: MethodSpec, args: readonly unknown[]): unknown[] {
  if (args.length > spec.params.length) throw invocationError(ns, method, spec, 'No matching signature.');
  return spec.params.map((param, i) => {
    const value = args[i];
    if (value === undefined || value === null) {
      if (param.optional) return undefined;
      throw invocationError(ns, method, spec, 'No matching signature.');
    }
    if (!isCorrectType(param.schema, value)) throw invocationError(ns, method, spec, 'No matching signature.');
    try {
      return parseValue(param.schema, value);
    } catch (detail) {
      throw invocationError(ns, method, spec, `Error at parameter '${param.name}': ${String(detail)}`);
    }
  });
}

export { METHODS };
