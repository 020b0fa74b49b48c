/**
 * Why a request body is not JSON, in the words Oro uses. Oro re-reads a body that its JSON decoder
 * refused with a streaming parser (salsify/json-streaming-parser 8.3, in ApiBundle's
 * `ErrorHandlingBodyListenerDecorator` and the Batch API's file splitter), whose error says
 * `Parsing error in [line:column]. <what it expected and what it got>`. This is our own
 * byte-by-byte reading with the same states, positions and messages, quirks included: it counts
 * columns in bytes, never sees the `\n` that ends a line, accepts a trailing comma, says
 * "Expected 'null'" for any misspelt literal, and does not complain when the body just stops.
 */

/** Where and why the streaming parser stops. */
export interface JsonParseError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

type State = 'start' | 'end-document' | 'array' | 'object' | 'end-key' | 'after-key' | 'string' | 'escape' | 'unicode' | 'surrogate' | 'number' | 'true' | 'false' | 'null' | 'after-value';
type Frame = 'object' | 'array' | 'key' | 'string';

class Stop extends Error {}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** The parser's state machine over bytes; `fail` records the message (as bytes, since a "Got:" may be half a character). */
class Reader {
  state: State = 'start';
  readonly stack: Frame[] = [];
  buffer: number[] = [];
  unicode: number[] = [];
  escape: number[] = [];
  highSurrogate = -1;
  failure: number[] | undefined;

  fail(...parts: (string | number[])[]): never {
    this.failure = parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'utf8')] : p));
    throw new Stop();
  }

  consume(c: number): void {
    if (WHITESPACE.has(c) && !['string', 'unicode', 'escape', 'number'].includes(this.state)) return;
    switch (this.state) {
      case 'string':
        return this.inString(c);
      case 'array':
        return c === 0x5d ? this.end('array') : this.startValue(c);
      case 'object':
        if (c === 0x7d) return this.end('object');
        if (c === 0x22) return this.open('key');
        return this.fail('Start of string expected for object key. Instead got: ', [c]);
      case 'end-key':
        if (c !== 0x3a) this.fail("Expected ':' after key.");
        this.state = 'after-key';
        return;
      case 'after-key':
        return this.startValue(c);
      case 'escape':
        return this.escaped(c);
      case 'unicode':
        return this.unicodeDigit(c);
      case 'surrogate':
        return this.surrogateEscape(c);
      case 'after-value':
        return this.afterValue(c);
      case 'number':
        return this.inNumber(c);
      case 'true':
      case 'false':
      case 'null':
        return this.literal(c);
      case 'start':
        if (c === 0x5b) return this.open('array');
        if (c === 0x7b) return this.open('object');
        return this.fail('Document must start with object or array.');
      case 'end-document':
        if (c !== 0x5b && c !== 0x7b) this.fail('Expected end of document.');
        this.state = 'start';
        return this.consume(c);
    }
  }

  open(frame: Frame): void {
    this.stack.push(frame);
    this.state = frame === 'key' || frame === 'string' ? 'string' : frame;
  }

  end(frame: 'array' | 'object'): void {
    if (this.stack.pop() !== frame) this.fail(`Unexpected end of ${frame} encountered.`);
    this.state = this.stack.length === 0 ? 'end-document' : 'after-value';
  }

  startValue(c: number): void {
    if (c === 0x5b) return this.open('array');
    if (c === 0x7b) return this.open('object');
    if (c === 0x22) return this.open('string');
    if (isDigit(c) || c === 0x2d) this.state = 'number';
    else if (c === 0x74) this.state = 'true';
    else if (c === 0x66) this.state = 'false';
    else if (c === 0x6e) this.state = 'null';
    else this.fail('Unexpected character for value: ', [c]);
    this.buffer.push(c);
  }

  inString(c: number): void {
    if (c === 0x22) {
      const frame = this.stack.pop();
      if (frame !== 'key' && frame !== 'string') this.fail('Unexpected end of string.');
      this.state = frame === 'key' ? 'end-key' : 'after-value';
      this.buffer = [];
    } else if (c === 0x5c) this.state = 'escape';
    else if (c < 0x1f) this.fail('Unescaped control character encountered: ', [c]);
    else this.buffer.push(c);
  }

  escaped(c: number): void {
    if (c === 0x75) {
      this.state = 'unicode';
      return;
    }
    if (!'"\\/bfnrt'.includes(String.fromCharCode(c))) this.fail('Expected escaped character after backslash. Got: ', [c]);
    this.state = 'string';
  }

  unicodeDigit(c: number): void {
    if (!isHex(c)) this.fail('Expected hex character for escaped Unicode character. Unicode parsed: ', this.unicode, ' and got: ', [c]);
    this.unicode.push(c);
    if (this.unicode.length < 4) return;
    const codepoint = parseInt(String.fromCharCode(...this.unicode), 16);
    this.unicode = [];
    if (codepoint >= 0xd800 && codepoint < 0xdc00) {
      this.highSurrogate = codepoint;
      this.state = 'surrogate';
      return;
    }
    if (codepoint >= 0xdc00 && codepoint <= 0xdfff && this.highSurrogate === -1) this.fail('Missing high surrogate for Unicode low surrogate.');
    if (codepoint < 0xdc00 && this.highSurrogate !== -1) this.fail('Invalid low surrogate following Unicode high surrogate.');
    this.highSurrogate = -1;
    this.state = 'string';
  }

  surrogateEscape(c: number): void {
    this.escape.push(c);
    // The parser counts characters here, not bytes: a multi-byte character is one.
    if (Buffer.from(this.escape).toString('utf8').length < 2) return;
    if (this.escape[0] !== 0x5c || this.escape[1] !== 0x75 || this.escape.length !== 2) this.fail("Expected '\\u' following a Unicode high surrogate. Got: ", this.escape);
    this.escape = [];
    this.state = 'unicode';
  }

  afterValue(c: number): void {
    const within = this.stack[this.stack.length - 1];
    if (within === 'object') {
      if (c === 0x7d) return this.end('object');
      if (c === 0x2c) this.state = 'object';
      else this.fail("Expected ',' or '}' while parsing object. Got: ", [c]);
    } else if (within === 'array') {
      if (c === 0x5d) return this.end('array');
      if (c === 0x2c) this.state = 'array';
      else this.fail("Expected ',' or ']' while parsing array. Got: ", [c]);
    } else this.fail('Finished a literal, but unclear what state to move to. Last state: ', within === undefined ? '' : String(within === 'key' ? 2 : 3));
  }

  inNumber(c: number): void {
    const text = String.fromCharCode(...this.buffer).toLowerCase();
    if (isDigit(c)) this.buffer.push(c);
    else if (c === 0x2e) {
      if (text.includes('.')) this.fail('Cannot have multiple decimal points in a number.');
      if (text.includes('e')) this.fail('Cannot have a decimal point in an exponent.');
      this.buffer.push(c);
    } else if (c === 0x65 || c === 0x45) {
      if (text.includes('e')) this.fail('Cannot have multiple exponents in a number.');
      this.buffer.push(c);
    } else if (c === 0x2b || c === 0x2d) {
      if (!text.endsWith('e')) this.fail("Can only have '+' or '-' after the 'e' or 'E' in a number.");
      this.buffer.push(c);
    } else {
      // One byte past the number: it ends the number and is read again.
      this.buffer = [];
      this.state = 'after-value';
      this.consume(c);
    }
  }

  literal(c: number): void {
    this.buffer.push(c);
    const expected = this.state as 'true' | 'false' | 'null';
    if (this.buffer.length < expected.length) return;
    if (Buffer.from(this.buffer).toString('latin1') !== expected) this.fail("Expected 'null'. Got: ", this.buffer);
    this.buffer = [];
    this.state = 'after-value';
  }
}

