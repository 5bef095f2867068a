import { useMedia } from "../chat/useMedia";

const PALETTE = ["#128c7e", "#34b7f1", "#7e57c2", "#ef6c00", "#c2185b", "#2e7d32", "#5d4037", "#455a64"];

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]?.[0], words[words.length - 1]?.[0]] : [words[0]?.[0]];
  return letters.join("").toUpperCase() || "?";
}

export function Avatar({ name, url, size = 40 }: { name: string; url?: string | null; size?: number }) {
  const color = PALETTE[[...name].reduce((sum, char) => sum + char.charCodeAt(0), 0) % PALETTE.length];
  // Pictures the server keeps (fetched through the engine) are for signed-in users: loaded with the token.
  const stored = useMedia(url?.startsWith("/api/") ? url : null);
  const src = url?.startsWith("/api/") ? stored.src : url;
  if (src) return <img className="avatar" src={src} alt="" width={size} height={size} data-testid="avatar-picture" />;
  return (
    <span className="avatar" style={{ width: size, height: size, background: color }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
