// Media is served to signed-in users only, so it is fetched with the token and shown from a blob URL.
import { useEffect, useState } from "react";
import { session } from "../auth/session";

const cache = new Map<string, Promise<string>>();

export function loadMedia(url: string): Promise<string> {
  if (url.startsWith("blob:") || url.startsWith("data:")) return Promise.resolve(url);
  let pending = cache.get(url);
  if (!pending) {
    pending = session.accessToken().then(async (token) => {
      const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!response.ok) throw new Error(`media ${response.status}`);
      return URL.createObjectURL(await response.blob());
    });
    pending.catch(() => cache.delete(url));
    cache.set(url, pending);
  }
  return pending;
}

export function useMedia(url: string | null): { src: string | null; failed: boolean } {
  const [state, setState] = useState<{ src: string | null; failed: boolean }>({ src: null, failed: false });
  useEffect(() => {
    if (!url) return;
    let live = true;
    loadMedia(url).then(
      (src) => live && setState({ src, failed: false }),
      () => live && setState({ src: null, failed: true }),
    );
    return () => {
      live = false;
    };
  }, [url]);
  return state;
}
