/**
 * A tiny options-schema helper: one declaration per options object is the source of its
 * type, its defaults and the rejection of unknown or invalid keys (fastify's config
 * validator, Watermill's setDefaults() + Validate()). Validation runs once, into a frozen
 * resolved object.
 */
import { ErrorCode, EventyardError } from './errors.js';

export interface Field<T> {
  readonly kind: string;
  readonly default: T | undefined;
  /** When true the key may be absent and resolves to undefined. */
  readonly optional?: boolean;
  /** Type carrier only (never set): keeps T inferable when `default` is undefined. */
  readonly _type?: () => T;
  /** Returns an error text, or undefined when `value` is acceptable. */
  check(value: unknown): string | undefined;
}

type Required<T> = Field<T> & { readonly default: undefined };

export const option = {
  int(opts: { min?: number; max?: number; default?: number }): Field<number> {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    return {
      kind: `integer in [${min}, ${max}]`,
      default: opts.default,
      check: (v) => (Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : 'must be'),
    };
  },
  number(opts: { min?: number; max?: number; default?: number }): Field<number> {
    const min = opts.min ?? -Infinity;
    const max = opts.max ?? Infinity;
    return {
      kind: `number in [${min}, ${max}]`,
      default: opts.default,
      check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? undefined : 'must be'),
    };
  },
  string(opts: { pattern?: RegExp; default?: string } = {}): Field<string> {
    return {
      kind: opts.pattern ? `string matching ${String(opts.pattern)}` : 'non-empty string',
      default: opts.default,
      check: (v) =>
        typeof v === 'string' && v.length > 0 && (!opts.pattern || opts.pattern.test(v)) ? undefined : 'must be',
    };
  },
  boolean(opts: { default?: boolean } = {}): Field<boolean> {
    return { kind: 'boolean', default: opts.default, check: (v) => (typeof v === 'boolean' ? undefined : 'must be') };
  },
  oneOf<const T extends string>(values: readonly T[], opts: { default?: T } = {}): Field<T> {
    return {
      kind: `one of ${values.join(', ')}`,
      default: opts.default,
      check: (v) => ((values as readonly unknown[]).includes(v) ? undefined : 'must be'),
    };
  },
  /** Anything that passes `guard`; for objects and functions the helper cannot describe. */
  custom<T>(kind: string, guard: (v: unknown) => v is T, opts: { default?: T } = {}): Field<T> {
    return { kind, default: opts.default, check: (v) => (guard(v) ? undefined : 'must be') };
  },
  required<T>(field: Field<T>): Required<T> {
    return { ...field, default: undefined };
  },
  /** A field with no default that may be left out. */
  optional<T>(field: Field<T>): Field<T | undefined> & { readonly optional: true } {
    return { ...field, default: undefined, optional: true };
  },
};

export type OptionsSchema = Readonly<Record<string, Field<unknown>>>;

type FieldType<F> = F extends { _type?: () => infer T }
  ? F extends { optional: true }
    ? T | undefined
    : Exclude<T, undefined>
  : never;
type RequiredKeys<S> = {
  [K in keyof S]: S[K] extends { optional: true } ? never : S[K] extends { default: undefined } ? K : never;
}[keyof S];

/** The input type: fields without a default are required, the rest optional. */
export type OptionsInput<S extends OptionsSchema> = { readonly [K in RequiredKeys<S>]: FieldType<S[K]> } & {
  readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: FieldType<S[K]> | undefined;
};
/** The resolved type: every field present. */
export type Resolved<S extends OptionsSchema> = { readonly [K in keyof S]: FieldType<S[K]> };

/**
 * Validates `input` against `schema`: unknown keys, wrong types and missing required keys
 * throw EY_INVALID_OPTION naming the key; absent optional keys take their default.
 */
export function resolveOptions<S extends OptionsSchema>(
  what: string,
  schema: S,
  input: OptionsInput<S> | undefined,
): Resolved<S> {
  const given = (input ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `${what}: options must be an object`);
  }
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(schema, key)) {
      const known = Object.keys(schema).join(', ');
      throw new EventyardError(ErrorCode.INVALID_OPTION, `${what}: unknown option "${key}" (known: ${known})`, {
        details: { option: key },
      });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const value = given[key] === undefined ? field.default : given[key];
    if (value === undefined) {
      if (field.optional === true) continue;
      throw new EventyardError(ErrorCode.INVALID_OPTION, `${what}: option "${key}" is required (${field.kind})`, {
        details: { option: key },
      });
    }
    if (field.check(value) !== undefined) {
      throw new EventyardError(
        ErrorCode.INVALID_OPTION,
        `${what}: option "${key}" must be ${field.kind}, got ${describe(key, value)}`,
        { details: { option: key } },
      );
    }
    out[key] = value;
  }
  return Object.freeze(out) as Resolved<S>;
}

/** Options whose value may carry a credential: an error names their type, never their value. */
const CREDENTIAL_BEARING = /pass|secret|token|credential|sasl|auth|url|uri|dsn|servers|brokers|connection/i;

function describe(key: string, value: unknown): string {
  if (CREDENTIAL_BEARING.test(key))
    return `${value === null ? 'null' : typeof value} (value not shown: it may hold a credential)`;
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 50));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}
