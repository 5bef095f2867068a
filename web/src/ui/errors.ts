import { ApiError } from "../api/client";
import { apiErrorText, fieldErrorText } from "../i18n/apiErrors";
import type { I18n } from "../i18n/I18nProvider";

type Speaking = Pick<I18n, "language" | "t">;

/** What to tell a person about a failed call, in their language. */
export function errorMessage(error: unknown, { language, t }: Speaking): string {
  if (error instanceof ApiError) return apiErrorText(language, error.code, error.detail);
  if (error instanceof TypeError) return t("common.networkError");
  return t("common.error");
}

/** Field name → what is wrong with it, in the person's language. */
export function fieldErrors(error: unknown, { language }: Speaking): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  return Object.fromEntries(
    Object.entries(error.fields).map(([field, issue]) => [field, fieldErrorText(language, issue)]),
  );
}
