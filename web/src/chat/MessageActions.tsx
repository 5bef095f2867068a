// The menu on each bubble (reactions have their own button): copy, forward, and for one's own text edit (within WhatsApp's 15 minutes) and
// delete for everyone. The server applies each at once and sends it to WhatsApp through the outbox.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { contacts, messages } from "../api/endpoints";
import { useConnections } from "../api/queries";
import type { Message } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { ConnectionSelect } from "../connections/ConnectionSelect";
import { useI18n } from "../i18n/I18nProvider";
import { applyMessage } from "../realtime/RealtimeProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";

const EDIT_WINDOW_MS = 15 * 60 * 1000;
const ON_WHATSAPP = new Set(["sent", "delivered", "read"]);

type Dialog = "edit" | "delete" | "forward" | null;

export function canEdit(message: Message, myId: number, now: number): boolean {
  const sentAt = message.sent_at ? Date.parse(message.sent_at) : NaN;
  return (
    message.from_me &&
    message.author_id === myId &&
    message.type === "text" &&
    !message.is_deleted &&
    ON_WHATSAPP.has(message.status) &&
    now - sentAt <= EDIT_WINDOW_MS
  );
}

export function MessageActions({ message }: { message: Message }) {
  const { t } = useI18n();
  const me = useMe();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const onWhatsApp = message.external_id !== null && (!message.from_me || ON_WHATSAPP.has(message.status));
  const mine = message.from_me && message.author_id === me.id && onWhatsApp;

  const choose = (next: Dialog) => {
    setOpen(false);
    setDialog(next);
  };

  return (
    <div className="message-actions">
      <button type="button" className="icon-button bubble-more" aria-label={t("chat.actions")} title={t("chat.actions")} aria-expanded={open} onClick={() => setOpen(!open)} data-testid="message-actions">
        ⋯
      </button>
      {open && (
        <div className="message-menu" role="menu" data-testid="message-menu">
          {message.body && (
            <button type="button" role="menuitem" onClick={() => { setOpen(false); void navigator.clipboard?.writeText(message.body); }} data-testid="copy-message">
              {t("chat.copy")}
            </button>
          )}
          <button type="button" role="menuitem" onClick={() => choose("forward")} data-testid="forward-message">
            {t("chat.forward")}
          </button>
          {canEdit(message, me.id, Date.now()) && (
            <button type="button" role="menuitem" onClick={() => choose("edit")} data-testid="edit-message">
              {t("chat.editMessage")}
            </button>
          )}
          {mine && !message.is_deleted && (
            <button type="button" role="menuitem" className="danger" onClick={() => choose("delete")} data-testid="delete-message">
              {t("chat.deleteForEveryone")}
            </button>
          )}
        </div>
      )}
      {dialog === "edit" && <EditDialog message={message} onClose={() => setDialog(null)} />}
      {dialog === "forward" && <ForwardDialog message={message} onClose={() => setDialog(null)} />}
      {dialog === "delete" && (
        <ConfirmDialog
          title={t("chat.deleteForEveryone")}
          message={t("chat.deleteConfirm")}
          confirmLabel={t("chat.deleteForEveryone")}
          danger
          onConfirm={() => messages.deleteForEveryone(message.id).then((stored) => applyMessage(client, stored))}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}

function EditDialog({ message, onClose }: { message: Message; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [body, setBody] = useState(message.body);
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      applyMessage(client, await messages.edit(message.id, body));
      onClose();
    });
  return (
    <FormDialog title={t("chat.editMessage")} busy={busy} formError={formError} onSubmit={save} onClose={onClose}>
      <Field label={t("chat.editText")} error={errors.body}>
        {(p) => <textarea {...p} autoFocus rows={3} value={body} onChange={(e) => setBody(e.target.value)} data-testid="edit-body" />}
      </Field>
    </FormDialog>
  );
}

function ForwardDialog({ message, onClose }: { message: Message; onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [contactId, setContactId] = useState<number | null>(null);
  const connections = useConnections().data ?? [];
  const [connectionId, setConnectionId] = useState<number | null>(null);
  const found = useQuery({ queryKey: ["forward-contacts", search], queryFn: () => contacts.list(search, null, 20) });
  const { busy, errors, formError, submit } = useApiForm();
  const send = () =>
    void submit(async () => {
      if (contactId === null) return;
      const result = await messages.forward({ message_ids: [message.id], contact_id: contactId, connection_id: connectionId });
      onClose();
      navigate(`/tickets/${result.ticket_id}?tab=open`);
    });
  return (
    <FormDialog title={t("chat.forward")} busy={busy} formError={formError} onSubmit={send} onClose={onClose} submitLabel={t("chat.forward")}>
      <Field label={t("contacts.search")} error={errors.contact_id}>
        {(p) => <input {...p} autoFocus type="search" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="forward-search" />}
      </Field>
      <div className="forward-contacts" role="listbox" aria-label={t("chat.forwardTo")}>
        {(found.data?.items ?? []).map((contact) => (
          <button
            key={contact.id}
            type="button"
            role="option"
            aria-selected={contact.id === contactId}
            className={contact.id === contactId ? "forward-contact selected" : "forward-contact"}
            onClick={() => setContactId(contact.id)}
            data-testid="forward-contact"
          >
            <strong>{contact.name}</strong> <span>{contact.phone}</span>
          </button>
        ))}
      </div>
      {connections.length > 1 && (
        <ConnectionSelect connections={connections} value={connectionId} onChange={setConnectionId} error={errors.connection_id} emptyLabel={t("chat.sameConnection")} />
      )}
    </FormDialog>
  );
}
