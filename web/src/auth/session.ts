// Holds the access and refresh tokens, shares one refresh at a time (refresh tokens rotate: each works once),
// and tells listeners when the session ends. Tabs coordinate through localStorage and a Web Lock.

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export type SessionEnd = "logout" | "expired";

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;
type Lock = <T>(name: string, work: () => Promise<T>) => Promise<T>;

const STORAGE_KEY = "zapdesk.session";
const EXPIRY_MARGIN_MS = 30_000;

/** Seconds-since-epoch `exp` of a JWT, or null when it cannot be read (then we just try it). */
export function tokenExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp: unknown = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp : null;
  } catch {
    return null;
  }
}

function runWithoutLock<T>(_name: string, work: () => Promise<T>): Promise<T> {
  return work();
}

function browserLock(): Lock {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks) return runWithoutLock;
  return <T,>(name: string, work: () => Promise<T>) => locks.request(name, work) as Promise<T>;
}

export class Session {
  private refreshing: Promise<string | null> | null = null;
  private readonly endListeners = new Set<(why: SessionEnd) => void>();

  constructor(
    private readonly storage: KeyValueStore,
    private readonly fetchImpl: Fetch,
    private readonly lock: Lock = browserLock(),
    private readonly now: () => number = Date.now,
  ) {}

  get tokens(): Tokens | null {
    const raw = this.storage.getItem(STORAGE_KEY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Tokens;
    } catch {
      return null;
    }
  }

  save(tokens: Tokens): void {
    this.storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  }

  onEnd(listener: (why: SessionEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  end(why: SessionEnd): void {
    if (!this.tokens && why === "expired") return;
    this.storage.removeItem(STORAGE_KEY);
    for (const listener of this.endListeners) listener(why);
  }

  /** A usable access token: the stored one, or a fresh one when it is about to expire. */
  async accessToken(): Promise<string | null> {
    const tokens = this.tokens;
    if (!tokens) return null;
    const exp = tokenExpiry(tokens.access_token);
    if (exp !== null && exp * 1000 - EXPIRY_MARGIN_MS < this.now()) return this.refresh();
    return tokens.access_token;
  }

  /** Trade the refresh token for new tokens; concurrent callers share the same attempt. */
  refresh(): Promise<string | null> {
    if (!this.refreshing) {
      const used = this.tokens?.refresh_token;
      this.refreshing = this.lock("zapdesk-refresh", () => this.rotate(used)).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async rotate(used: string | undefined): Promise<string | null> {
    const current = this.tokens;
    if (!current) return null;
    // Another tab rotated while we waited for the lock: its tokens are ours too.
    if (used !== undefined && current.refresh_token !== used) return current.access_token;
    let response: Response;
    try {
      response = await this.fetchImpl("/api/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refresh_token }),
      });
    } catch {
      return null; // offline: keep the session, the caller reports the network error
    }
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) this.end("expired");
      return null;
    }
    const fresh = (await response.json()) as Tokens;
    this.save({ access_token: fresh.access_token, refresh_token: fresh.refresh_token });
    return fresh.access_token;
  }
}

export const session = new Session(
  typeof localStorage !== "undefined" ? localStorage : memoryStorage(),
  (input, init) => fetch(input, init),
);

export function memoryStorage(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}
