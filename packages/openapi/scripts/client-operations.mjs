// The service-client table: every operation of the spec marked `x-keyway-client: resource.method`,
// with how the method's one argument maps onto the request (path, query, JSON body) and which
// top-level fields of the answer must be present with which JSON types. `@keyway/core` builds
// `createKeywayClient` and its `KeywayClient` type from it, and `@keyway/node` its sync twin, so an
// operation added to the spec with this extension needs no hand edit there.

/** The vendor extension that names an operation's service-client method. */
export const CLIENT_EXTENSION = 'x-keyway-client';

/** JSON types, in the order the generated checks list them. */
const JSON_TYPES = ['string', 'number', 'boolean', 'array', 'object', 'null'];
/** Members of the client that are not resources. */
const RESERVED_RESOURCES = new Set(['baseUrl', 'setToken', 'constructor', '__proto__', 'prototype']);
const NAME = /^([a-z][A-Za-z0-9]*)\.([a-z][A-Za-z0-9]*)$/;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * @typedef {{
 *   resource: string, method: string, operationId: string, summary: string | undefined,
 *   description: string | undefined, pathParams: string[], queryParams: string[], jsonBody: boolean,
 *   responseFields: Record<string, string[]>,
 * }} ClientOperation
 */

/**
 * The client operations of a parsed spec, in its order. Throws on what the client builder could not
 * honour: a malformed or duplicate name, a required header or cookie parameter, a body that is not
 * JSON, body fields that clash with parameters, or an answer that is not one 2xx JSON object.
 * @param {Record<string, any>} spec the parsed spec
 * @param {string} specPath the spec's name, for messages
 * @returns {ClientOperation[]}
 */
export function readClientOperations(spec, specPath) {
  const resolve = resolver(spec, specPath);
  const seen = new Set();
  const result = [];
  for (const [path, rawItem] of Object.entries(spec.paths ?? {})) {
    const item = resolve(rawItem);
    for (const method of METHODS) {
      const operation = item?.[method];
      const name = operation?.[CLIENT_EXTENSION];
      if (name === undefined) {
        continue;
      }
      const where = `${specPath}: ${method.toUpperCase()} ${path}`;
      const match = typeof name === 'string' ? NAME.exec(name) : null;
      if (!match || RESERVED_RESOURCES.has(match[1])) {
        throw new Error(
          `${where}: ${CLIENT_EXTENSION} must be "resource.method" (camelCase), got ${JSON.stringify(name)}.`,
        );
      }
      if (seen.has(name)) {
        throw new Error(`${where}: ${CLIENT_EXTENSION} ${name} is used twice.`);
      }
      seen.add(name);
      const fail = (message) => {
        throw new Error(`${where} (${CLIENT_EXTENSION} ${name}): ${message}`);
      };
      const { pathParams, queryParams } = readParameters(
        [...(item.parameters ?? []), ...(operation.parameters ?? [])],
        {
          resolve,
          fail,
        },
      );
      const jsonBody = readBody(operation.requestBody, [...pathParams, ...queryParams], { resolve, fail });
      result.push({
        resource: match[1],
        method: match[2],
        operationId: operation.operationId,
        summary: operation.summary,
        description: operation.description,
        pathParams,
        queryParams,
        jsonBody,
        responseFields: readResponseFields(operation.responses, { resolve, fail }),
      });
    }
  }
  return result;
}

/** Path and query parameter names; an operation's parameter overrides the path item's of the same name and place. */
function readParameters(rawParameters, { resolve, fail }) {
  const byKey = new Map();
  for (const raw of rawParameters) {
    const parameter = resolve(raw);
    byKey.set(`${parameter.in} ${parameter.name}`, parameter);
  }
  const pathParams = [];
  const queryParams = [];
  for (const parameter of byKey.values()) {
    if (parameter.in === 'path') {
      pathParams.push(parameter.name);
    } else if (parameter.in === 'query') {
      queryParams.push(parameter.name);
    } else if (parameter.required === true || parameter.in === 'cookie') {
      fail(`the ${parameter.in} parameter ${parameter.name} cannot be passed by a client method.`);
    }
  }
  const clash = pathParams.find((name) => queryParams.includes(name));
  if (clash !== undefined) {
    fail(`${clash} is both a path and a query parameter.`);
  }
  return { pathParams, queryParams };
}

