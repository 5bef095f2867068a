import { ApiError } from "../api/client";
import type { I18n } from "../i18n/I18nProvider";

/** What to tell a person about a failed call: the API's own sentence when it has one. */
export function errorMessage(error: unknown, t: I18n["t"]): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof TypeError) return t("common.networkError");
  return t("common.error");
}

export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors : {};
}
