export type { AccessToken, TokenStream } from './types.js';
export { createTokenStream, PERMANENT_OAUTH_ERRORS, type TokenStreamOptions } from './token-stream.js';
export { assertSecureUrl, isLoopbackUrl, redactUrl } from './loopback.js';