/** Whether there is a JSON body; its fields share the argument with the parameters, so none may clash. */
function readBody(rawBody, parameterNames, { resolve, fail }) {
  if (rawBody === undefined) {
    return false;
  }
  const media = resolve(rawBody).content?.['application/json'];
  if (media === undefined) {
    fail('a client method sends JSON: the request body needs an application/json schema.');
  }
  if (parameterNames.length > 0) {
    const { properties } = objectShape(media.schema, { resolve, fail }, 'the request body');
    const clash = Object.keys(properties).find((name) => parameterNames.includes(name));
    if (clash !== undefined) {
      fail(`the request body's field ${clash} clashes with the parameter of that name.`);
    }
  }
  return true;
}

/** The required top-level fields of the one 2xx JSON answer, with their JSON types. */
function readResponseFields(responses, { resolve, fail }) {
  const success = Object.entries(responses ?? {}).filter(([code]) => /^2(\d\d|XX)$/.test(code));
  if (success.length !== 1) {
    fail(`a client method needs exactly one 2xx response, found ${success.length}.`);
  }
  const media = resolve(success[0][1]).content?.['application/json'];
  if (media === undefined) {
    fail(`the ${success[0][0]} response needs an application/json schema.`);
  }
  const { required, properties } = objectShape(media.schema, { resolve, fail }, 'the answer');
  return Object.fromEntries(required.map((field) => [field, jsonTypes(properties[field], resolve)]));
}

/** Required names and properties of an object schema, through `$ref` and `allOf`. */
function objectShape(rawSchema, context, what) {
  const schema = context.resolve(rawSchema ?? {});
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((part) => objectShape(part, context, what));
    const own = { required: schema.required ?? [], properties: schema.properties ?? {} };
    return mergeShapes([...parts, own]);
  }
  const isObject = schema.type === 'object' || (schema.type === undefined && schema.properties !== undefined);
  if (!isObject || schema.oneOf || schema.anyOf) {
    context.fail(`${what} must be a JSON object schema (type: object, or allOf of such), not a union or a scalar.`);
  }
  return { required: [...(schema.required ?? [])], properties: { ...(schema.properties ?? {}) } };
}

function mergeShapes(shapes) {
  const required = [];
  const properties = {};
  for (const shape of shapes) {
    for (const name of shape.required) {
      if (!required.includes(name)) {
        required.push(name);
      }
    }
    Object.assign(properties, shape.properties);
  }
  return { required, properties };
}

/**
 * The JSON types a value of `schema` may have (`integer` is a `number`). A schema that does not say
 * (`{}`, a `not`) admits every type: the check then only asks that the field be present.
 */
function jsonTypes(rawSchema, resolve) {
  const schema = resolve(rawSchema ?? {});
  let types;
  if (typeof schema.type === 'string' || Array.isArray(schema.type)) {
    types = [schema.type].flat().map((type) => (type === 'integer' ? 'number' : type));
  } else if ('const' in schema) {
    types = [typeOfValue(schema.const)];
  } else if (Array.isArray(schema.enum)) {
    types = schema.enum.map(typeOfValue);
  } else if (Array.isArray(schema.oneOf ?? schema.anyOf)) {
    types = (schema.oneOf ?? schema.anyOf).flatMap((branch) => jsonTypes(branch, resolve));
  } else if (Array.isArray(schema.allOf)) {
    types = schema.allOf
      .map((part) => jsonTypes(part, resolve))
      .reduce((common, next) => common.filter((type) => next.includes(type)));
  } else if (schema.properties !== undefined) {
    types = ['object'];
  } else {
    types = JSON_TYPES;
  }
  return JSON_TYPES.filter((type) => types.includes(type));
}

