/**
 * The signed-in identity: an access key (and a session token where the key is temporary) plus the region,
 * kept in sessionStorage only — it dies with the tab, is never written to localStorage or a cookie, and is
 * sent nowhere but inside SigV4 signatures computed in this page.
 */
export interface Session {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
}

const KEY = 'wharf.console.session';

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.accessKeyId !== 'string' || typeof s.secretAccessKey !== 'string' || typeof s.region !== 'string') return undefined;
    return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region, ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}) };
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
