import type { FailOptions, FailureHandle, MockRouteSelector } from '../types.js';

interface Rule {
  selector: MockRouteSelector;
  options: FailOptions;
  remaining: number;
  hits: number;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Splits `'METHOD /path'`; normalizes `:param` to `{param}`. */
function parseSelector(selector: string): { method?: string; path?: string; name?: string } {
  if (selector === '*') {
    return {};
  }
  const [first, second] = selector.trim().split(/\s+/, 2);
  if (second !== undefined && first !== undefined && METHODS.has(first.toUpperCase())) {
    return { method: first.toUpperCase(), path: normalize(second) };
  }
  if (selector.startsWith('/')) {
    return { path: normalize(selector) };
  }
  return { name: selector };
}

function normalize(path: string): string {
  return path.replace(/:([A-Za-z_][\w]*)/g, '{$1}').replace(/\/+$/, '') || '/';
}

function pathMatches(selectorPath: string, template: string, actual: string): boolean {
  if (selectorPath === normalize(template)) {
    return true;
  }
  const wanted = selectorPath.split('/');
  const got = actual.replace(/\/+$/, '').split('/');
  return wanted.length === got.length && wanted.every((segment, i) => /^\{\w+\}$/.test(segment) || segment === got[i]);
}

/** The failure rules of `fail()`, first installed first applied. */
export class FailureRules {
  #rules: Rule[] = [];

  add(selector: MockRouteSelector, options: FailOptions): FailureHandle {
    if (
      options.status !== undefined &&
      (!Number.isInteger(options.status) || options.status < 200 || options.status > 599)
    ) {
      throw new RangeError(`fail(): status must be an HTTP status between 200 and 599, got ${options.status}.`);
    }
    const rule: Rule = { selector, options, remaining: options.times ?? Number.POSITIVE_INFINITY, hits: 0 };
    this.#rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      clear: () => {
        this.#rules = this.#rules.filter((r) => r !== rule);
      },
    };
  }

  /** The rule for a request, consuming one of its `times`. */
  take(route: { name: string; template: string }, method: string, path: string): FailOptions | undefined {
    for (const rule of this.#rules) {
      if (rule.remaining <= 0) {
        continue;
      }
      const parsed = parseSelector(rule.selector);
      if (parsed.name !== undefined && parsed.name !== route.name) {
        continue;
      }
      if (parsed.method !== undefined && parsed.method !== method) {
        continue;
      }
      if (parsed.path !== undefined && !pathMatches(parsed.path, route.template, path)) {
        continue;
      }
      rule.remaining -= 1;
      rule.hits += 1;
      return rule.options;
    }
    return undefined;
  }

  clear(): void {
    this.#rules = [];
  }
}