function typeOfValue(value) {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Follows local `$ref`s (`#/components/...`) to the object they name. */
function resolver(spec, specPath) {
  return function resolve(node) {
    let current = node;
    for (let hops = 0; typeof current?.$ref === 'string'; hops++) {
      const ref = current.$ref;
      if (hops > 20 || !ref.startsWith('#/')) {
        throw new Error(`${specPath}: cannot follow $ref ${ref}.`);
      }
      current = ref
        .slice(2)
        .split('/')
        .reduce((target, segment) => target?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')], spec);
      if (current === undefined) {
        throw new Error(`${specPath}: unresolved $ref ${ref}.`);
      }
    }
    return current;
  };
}

/** A single-quoted TypeScript string literal. */
function quote(value) {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A property name: bare when it is an identifier, quoted otherwise. */
function key(name) {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
}

const list = (names) => `[${names.map(quote).join(', ')}]`;

/** The method's TSDoc, from the operation's summary and description. */
function comment({ summary, description }, indent) {
  const text = [summary && `${summary.trim().replace(/\.?$/, '.')}`, description?.trim()].filter(Boolean).join('\n\n');
  if (!text) {
    return '';
  }
  const lines = text.replaceAll('*/', '*\\/').split('\n');
  return `${indent}/**\n${lines.map((line) => `${indent} *${line ? ` ${line}` : ''}`).join('\n')}\n${indent} */\n`;
}

function renderEntry(entry, indent) {
  const fields = Object.entries(entry.responseFields).map(
    ([name, types]) => `${key(name)}: ${types.length === 1 ? quote(types[0]) : list(types)}`,
  );
  return [
    `${comment(entry, indent)}${indent}${key(entry.method)}: {`,
    `${indent}  operationId: ${quote(entry.operationId)},`,
    `${indent}  pathParams: ${list(entry.pathParams)},`,
    `${indent}  queryParams: ${list(entry.queryParams)},`,
    `${indent}  jsonBody: ${entry.jsonBody},`,
    `${indent}  responseFields: { ${fields.join(', ')} },`,
    `${indent}},`,
  ].join('\n');
}

/**
 * Renders src/generated/client-operations.ts: the table, nested by resource then method, so that a
 * mapped type over it keeps each method's TSDoc. Plain data, like the operation table.
 * @param {ClientOperation[]} entries
 * @param {string} header the do-not-edit header
 * @returns {string}
 */
export function renderClientOperations(entries, header) {
  const resources = new Map();
  for (const entry of entries) {
    resources.set(entry.resource, [...(resources.get(entry.resource) ?? []), entry]);
  }
  const body = [...resources]
    .map(
      ([resource, methods]) =>
        `  ${key(resource)}: {\n${methods.map((entry) => renderEntry(entry, '    ')).join('\n')}\n  },\n`,
    )
    .join('');
  return `${header}import type { operations } from './schema.js';

/** A JSON type, as \`typeof\` names it but with \`array\` and \`null\` apart. */
export type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** How one service-client method calls its operation (\`${CLIENT_EXTENSION}\` in the spec). */
export interface ClientOperationInfo {
  /** The operation it calls: a key of \`operations\`, whose entry gives the method, path and idempotent flag. */
  readonly operationId: keyof operations;
  /** Keys of the method's argument that fill the path template. */
  readonly pathParams: readonly string[];
  /** Keys of the method's argument that go to the query string. */
  readonly queryParams: readonly string[];
  /**
   * Whether the operation takes a JSON body: the argument itself when there are no parameters,
   * else the argument without the parameters' keys. A method with no parameters and no body takes
   * no argument.
   */
  readonly jsonBody: boolean;
  /**
   * The required top-level fields of the 2xx answer (a JSON object) and the JSON type, or types,
   * each may have: an answer that breaks this is refused rather than handed out.
   */
  readonly responseFields: { readonly [field: string]: JsonType | readonly JsonType[] };
}

/**
 * The service client's methods, by resource then method name (\`${CLIENT_EXTENSION}: resource.method\`):
 * the operation each calls, how its argument maps onto the request, and the checks on its answer.
 */
export const clientOperations = {
${body}} as const satisfies { readonly [resource: string]: { readonly [method: string]: ClientOperationInfo } };
`;
}
