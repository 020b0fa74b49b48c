/**
 * Which API a request is for, from its `Accept` and `Content-Type`, as Oro 7.0 decides it
 * (ApiBundle `Processor/Shared/JsonApi/CheckRequestType` and `Processor/Shared/Rest/ValidateRequestType`):
 * a JSON:API media type in either header makes it a JSON:API request; without one it belongs to
 * Oro's plain REST API, which the fake does not serve.
 */
import { apiError, JSON_API, type ApiError } from './json-api.js';

const ANY_JSON = new Set(['application/json', 'application/*', '*/*']);

interface MediaType {
  readonly type: string;
  readonly hasParameters: boolean;
}

/** `type/subtype; a=b` -> the type and whether any parameter follows (Oro's `MediaTypeHeaderUtil`). */
function parse(value: string): MediaType {
  const semicolon = value.indexOf(';');
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const parameters = semicolon < 0 ? '' : value.slice(semicolon + 1);
  return { type, hasParameters: parameters.split(';').some((p) => p.trim() !== '') };
}

const acceptList = (accept: string | undefined): MediaType[] =>
  (accept ?? '')
    .split(',')
    .filter((part) => part.trim() !== '')
    .map(parse);

const notAcceptable = (detail: string): ApiError => apiError(406, 'not acceptable http exception', detail);

/**
 * The 406 or 415 a request gets for its media types, or undefined when the fake serves it.
 * A request Oro would hand to its plain REST API is served as JSON:API when its `Accept` is
 * absent, `*\/*` or `application/*` (docs/fake-oro.md lists this among the differences), and is
 * refused when it asks for `application/json` only.
 */
export function mediaTypeError(accept: string | undefined, contentType: string | undefined): ApiError | undefined {
  const accepts = acceptList(accept);
  let jsonApi = false;
  const jsonApiAccepts = accepts.filter((m) => m.type === JSON_API);
  if (jsonApiAccepts.length > 0) {
    // JSON:API 1.0: at least one instance of its media type without parameters.
    if (jsonApiAccepts.every((m) => m.hasParameters))
      return notAcceptable('The "Accept" request header should contains at least one instance of JSON:API media type without any parameters.');
    jsonApi = true;
  }
  const content = contentType === undefined || contentType.trim() === '' ? undefined : parse(contentType);
  if (content?.type === JSON_API) {
    if (content.hasParameters)
      return apiError(415, 'unsupported media type http exception', 'The "Content-Type" request header should contain JSON:API media type without any parameters.');
    if (!jsonApi && accepts.length > 0 && !accepts.some((m) => ANY_JSON.has(m.type))) return notAcceptable('The "Accept" request header does not accept JSON:API content type.');
    jsonApi = true;
  }
  if (jsonApi) return undefined;
  if (accepts.length > 0 && !accepts.some((m) => ANY_JSON.has(m.type))) return notAcceptable('Only JSON representation of the requested resource is supported.');
  if (content !== undefined && content.type !== 'application/json') return notAcceptable('The "Content-Type" request header must be "application/json" if specified.');
  if (accepts.some((m) => m.type === 'application/json'))
    return notAcceptable(`The fake Oro serves only the JSON:API: send "Accept: ${JSON_API}" (Oro answers this request from its plain REST API).`);
  return undefined;
}
