/** What `promise` rejected with; throws when it resolved (a test that expected a rejection fails). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  throw new Error('expected a rejection, but the promise resolved');
}
