/**
 * The checks of one attribute value, with Oro's constraint titles and Symfony's messages: the
 * JSON type, not blank, a choice, length, strict email and Oro's password policy.
 */
import type { Json } from '../types/index.js';
import { apiError, at, type ApiError } from './json-api.js';
import type { AttributeKind, AttributeSpec } from './family.js';

/**
 * Symfony's strict Email constraint (RFC 5322 addr-spec without comments or quoted strings):
 * dot-separated atoms before the `@`, a domain of hostname labels with a top-level label of letters.
 * Oro validates customer user emails this way, so `a@b`, `a..b@x.com` or `a@-x.com` are refused.
 */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const STRICT_EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+[A-Za-z]{2,63}$`);

/** Oro's default password policy (System Configuration > User Settings): 8+ characters, lower and upper case, a digit. */
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_RULE = 'The password must be at least 8 characters long and include a lower case letter, an upper case letter, and a number.';

const TYPE_NAMES: Readonly<Record<AttributeKind, string>> = { string: 'string', boolean: 'boolean', integer: 'integer', number: 'float', array: 'array' };

/** `true` when a password satisfies Oro's default policy. */
export function passwordIsComplex(value: string): boolean {
  return [...value].length >= PASSWORD_MIN_LENGTH && /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
}

/** `true` when a value has the attribute's JSON type. */
function hasKind(kind: AttributeKind, value: Json): boolean {
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    default:
      return typeof value === 'string';
  }
}

/** Every constraint a non-null sent value breaks (at most one, as Symfony stops at the first per field here). */
export function attributeValueErrors(attr: AttributeSpec, value: Json, pointer: string): ApiError[] {
  const kind = attr.kind ?? 'string';
  if (!hasKind(kind, value)) return [apiError(400, 'form constraint', `This value should be of type ${TYPE_NAMES[kind]}.`, at(pointer))];
  if (typeof value !== 'string') return [];
  const length = [...value].length;
  if (attr.password) return value === '' || passwordIsComplex(value) ? [] : [apiError(400, 'password complexity constraint', PASSWORD_RULE, at(pointer))];
  if (attr.required && value.trim() === '') return [apiError(400, 'not blank constraint', attr.blankMessage ?? 'This value should not be blank.', at(pointer))];
  if (attr.choices && !attr.choices.includes(value)) return [apiError(400, 'choice constraint', 'The value you selected is not a valid choice.', at(pointer))];
  if (attr.maxLength !== undefined && length > attr.maxLength)
    return [apiError(400, 'length constraint', `This value is too long. It should have ${attr.maxLength} characters or less.`, at(pointer))];
  if (attr.minLength !== undefined && length < attr.minLength)
    return [apiError(400, 'length constraint', `This value is too short. It should have ${attr.minLength} characters or more.`, at(pointer))];
  if (attr.email && !STRICT_EMAIL.test(value)) return [apiError(400, 'email constraint', 'This value is not a valid email address.', at(pointer))];
  return [];
}
