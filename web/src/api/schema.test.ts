// The hand-written API types (types.ts) checked against the backend's own OpenAPI document, produced here by
// the Python app in this checkout: a field the UI reads or sends that the server does not have fails this test.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type {
  ApiTokenInput,
  CloudCredentialsInput,
  ConnectionInput,
  ContactInput,
  QueueInput,
  QuickAnswerInput,
  TemplateMessageInput,
  TicketChange,
  UserInput,
  WebhookEndpointInput,
} from "./endpoints";
import type {
  ApiToken,
  CloudAccount,
  Connection,
  ContactSummary,
  Contact,
  DirectoryUser,
  LoginResponse,
  Message,
  Meta,
  MessageTemplate,
  QrCode,
  Queue,
  QuickAnswer,
  ServiceWindow,
  Setting,
  Ticket,
  User,
  WebhookDelivery,
  WebhookEndpoint,
} from "./types";

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  type?: string;
};
type Operation = {
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const REPO = resolve(__dirname, "../../..");
const PYTHON = process.env.ZAPDESK_PYTHON ?? resolve(REPO, ".venv/bin/python");
const DUMP = [
  "import json, tempfile",
  "from zapdesk.app import create_api",
  "from zapdesk.config import Settings",
  "from zapdesk.context import AppContext",
  "data = tempfile.mkdtemp()",
  "settings = Settings(_env_file=None, data_dir=data, database_url=f'sqlite+aiosqlite:///{data}/x.db', simulator_enabled=False)",
  "print(json.dumps(create_api(AppContext.from_settings(settings)).openapi()))",
].join("\n");

/** Every key of T, exactly: TypeScript rejects a missing or an unknown one. */
const fields = <T,>(keys: Record<keyof T, true>): string[] => Object.keys(keys);

let spec: OpenApi;

function resolveRef(schema: Schema): Schema {
  if (schema.$ref) return spec.components.schemas[schema.$ref.split("/").pop()!]!;
  const concrete = schema.anyOf?.find((option) => option.type !== "null");
  return concrete ? resolveRef(concrete) : schema;
}

/** The object schema of an operation's answer (a list's item, a page's item) or of its JSON body. */
function objectOf(path: string, method: string, part: "response" | "body"): Schema {
  const operation = spec.paths[path]?.[method];
  expect(operation, `${method.toUpperCase()} ${path} is missing from the API`).toBeDefined();
  const content =
    part === "body"
      ? operation!.requestBody?.content["application/json"]
      : Object.entries(operation!.responses).find(([code]) => code.startsWith("2"))?.[1].content?.["application/json"];
  expect(content, `${method.toUpperCase()} ${path} has no JSON ${part}`).toBeDefined();
  let schema = resolveRef(content!.schema);
  if (schema.type === "array" && schema.items) schema = resolveRef(schema.items);
  if (schema.properties?.items?.items && schema.properties.next_cursor) schema = resolveRef(schema.properties.items.items);
  return schema;
}

function expectFields(schema: Schema, keys: string[], what: string): void {
  const known = Object.keys(schema.properties ?? {});
  expect(known.length, `${what}: the schema has no fields to compare with`).toBeGreaterThan(0);
  expect(keys.filter((key) => !known.includes(key)), `${what}: fields the server does not have`).toEqual([]);
}

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`No Python at ${PYTHON}: run \`make install\` (or set ZAPDESK_PYTHON).`);
  spec = JSON.parse(execFileSync(PYTHON, ["-c", DUMP], { cwd: REPO, encoding: "utf8", maxBuffer: 32 << 20 })) as OpenApi;
}, 60_000);

