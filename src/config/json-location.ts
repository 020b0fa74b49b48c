/**
 * JSON parsing that says where a syntax error is, as `file:line:column`.
 *
 * Why a locator of our own: on Node 20, `JSON.parse` often reports no position at all
 * (`Unexpected token '}', "..." is not valid JSON`) and quotes the surrounding source text, which
 * may hold a secret. So the text is parsed with `JSON.parse`, and only when that fails is it
 * scanned once more by a small JSON recognizer that finds the first offending character.
 */
import { ConfigError } from '../errors/config-error.js';

/** Where and why a text is not JSON. `offset` is a character index into the text. */
export interface JsonSyntaxProblem {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

class Stop {
  constructor(readonly offset: number, readonly message: string) {}
}

/** The 1-based line and column of a character offset. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/**
 * The first syntax error in `text`, or `undefined` when it is valid JSON.
 *
 * @example locateJsonError('{\n  "a": }') // { offset: 8, line: 2, column: 8, message: 'expected a value, got "}"' }
 */
export function locateJsonError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const got = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const fail = (expected: string): never => {
    throw new Stop(i, `expected ${expected}, got ${got()}`);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`${JSON.stringify(word)}`);
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('a closing \'"\'');
      const ch = text[i] as string;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch.charCodeAt(0) < 0x20) fail('a closing \'"\' (strings cannot span lines)');
      if (ch === '\\') {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          for (let k = 1; k <= 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('a hex digit of a \\u escape');
          }
        } else if (esc === undefined || !'"\\/bfnrt'.includes(esc)) {
          fail('an escape sequence (\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)');
        }
      }
      i++;
    }
  };
  const digits = (what: string): void => {
    if (!/[0-9]/.test(text[i] ?? '')) fail(what);
    while (/[0-9]/.test(text[i] ?? '')) i++;
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits('a digit');
    if (text[i] === '.') {
      i++;
      digits('a digit after the decimal point');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits('a digit of the exponent');
    }
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') return object();
    if (ch === '[') return array();
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || /[0-9]/.test(ch ?? '')) return number();
    fail('a value');
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('a property name in double quotes');
      string();
      ws();
      if (text[i] !== ':') fail('":"');
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail('"," or "}"');
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail('"," or "]"');
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the file');
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return { offset: e.offset, ...lineColumnOf(text, e.offset), message: e.message };
  }
}

/**
 * Parse a config file's text. A syntax error is a `ConfigError` naming the file, line and column:
 * `config.json:3:12: invalid JSON: expected "," or "}", got "\""`.
 */
export function parseJsonFile(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch {
    const problem = locateJsonError(body) ?? { line: 1, column: 1, message: 'not valid JSON' };
    throw new ConfigError([`${file}:${problem.line}:${problem.column}: invalid JSON: ${problem.message}`], file);
  }
}
