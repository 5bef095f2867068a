// Who is signed in. Tokens live in `session`; this keeps the user object and reacts when the session ends.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";
import { auth } from "../api/endpoints";
import type { LoginResponse, User } from "../api/types";
import { session } from "./session";

type AuthState =
  | { status: "loading" }
  | { status: "signed-out"; expired: boolean }
  | { status: "signed-in"; user: User };

interface Auth {
  state: AuthState;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** The signed-in user changed (their own profile). */
  replaceUser: (user: User) => void;
  /** Fresh tokens for the same user (after a new password). */
  renew: (tokens: LoginResponse) => void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<AuthState>(() =>
    session.tokens ? { status: "loading" } : { status: "signed-out", expired: false },
  );

  useEffect(() => {
    if (state.status !== "loading") return;
    auth.me().then(
      (user) => setState({ status: "signed-in", user }),
      (error: unknown) => setState({ status: "signed-out", expired: error instanceof ApiError && error.status === 401 }),
    );
  }, [state.status]);

  useEffect(
    () =>
      session.onEnd((why) => {
        queryClient.clear();
        setState({ status: "signed-out", expired: why === "expired" });
      }),
    [queryClient],
  );

  // Another tab signed in or out: follow it.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== "zapdesk.session") return;
      if (!event.newValue) setState({ status: "signed-out", expired: false });
      else if (!event.oldValue) setState({ status: "loading" });
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const result = await auth.login(email, password);
    session.save({ access_token: result.access_token, refresh_token: result.refresh_token });
    setState({ status: "signed-in", user: result.user });
  }, []);

  const logout = useCallback(async () => {
    const refresh = session.tokens?.refresh_token;
    if (refresh) await auth.logout(refresh).catch(() => undefined);
    session.end("logout");
  }, []);

  const replaceUser = useCallback((user: User) => setState({ status: "signed-in", user }), []);

  const renew = useCallback((tokens: LoginResponse) => {
    session.save({ access_token: tokens.access_token, refresh_token: tokens.refresh_token });
    setState({ status: "signed-in", user: tokens.user });
  }, []);

  const value = useMemo(() => ({ state, login, logout, replaceUser, renew }), [state, login, logout, replaceUser, renew]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The signed-in user; only for components rendered inside the signed-in app. */
export function useMe(): User {
  const { state } = useAuth();
  if (state.status !== "signed-in") throw new Error("useMe while signed out");
  return state.user;
}
