/// <reference types="vitest/config" />
// Builds the SPA into web/dist (served by the Python server); in dev, proxies the API to it.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const backend = process.env.ZAPDESK_URL ?? "http://127.0.0.1:3001";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      "/api": backend,
      "/simulator": backend,
      "/socket.io": { target: backend, ws: true },
    },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
