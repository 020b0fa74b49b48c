/**
 * The config codec's scalars: strings, numbers, ports, URLs by protocol and fixed tags, each
 * named by what an error says was expected (`expected positive integer, got -1`).
 */
import { type Codec, oneOf, primitive } from './codec-kit.js';

export const isInt = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u);
export const isNumber = (u: unknown): u is number => typeof u === 'number' && Number.isFinite(u);

export const NonEmptyString = primitive('non-empty string', (u): u is string => typeof u === 'string' && u !== '');
export const PositiveInt = primitive('positive integer', (u): u is number => isInt(u) && u > 0);
export const NonNegativeInt = primitive('non-negative integer', (u): u is number => isInt(u) && u >= 0);
export const PositiveNumber = primitive('positive number', (u): u is number => isNumber(u) && u > 0);
export const NonNegativeNumber = primitive('non-negative number', (u): u is number => isNumber(u) && u >= 0);
/** `pipeline.concurrency`: a fixed number of requests in flight, or `"auto"` (found from Oro's latencies). */
export const Concurrency = primitive('positive integer or "auto"', (u): u is number | 'auto' => u === 'auto' || (isInt(u) && u > 0));
export const Port = primitive('port number (0-65535)', (u): u is number => isInt(u) && u >= 0 && u <= 65535);
export const Bool = primitive('boolean', (u): u is boolean => typeof u === 'boolean');
export const SingleChar = primitive('single character', (u): u is string => typeof u === 'string' && u.length === 1);

function urlWithProtocols(name: string, protocols: readonly string[]): Codec<string> {
  return primitive(name, (u): u is string => {
    if (typeof u !== 'string') return false;
    try {
      return protocols.includes(new URL(u).protocol);
    } catch {
      return false;
    }
  });
}

export const HttpUrl = urlWithProtocols('absolute http(s) URL', ['http:', 'https:']);
export const AmqpUrl = urlWithProtocols('amqp:// or amqps:// URL', ['amqp:', 'amqps:']);
export const PostgresUrl = urlWithProtocols('postgres:// or postgresql:// URL', ['postgres:', 'postgresql:']);

/** One fixed string (the tag of a union member). */
export function tag<const V extends string>(value: V): Codec<V> {
  return oneOf([value] as const);
}