/** Invalid UTF-8 in a message becomes `?`, as PHP's `mb_convert_encoding` leaves it. */
const readable = (bytes: readonly number[]): string => Buffer.from(bytes).toString('utf8').replace(/\uFFFD/g, '?');

/** How many bytes of a byte order mark open the body (the parser skips them). */
function bomLength(bytes: Uint8Array): number {
  if (bytes[0] === 0xef) return 3;
  if (bytes[0] === 0x00 || (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xfe)) return 4;
  if (bytes[0] === 0xfe || bytes[0] === 0xff) return 2;
  return 0;
}

/**
 * Where the streaming parser stops on `text`, or undefined when it reads it to the end without
 * complaint (a body that JSON.parse refuses can still be such a body: `{"a": 1,}`, or a cut-off one).
 *
 * @example
 * jsonParseError('{"data": {"type": test"}}');
 * // { line: 1, column: 22, message: "Expected 'null'. Got: test" }
 */
export function jsonParseError(text: string): JsonParseError | undefined {
  const bytes = Buffer.from(text, 'utf8');
  const reader = new Reader();
  const bom = bomLength(bytes);
  let line = 1;
  let column = 1;
  try {
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i] as number;
      // Lines are read up to a "\n", which the parser never sees.
      if (c === 0x0a) {
        line++;
        column = 1;
        continue;
      }
      if (!(line === 1 && i < bom)) reader.consume(c);
      column++;
    }
  } catch (e) {
    if (!(e instanceof Stop) || reader.failure === undefined) throw e;
    return { line, column, message: readable(reader.failure) };
  }
  return undefined;
}

/** `Parsing error in [L:C]. <message>`, the text Oro appends to its own. */
export const describeParseError = (error: JsonParseError): string => `Parsing error in [${error.line}:${error.column}]. ${error.message}`;

/** A sentence ends with a period: Oro adds one to an exception's text that has none. */
const sentence = (text: string): string => (text.endsWith('.') ? text : `${text}.`);

/**
 * The detail of Oro's 400 "bad request http exception" for a request body that is not JSON.
 *
 * @example
 * invalidJsonDetail('{"data": [{test}]}');
 * // 'Invalid json message received. Parsing error in [1:12]. Start of string expected for object key. Instead got: t.'
 */
export function invalidJsonDetail(text: string): string {
  const error = jsonParseError(text);
  return sentence(error === undefined ? 'Invalid json message received' : `Invalid json message received. ${describeParseError(error)}`);
}

/**
 * The detail of the one error of a Batch API operation whose data file is not JSON (no period
 * is added: the text does not pass through Oro's exception text extractor).
 */
export function unparsableFileDetail(text: string): string {
  const error = jsonParseError(text);
  return error === undefined ? 'Failed to parse the data file.' : `Failed to parse the data file. ${describeParseError(error)}`;
}