describe("the API types match the server's OpenAPI schema", () => {
  const responses: [string, string, string, string[]][] = [
    ["User", "/api/auth/me", "get", fields<User>({ id: true, name: true, email: true, role: true, queue_ids: true })],
    ["LoginResponse", "/api/auth/login", "post", fields<LoginResponse>({ access_token: true, refresh_token: true, user: true })],
    ["Meta", "/api/meta", "get", fields<Meta>({ version: true, environment: true, simulator_url: true })],
    ["Queue", "/api/queues/{queue_id}", "get", fields<Queue>({ id: true, name: true, color: true, greeting_message: true })],
    ["DirectoryUser", "/api/users/directory", "get", fields<DirectoryUser>({ id: true, name: true, role: true, queue_ids: true })],
    ["QuickAnswer", "/api/quick-answers/{answer_id}", "get", fields<QuickAnswer>({ id: true, shortcut: true, text: true })],
    [
      "Setting",
      "/api/settings",
      "get",
      fields<Setting>({ key: true, value: true, default: true, description: true, value_schema: true }),
    ],
    [
      "Contact",
      "/api/contacts/{contact_id}",
      "get",
      fields<Contact>({
        id: true,
        name: true,
        phone: true,
        profile_picture_url: true,
        is_group: true,
        push_name: true,
        custom_fields: true,
      }),
    ],
    [
      "Ticket",
      "/api/tickets/{ticket_id}",
      "get",
      fields<Ticket>({
        id: true,
        status: true,
        contact: true,
        connection_id: true,
        queue_id: true,
        assignee_id: true,
        unread_count: true,
        last_message: true,
        last_message_at: true,
        last_activity_at: true,
        updated_at: true,
        closed_at: true,
      }),
    ],
    [
      "Message",
      "/api/tickets/{ticket_id}/messages",
      "get",
      fields<Message>({
        id: true,
        ticket_id: true,
        body: true,
        type: true,
        from_me: true,
        status: true,
        error: true,
        external_id: true,
        client_id: true,
        quoted_message_id: true,
        media_url: true,
        media_name: true,
        media_mime: true,
        extra: true,
        reactions: true,
        is_edited: true,
        is_deleted: true,
        sender_name: true,
        created_at: true,
        updated_at: true,
      }),
    ],
    [
      "Connection",
      "/api/connections/{connection_id}",
      "get",
      fields<Connection>({
        id: true,
        name: true,
        provider: true,
        status: true,
        status_reason: true,
        status_changed_at: true,
        phone: true,
        profile: true,
        is_default: true,
        greeting_message: true,
        farewell_message: true,
        queue_ids: true,
      }),
    ],
    [
      "CloudAccount",
      "/api/connections/{connection_id}/cloud",
      "get",
      fields<CloudAccount>({
        connection_id: true,
        phone_number_id: true,
        business_account_id: true,
        has_access_token: true,
        has_app_secret: true,
        has_verify_token: true,
        webhook_path: true,
      }),
    ],
    [
      "MessageTemplate",
      "/api/connections/{connection_id}/templates",
      "get",
      fields<MessageTemplate>({
        name: true,
        language: true,
        category: true,
        status: true,
        header: true,
        body: true,
        footer: true,
        variables: true,
      }),
    ],
    [
      "ServiceWindow",
      "/api/tickets/{ticket_id}/messages/window",
      "get",
      fields<ServiceWindow>({ applies: true, open: true, closes_at: true }),
    ],
    [
      "ApiToken",
      "/api/tokens",
      "get",
      fields<ApiToken>({
        id: true,
        name: true,
        prefix: true,
        scopes: true,
        created_by_id: true,
        created_at: true,
        expires_at: true,
        last_used_at: true,
        revoked_at: true,
      }),
    ],
    [
      "WebhookEndpoint",
      "/api/webhook-endpoints",
      "get",
      fields<WebhookEndpoint>({ id: true, url: true, description: true, events: true, enabled: true, created_at: true, secret: true }),
    ],
    [
      "WebhookDelivery",
      "/api/webhook-endpoints/{endpoint_id}/deliveries",
      "get",
      fields<WebhookDelivery>({
        id: true,
        message_id: true,
        event: true,
        status: true,
        attempts: true,
        created_at: true,
        next_attempt_at: true,
        delivered_at: true,
      }),
    ],
    ["QrCode", "/api/connections/{connection_id}/qr", "get", fields<QrCode>({ code: true, image: true, expires_at: true })],
  ];

  it.each(responses)("%s (%s)", (name, path, method, keys) => {
    expectFields(objectOf(path, method, "response"), keys, name);
  });

  it("ContactSummary (a ticket's contact)", () => {
    const ticket = objectOf("/api/tickets/{ticket_id}", "get", "response");
    const contact = resolveRef(ticket.properties!.contact!);
    expectFields(contact, fields<ContactSummary>({ id: true, name: true, phone: true, profile_picture_url: true, is_group: true }), "ContactSummary");
  });
});

describe("what the UI sends is what the server accepts", () => {
  const bodies: [string, string, string, string[]][] = [
    ["TicketChange", "/api/tickets/{ticket_id}", "patch", fields<TicketChange>({ action: true, assignee_id: true, queue_id: true })],
    [
      "ConnectionInput",
      "/api/connections",
      "post",
      fields<ConnectionInput>({
        name: true,
        provider: true,
        is_default: true,
        greeting_message: true,
        farewell_message: true,
        queue_ids: true,
      }),
    ],
    ["ContactInput", "/api/contacts", "post", fields<ContactInput>({ name: true, phone: true, custom_fields: true })],
    ["UserInput", "/api/users", "post", fields<UserInput>({ name: true, email: true, role: true, queue_ids: true, password: true })],
    ["QueueInput", "/api/queues", "post", fields<QueueInput>({ name: true, color: true, greeting_message: true })],
    ["QuickAnswerInput", "/api/quick-answers", "post", fields<QuickAnswerInput>({ shortcut: true, text: true })],
    [
      "CloudCredentialsInput",
      "/api/connections/{connection_id}/cloud",
      "put",
      fields<CloudCredentialsInput>({
        phone_number_id: true,
        business_account_id: true,
        access_token: true,
        app_secret: true,
        verify_token: true,
      }),
    ],
    ["ApiTokenInput", "/api/tokens", "post", fields<ApiTokenInput>({ name: true, scopes: true, expires_at: true })],
    [
      "WebhookEndpointInput",
      "/api/webhook-endpoints",
      "post",
      fields<WebhookEndpointInput>({ url: true, events: true, description: true }),
    ],
    [
      "TemplateMessageInput",
      "/api/tickets/{ticket_id}/template-messages",
      "post",
      fields<TemplateMessageInput>({ name: true, language: true, header: true, body: true, client_id: true }),
    ],
  ];

  it.each(bodies)("%s (%s)", (name, path, method, keys) => {
    expectFields(objectOf(path, method, "body"), keys, name);
  });
});
