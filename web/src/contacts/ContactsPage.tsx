import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { contacts } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Contact } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { Avatar } from "../ui/Avatar";
import { CrudPage } from "../ui/CrudPage";
import { ContactForm } from "./ContactForm";
import { useContactFields } from "./CustomFieldInputs";
import { StartConversation } from "./StartConversation";

export default function ContactsPage() {
  const { t } = useI18n();
  const labels = new Map((useContactFields().data ?? []).map((field) => [field.key, field.label]));
  const client = useQueryClient();
  const admin = useMe().role === "admin"; // deleting a contact is for admins
  const [search, setSearch] = useState("");
  const term = useDeferredValue(search.trim());
  const [starting, setStarting] = useState<Contact | null>(null);
  const list = useInfiniteQuery({
    queryKey: [...keys.contacts, term],
    queryFn: ({ pageParam }) => contacts.list(term, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = list.data?.pages.flatMap((page) => page.items);
  return (
    <>
      <CrudPage<Contact>
        title="contacts.title"
        newLabel="contacts.new"
        testId="contacts-page"
        items={items}
        error={list.error}
        nameOf={(contact) => contact.name}
        toolbar={
          <input
            type="search"
            className="page-search"
            placeholder={t("contacts.search")}
            aria-label={t("contacts.search")}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="contact-search"
          />
        }
        columns={[
          {
            header: "common.name",
            cell: (contact) => (
              <span className="cell-with-avatar">
                <Avatar name={contact.name} url={contact.profile_picture_url} size={28} /> {contact.name}
              </span>
            ),
          },
          { header: "contacts.phone", cell: (contact) => `+${contact.phone}` },
          {
            header: "contacts.customFields",
            cell: (contact) =>
              Object.entries(contact.custom_fields)
                .map(([key, value]) => `${labels.get(key) ?? key}: ${value}`)
                .join(" · ") || "—",
          },
        ]}
        rowActions={(contact) => (
          <button type="button" className="button ghost" onClick={() => setStarting(contact)} data-testid="start-conversation">
            {t("contacts.startConversation")}
          </button>
        )}
        renderForm={(contact, close) => <ContactForm contact={contact} onClose={close} />}
        {...(admin
          ? { remove: (contact: Contact) => contacts.remove(contact.id).then(() => client.invalidateQueries({ queryKey: keys.contacts })) }
          : {})}
        footer={
          list.hasNextPage && (
            <button type="button" className="button block" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {t("common.loadMore")}
            </button>
          )
        }
      />
      {starting && <StartConversation contact={starting} onClose={() => setStarting(null)} />}
    </>
  );
}
