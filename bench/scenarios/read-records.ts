import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The first `limit` lines of an NDJSON file, parsed one by one, as a script would read them. */
export async function* readNdjson(file: string, limit = Infinity): AsyncGenerator<Record<string, unknown>> {
  let n = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      if (n++ >= limit) break;
      yield JSON.parse(line) as Record<string, unknown>;
    }
  } finally {
    lines.close();
  }
}

/** The JSON:API document both hand-made clients send for a generated customer. */
export function customerDocument(record: Record<string, unknown>): string {
  const groupId = record['groupId'];
  return JSON.stringify({
    data: {
      type: 'customers',
      attributes: { name: record['name'], externalId: record['id'] },
      ...(typeof groupId === 'string' ? { relationships: { group: { data: { type: 'customergroups', id: groupId } } } } : {}),
    },
  });
}
