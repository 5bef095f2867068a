import { describe, expect, it } from "vitest";
import { dictionaries, pickLanguage, translate } from "./translate";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n", () => {
  it("has the same placeholders in every language for every key", () => {
    for (const [key, text] of Object.entries(dictionaries["pt-BR"])) {
      expect(placeholders(dictionaries.en[key as keyof typeof dictionaries.en]), key).toEqual(placeholders(text));
    }
  });

  it("uses the spec's Portuguese labels for the connection flow", () => {
    expect(translate("pt-BR", "connections.new")).toBe("Nova Conexão");
    expect(translate("pt-BR", "connections.connect")).toBe("Conectar");
    expect(translate("pt-BR", "connections.showQr")).toBe("Ver QR Code");
    expect(translate("pt-BR", "status.CONNECTED")).toBe("Conectado");
    expect(translate("en", "status.CONNECTED")).toBe("Connected");
  });

  it("fills placeholders and leaves unknown ones alone", () => {
    expect(translate("en", "tickets.unread", { count: 3 })).toBe("3 unread");
    expect(translate("en", "connections.placeholderHint")).toContain("{{name}}");
  });

  it("picks the remembered language first, then the browser's, then Portuguese", () => {
    expect(pickLanguage("en", ["pt-BR"])).toBe("en");
    expect(pickLanguage(null, ["en-US", "pt-BR"])).toBe("en");
    expect(pickLanguage(null, ["pt-PT"])).toBe("pt-BR");
    expect(pickLanguage("xx", ["de-DE"])).toBe("pt-BR");
  });
});
