export { OroSyncError, type ErrorClass } from './oro-sync-error.js';
export { HttpError, classifyStatus, PERMANENT_STATUSES, TRANSIENT_STATUSES } from './http-error.js';
export { NetworkError } from './network-error.js';
export { TimeoutError } from './timeout-error.js';
export { TokenError } from './token-error.js';
export { DecodeError } from './decode-error.js';
export { ConfigError } from './config-error.js';
export { InsecureUrlError } from './insecure-url-error.js';
export { classOf, isTransient, isFatal, retryAfterOf, detailsOf } from './classify.js';
