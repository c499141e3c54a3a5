/**
 * AWS SDK v3 browser clients pointed at the page's own origin — the endpoint the CLI uses
 * (`--endpoint-url http://HOST:PORT`) — and signed with the signed-in key. No private API: every call
 * the console makes is one a user could make with the AWS CLI.
 *
 * Clients are made on first use per constructor, so a page pulls in only the SDK packages it imports
 * (each page is its own chunk; see app.tsx).
 */
import type { Session } from './session';

interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
}
type ClientCtor<C> = new (config: ClientConfig) => C;

let current: Session | undefined;
const clients = new Map<unknown, { destroy(): void }>();

export function useSessionForClients(session: Session | undefined): void {
  if (session === current) return;
  for (const c of clients.values()) c.destroy();
  clients.clear();
  current = session;
}

export function configFor(session: Session): ClientConfig {
  return {
    endpoint: window.location.origin,
    region: session.region,
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, ...(session.sessionToken ? { sessionToken: session.sessionToken } : {}) },
    // One retry: the console polls anyway, and a page should show an error rather than hang.
    maxAttempts: 2,
  };
}

export function client<C extends { destroy(): void }>(Ctor: ClientCtor<C>): C {
  const found = clients.get(Ctor);
  if (found) return found as C;
  if (!current) throw Object.assign(new Error('Sign in first.'), { name: 'NotSignedIn' });
  const made = new Ctor(configFor(current));
  clients.set(Ctor, made);
  return made;
}

/** "ErrorName: message", the way the AWS CLI prints a service error. */
export function describeError(e: unknown): { name: string; message: string } {
  if (e instanceof Error) {
    const name = e.name && e.name !== 'Error' ? e.name : 'Error';
    return { name, message: e.message || 'The request failed.' };
  }
  return { name: 'Error', message: String(e) };
}

/** Last part of an ARN (`…:task/cluster/ID` → `ID`). */
export function arnTail(arn: string | undefined): string {
  if (!arn) return '';
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : arn.slice(arn.lastIndexOf(':') + 1);
}

/** `family:revision` of a task definition ARN. */
export function taskDefName(arn: string | undefined): string {
  return arnTail(arn);
}

/** Every item of every page of an SDK paginator (`paginateListClusters({ client }, input)`), up to `limit`. */
export async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => readonly T[] | undefined, limit = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) {
    out.push(...(pick(page) ?? []));
    if (out.length >= limit) break;
  }
  return out;
}
