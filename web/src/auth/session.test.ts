import { describe, expect, it, vi } from "vitest";
import { createRequester } from "../api/client";
import { memoryStorage, Session, tokenExpiry } from "./session";

const jwt = (exp: number) => `h.${btoa(JSON.stringify({ exp })).replace(/=+$/, "")}.s`;
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const noLock = <T,>(_name: string, work: () => Promise<T>) => work();

describe("session", () => {
  it("reads a token's expiry", () => {
    expect(tokenExpiry(jwt(1234))).toBe(1234);
    expect(tokenExpiry("garbage")).toBeNull();
  });

  it("refreshes once for concurrent callers and stores the rotated tokens", async () => {
    let calls = 0;
    const fetchImpl = vi.fn(async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return json(200, { access_token: "new-access", refresh_token: "new-refresh" });
    });
    const session = new Session(memoryStorage(), fetchImpl, noLock);
    session.save({ access_token: "old", refresh_token: "r1" });
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(results).toEqual(["new-access", "new-access", "new-access"]);
    expect(calls).toBe(1);
    expect(session.tokens).toEqual({ access_token: "new-access", refresh_token: "new-refresh" });
  });

  it("refreshes before using an access token about to expire", async () => {
    const fetchImpl = vi.fn(async () => json(200, { access_token: "fresh", refresh_token: "r2" }));
    const now = Date.now();
    const session = new Session(memoryStorage(), fetchImpl, noLock, () => now);
    session.save({ access_token: jwt(Math.floor(now / 1000) + 10), refresh_token: "r1" });
    expect(await session.accessToken()).toBe("fresh");
  });

  it("ends the session as expired when the refresh token is refused", async () => {
    const session = new Session(memoryStorage(), async () => json(401, { detail: "no", code: "unauthorized" }), noLock);
    session.save({ access_token: "a", refresh_token: "reused" });
    const ended: string[] = [];
    session.onEnd((why) => ended.push(why));
    expect(await session.refresh()).toBeNull();
    expect(ended).toEqual(["expired"]);
    expect(session.tokens).toBeNull();
  });

  it("retries a request once with a fresh token after a 401, and reports field errors", async () => {
    const session = new Session(
      memoryStorage(),
      async () => json(200, { access_token: "fresh", refresh_token: "r2" }),
      noLock,
    );
    session.save({ access_token: "stale", refresh_token: "r1" });
    const seen: string[] = [];
    const request = createRequester(session, async (_input, init) => {
      const auth = new Headers(init?.headers).get("Authorization") ?? "";
      seen.push(auth);
      if (auth === "Bearer stale") return json(401, { detail: "expired", code: "token_expired" });
      return json(422, {
        detail: "email: not valid",
        code: "invalid",
        errors: [{ loc: ["body", "email"], msg: "not a valid email address", type: "email_invalid", ctx: {} }],
      });
    });
    await expect(request("/api/users", { method: "POST", json: {} })).rejects.toMatchObject({
      status: 422,
      fields: { email: { message: "not a valid email address", type: "email_invalid", ctx: {} } },
    });
    expect(seen).toEqual(["Bearer stale", "Bearer fresh"]);
  });
});
