// Beside the chat: who the customer is (picture, number, WhatsApp name), the team's notes and custom fields about
// them, their tags, and their earlier tickets (each opens with its messages); "Nova conversa" from here too.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { contacts, tickets } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Contact } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { TagPicker } from "../tags/TagPicker";
import { tabOf } from "../tickets/tabs";
import { Avatar } from "../ui/Avatar";
import { Field } from "../ui/Field";
import { Icon } from "../ui/Icon";
import { Spinner } from "../ui/Spinner";
import { useApiForm } from "../ui/useApiForm";
import { CustomFieldInputs } from "./CustomFieldInputs";
import { StartConversation } from "./StartConversation";

export function ContactPanel({ contactId, ticketId, onClose }: { contactId: number; ticketId: number; onClose: () => void }) {
  const { t } = useI18n();
  const contact = useQuery({ queryKey: [...keys.contacts, "one", contactId], queryFn: () => contacts.get(contactId) });
  return (
    <aside className="contact-panel" aria-label={t("contactPanel.title")} data-testid="contact-panel">
      <header className="contact-panel-header">
        <strong>{t("contactPanel.title")}</strong>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t("common.close")} data-testid="contact-panel-close">
          <Icon name="close" />
        </button>
      </header>
      {contact.data ? <ContactDetails contact={contact.data} ticketId={ticketId} /> : <Spinner label={t("common.loading")} />}
    </aside>
  );
}

function ContactDetails({ contact, ticketId }: { contact: Contact; ticketId: number }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [starting, setStarting] = useState(false);
  const [copied, setCopied] = useState(false);
  const copy = () => void navigator.clipboard?.writeText(`+${contact.phone}`).then(() => setCopied(true));
  return (
    <div className="contact-panel-body">
      <div className="contact-identity">
        <Avatar name={contact.name} url={contact.profile_picture_url} size={72} />
        <strong data-testid="panel-name">{contact.name}</strong>
        {contact.push_name && (
          <small>
            {t("contactPanel.whatsappName")}: {contact.push_name}
          </small>
        )}
        <span className="contact-phone">
          <span data-testid="panel-phone">{contact.is_group ? t("chat.group") : `+${contact.phone}`}</span>
          {!contact.is_group && (
            <button type="button" className="link-button" onClick={copy} data-testid="copy-phone">
              {copied ? t("contactPanel.copied") : t("chat.copy")}
            </button>
          )}
        </span>
        <button type="button" className="button" onClick={() => setStarting(true)} data-testid="panel-new-conversation">
          {t("contactPanel.newConversation")}
        </button>
      </div>
      <section>
        <h3>{t("tags.title")}</h3>
        <TagPicker
          tagIds={contact.tag_ids}
          onChange={(tagId, on) => contacts.tag(contact.id, tagId, on).then(() => client.invalidateQueries({ queryKey: keys.contacts }))}
          testId="contact-tags"
        />
      </section>
      <ContactFacts key={contact.id} contact={contact} />
      <EarlierTickets contactId={contact.id} currentId={ticketId} />
      {starting && <StartConversation contact={contact} onClose={() => setStarting(false)} />}
    </div>
  );
}

function ContactFacts({ contact }: { contact: Contact }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [values, setValues] = useState<Record<string, string>>(contact.custom_fields);
  const [notes, setNotes] = useState(contact.notes);
  const [saved, setSaved] = useState(false);
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      setSaved(false);
      await contacts.update(contact.id, { custom_fields: values, notes });
      await client.invalidateQueries({ queryKey: keys.contacts });
      setSaved(true);
    });
  return (
    <form
      className="form contact-facts"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <h3>{t("contacts.customFields")}</h3>
      <CustomFieldInputs values={values} onChange={setValues} errors={errors} />
      <Field label={t("contactPanel.notes")} error={errors.notes}>
        {(p) => <textarea {...p} rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="contact-notes" />}
      </Field>
      {formError && (
        <p className="form-error" role="alert" data-testid="panel-error">
          {formError}
        </p>
      )}
      <button type="submit" className="button primary" disabled={busy} data-testid="panel-save">
        {saved ? t("contactPanel.saved") : t("common.save")}
      </button>
    </form>
  );
}

function EarlierTickets({ contactId, currentId }: { contactId: number; currentId: number }) {
  const { t, formatDate } = useI18n();
  const me = useMe();
  const earlier = useQuery({
    queryKey: ["contact-tickets", contactId],
    queryFn: () => tickets.list({ contact_id: contactId }, null, 20),
  });
  const items = (earlier.data?.items ?? []).filter((ticket) => ticket.id !== currentId);
  return (
    <section>
      <h3>{t("contactPanel.earlierTickets")}</h3>
      {items.length === 0 && <p className="muted">{t("contactPanel.noEarlierTickets")}</p>}
      <ul className="earlier-tickets">
        {items.map((ticket) => (
          <li key={ticket.id}>
            <Link to={`/tickets/${ticket.id}?tab=${tabOf(ticket.status, ticket.assignee_id, me.id)}`} data-testid="earlier-ticket">
              <strong>{ticket.protocol}</strong> · {t(`tickets.status.${ticket.status}`)} · {formatDate(ticket.last_activity_at)}
              <span className="muted">{ticket.last_message}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
