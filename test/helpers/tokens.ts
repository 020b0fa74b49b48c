import { BehaviorSubject } from 'rxjs';
import type { AccessToken, TokenStream } from '../../src/auth/types.js';

/** A token stream that always hands out the same token (for tests that are not about auth). */
export function staticTokens(value = 'static-token'): TokenStream & { readonly refreshed: string[] } {
  const subject = new BehaviorSubject<AccessToken>({ value, expiresAt: Number.MAX_SAFE_INTEGER });
  const refreshed: string[] = [];
  return {
    refreshed,
    token$: subject.asObservable(),
    grants: 1,
    current: () => Promise.resolve(value),
    refresh: (rejected: string) => {
      refreshed.push(rejected);
      return Promise.resolve(value);
    },
    shutdown: () => subject.complete(),
  };
}
