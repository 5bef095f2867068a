// A list shown as a table (stacked on a phone) with its loading, error and empty states, and an actions column.
import type { ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { errorMessage } from "./errors";
import { Spinner } from "./Spinner";

interface ListTableProps<T> {
  items: T[] | undefined;
  error: unknown;
  headers: MessageKey[];
  // One <tr> with a `key`, a cell per header and the actions cell last.
  row: (item: T) => ReactNode;
}

export function ListTable<T>({ items, error, headers, row }: ListTableProps<T>) {
  const i18n = useI18n();
  const { t } = i18n;
  if (error) return <p className="form-error">{errorMessage(error, i18n)}</p>;
  if (!items) return <Spinner label={t("common.loading")} />;
  if (items.length === 0) return <p className="page-empty">{t("common.empty")}</p>;
  return (
    <div className="table-wrap">
      <table className="table stack-on-phone">
        <thead>
          <tr>
            {headers.map((header) => (
              <th key={header}>{t(header)}</th>
            ))}
            <th className="actions-col">{t("common.actions")}</th>
          </tr>
        </thead>
        <tbody>{items.map((item) => row(item))}</tbody>
      </table>
    </div>
  );
}
