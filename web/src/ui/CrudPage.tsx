// The shape every settings-like page shares: a title, a "new" button, a table, edit and delete dialogs.
import { useState, type ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { ConfirmDialog } from "./ConfirmDialog";
import { ListTable } from "./ListTable";

export interface Column<T> {
  header: MessageKey;
  cell: (item: T) => ReactNode;
}

interface CrudPageProps<T extends { id: number }> {
  title: MessageKey;
  newLabel: MessageKey;
  testId: string;
  items: T[] | undefined;
  error: unknown;
  columns: Column<T>[];
  nameOf: (item: T) => string;
  renderForm: (item: T | null, close: () => void) => ReactNode;
  remove?: (item: T) => Promise<unknown>;
  canEdit?: boolean;
  toolbar?: ReactNode;
  rowActions?: (item: T) => ReactNode;
  footer?: ReactNode;
}

export function CrudPage<T extends { id: number }>(props: CrudPageProps<T>) {
  const { t } = useI18n();
  const { items, columns, canEdit = true } = props;
  const [editing, setEditing] = useState<{ item: T | null } | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  return (
    <div className="page" data-testid={props.testId}>
      <header className="page-header">
        <h1>{t(props.title)}</h1>
        {canEdit && (
          <button type="button" className="button primary" onClick={() => setEditing({ item: null })} data-testid="new-item">
            {t(props.newLabel)}
          </button>
        )}
      </header>
      {props.toolbar}
      <ListTable
        items={items}
        error={props.error}
        headers={columns.map((column) => column.header)}
        row={(item) => (
          <tr key={item.id} data-testid="item-row" data-name={props.nameOf(item)}>
            {columns.map((column) => (
              <td key={column.header} data-label={t(column.header)}>
                {column.cell(item)}
              </td>
            ))}
            <td className="actions-col">
              {props.rowActions?.(item)}
              {canEdit && (
                <button type="button" className="button ghost" onClick={() => setEditing({ item })} data-testid="edit-item">
                  {t("common.edit")}
                </button>
              )}
              {canEdit && props.remove && (
                <button type="button" className="button ghost danger-text" onClick={() => setDeleting(item)} data-testid="delete-item">
                  {t("common.delete")}
                </button>
              )}
            </td>
          </tr>
        )}
      />
      {props.footer}
      {editing && props.renderForm(editing.item, () => setEditing(null))}
      {deleting && props.remove && (
        <ConfirmDialog
          title={t("common.delete")}
          message={t("common.confirmDelete", { name: props.nameOf(deleting) })}
          confirmLabel={t("common.delete")}
          danger
          onConfirm={() => props.remove!(deleting)}
          onClose={() => setDeleting(null)}
        />
      )}
    </div>
  );
}
