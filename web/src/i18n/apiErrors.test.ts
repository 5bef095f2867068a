import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { errorMessage, fieldErrors } from "../ui/errors";
import { apiErrorText, fieldErrorText } from "./apiErrors";
import { translate, type Language } from "./translate";

const speaking = (language: Language) => ({ language, t: (key: Parameters<typeof translate>[1]) => translate(language, key) });

describe("API errors", () => {
  it("are worded in Portuguese by their code, and shown as the API said them in English", () => {
    const taken = new ApiError(409, "A queue named Vendas already exists.", "queue_name_taken");

    expect(errorMessage(taken, speaking("pt-BR"))).toBe("Já existe uma fila com este nome.");
    expect(errorMessage(taken, speaking("en"))).toBe("A queue named Vendas already exists.");
  });

  it("fall back to the API's sentence for a code the UI does not know yet", () => {
    expect(apiErrorText("pt-BR", "brand_new_code", "Something new went wrong.")).toBe("Something new went wrong.");
  });

  it("without an answer from the server say so in the person's language", () => {
    expect(errorMessage(new TypeError("Failed to fetch"), speaking("pt-BR"))).toBe("Sem conexão com o servidor.");
    expect(errorMessage(new Error("boom"), speaking("en"))).toBe(translate("en", "common.error"));
  });
});

describe("field errors", () => {
  const invalid = new ApiError(422, "password: too short", "invalid", {
    password: { message: "String should have at least 8 characters", type: "string_too_short", ctx: { min_length: 8 } },
    name: { message: "String should have at least 1 character", type: "string_too_short", ctx: { min_length: 1 } },
    email: { message: "not a valid email address", type: "email_invalid", ctx: {} },
  });

  it("are worded in Portuguese by their type, with the limits the API gives", () => {
    expect(fieldErrors(invalid, speaking("pt-BR"))).toEqual({
      password: "Use pelo menos 8 caracteres.",
      name: "Obrigatório.",
      email: "Informe um e-mail válido, como nome@empresa.com.",
    });
  });

  it("are the API's own sentences in English", () => {
    expect(fieldErrors(invalid, speaking("en")).password).toBe("String should have at least 8 characters");
  });

  it("of a type the UI does not know are still said to be invalid in Portuguese", () => {
    const issue = { message: "Input should be a valid URL", type: "url_parsing", ctx: {} };
    expect(fieldErrorText("pt-BR", issue)).toBe("Valor inválido.");
  });

  it("of automation's rules name the values at fault in Portuguese", () => {
    const overlap = { message: "08:00-12:00 and 11:00-18:00 overlap", type: "intervals_overlap", ctx: { first: "08:00-12:00", second: "11:00-18:00" } };
    const zone = { message: "there is no time zone called Mars/Base", type: "timezone_unknown", ctx: { zone: "Mars/Base" } };
    const braces = { message: "the braces of a variable do not pair up near character 4", type: "template_unbalanced", ctx: { position: 4 } };

    expect(fieldErrorText("pt-BR", overlap)).toBe("Os intervalos 08:00-12:00 e 11:00-18:00 se sobrepõem.");
    expect(fieldErrorText("pt-BR", zone)).toBe("Não existe o fuso horário Mars/Base.");
    expect(fieldErrorText("pt-BR", braces)).toContain("perto do caractere 4");
  });

  it("are empty for errors that are not the API's", () => {
    expect(fieldErrors(new TypeError("offline"), speaking("pt-BR"))).toEqual({});
  });
});
