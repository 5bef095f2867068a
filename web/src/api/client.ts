// One fetch wrapper for the whole app: bearer token, one silent refresh on 401, errors as `ApiError`.
import { session, type Session } from "../auth/session";
import type { FieldIssue } from "../i18n/apiErrors";

/** Every error answer's JSON. (Not in the OpenAPI document yet, so not generated: keep it in step with errors.py.) */
export interface ApiErrorBody {
  detail: string;
  code: string;
  errors?: { loc: (string | number)[]; msg: string; type: string; ctx?: Record<string, string | number> }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string,
    readonly fields: Record<string, FieldIssue> = {},
  ) {
    super(detail);
  }
}

/** Field name → what is wrong with it, from FastAPI's validation list (`loc` ends with the field). */
export function fieldIssuesOf(body: Partial<ApiErrorBody>): Record<string, FieldIssue> {
  const fields: Record<string, FieldIssue> = {};
  for (const error of body.errors ?? []) {
    const field = [...error.loc].reverse().find((part) => typeof part === "string" && part !== "body");
    if (typeof field === "string" && !(field in fields)) {
      fields[field] = { message: error.msg, type: error.type, ctx: error.ctx ?? {} };
    }
  }
  return fields;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  json?: unknown;
  form?: FormData;
  query?: Query;
  signal?: AbortSignal;
  auth?: boolean;
}

export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function toApiError(response: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> = {};
  try {
    body = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    // not JSON (a proxy's page): fall back to the status text
  }
  const detail = typeof body.detail === "string" ? body.detail : response.statusText || `HTTP ${response.status}`;
  return new ApiError(response.status, detail, body.code ?? "error", fieldIssuesOf(body));
}

export function createRequester(store: Session, fetchImpl: typeof fetch = (i, init) => fetch(i, init)) {
  async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.form) body = options.form;
    else if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    return fetchImpl(withQuery(path, options.query), {
      method: options.method ?? "GET",
      headers,
      body,
      signal: options.signal,
    });
  }

  return async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true;
    let response = await send(path, options, auth ? await store.accessToken() : null);
    if (response.status === 401 && auth && store.tokens) {
      const fresh = await store.refresh();
      if (fresh) response = await send(path, options, fresh);
      if (response.status === 401) store.end("expired");
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

export const request = createRequester(session);
