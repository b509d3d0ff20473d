import { type FormFields, oauthError } from './http.js';
import type { RouteContext } from './routes.js';

/** Parameters that may repeat (RFC 8707 `resource`, RFC 8693 `audience`); every other one must not. */
const MULTI = new Set(['resource', 'audience']);

/** The form body of an OAuth request, or the `invalid_request` answer when there is none or a parameter repeats. */
export function oauthForm(ctx: RouteContext): FormFields | Response {
  const type = ctx.request.headers.get('content-type') ?? '';
  if (ctx.body === undefined) {
    return {};
  }
  if (!type.toLowerCase().includes('application/x-www-form-urlencoded') || typeof ctx.body !== 'object') {
    return oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded');
  }
  return checkRepeats(ctx.body as FormFields);
}

/** The query of a GET authorization or logout request, with the same repeat rule. */
export function checkRepeats(fields: FormFields): FormFields | Response {
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value) && !MULTI.has(name)) {
      return oauthError('invalid_request', `Parameter ${name} must not repeat`);
    }
  }
  return fields;
}

export function one(fields: FormFields, name: string): string | undefined {
  const value = fields[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === '' ? undefined : text;
}

export function many(fields: FormFields, name: string): string[] {
  const value = fields[name];
  if (value === undefined) {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== '');
}

/** Space-separated scopes as a set, in order. */
export function scopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))];
}
