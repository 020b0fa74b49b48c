/**
 * `T` with its members writable: for an object built member by member on a hot path (no spread
 * of optional members per record), then handed on as the readonly `T`.
 */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
