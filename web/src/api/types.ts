// Short names for the types generated from the server's OpenAPI document (schema.gen.ts: `make types`). Nothing
// here describes a shape by hand: a field renamed on the server fails the typecheck wherever the UI uses it.
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type Role = Schemas["Role"];
export type User = Schemas["UserRead"];
export type DirectoryUser = Schemas["DirectoryEntry"];
export type LoginResponse = Schemas["TokenPair"];
export type Meta = Schemas["Meta"];
export type Queue = Schemas["QueueRead"];
export type Tag = Schemas["TagRead"];
export type QueueOption = Schemas["QueueOption"];
export type TicketStatus = Schemas["TicketStatus"];
export type ContactSummary = Schemas["TicketContact"];
export type Contact = Schemas["ContactRead"];
export type Ticket = Schemas["TicketRead"];
export type MessageType = Schemas["MessageType"];
export type MessageStatus = Schemas["MessageStatus"];
export type Message = Schemas["MessageRead"];
export type TicketEvent = Schemas["TicketEventRead"];
export type ForwardResult = Schemas["ForwardResult"];
export type ContactField = Schemas["ContactFieldRead"];
/** An in-app notification (not the browser's `Notification`). */
export type AppNotification = Schemas["NotificationRead"];
/** A received file: stored with its message first, downloaded after. */
export type MediaState = Schemas["MediaState"];
export type ConnectionStatus = Schemas["EngineState"];
export type Provider = Schemas["Provider"];
export type Connection = Schemas["ConnectionOut"];
export type QrCode = Schemas["QrOut"];
export type PairingCode = Schemas["PairingCodeOut"];
export type QuickAnswer = Schemas["QuickAnswerRead"];
export type JsonValue = Schemas["JsonValue"];
export type Setting = Schemas["SettingRead"];
/** An inbound event ingest could not take (a bug, an unexpected payload), kept until retried or discarded. */
/** A connection's queue menu, business hours, automatic messages, timers and survey. */
export type Automation = Schemas["ConnectionAutomation-Input"];
export type Interval = Schemas["Interval"];
export type WeeklyHours = Schemas["WeeklyHours"];
/** A holiday or special day: its own intervals (none: closed) instead of the weekday's. */
export type DateException = Schemas["DateException"];
/** A queue's own week and out-of-hours message, instead of its connection's. */
export type QueueHours = Schemas["QueueHours-Input"];
export type MenuPreviewRequest = Schemas["MenuPreviewRequest"];
export type Preview = Schemas["Preview"];
/** One line of a ticket's history (accepted, queue chosen, closed for silence, rated…). */
/** A message to send later ("Agendamentos"), and what became of it. */
export type ScheduledMessage = Schemas["ScheduledRead"];
export type ScheduleStatus = Schemas["ScheduleStatus"];
export type ScheduledInput = Schemas["ScheduledCreate"];
export type ScheduledChange = Schemas["ScheduledUpdate"];
export type DeadLetter = Schemas["DeadLetterOut"];
export type DeadLetterRetry = Schemas["RetryOut"];

export type ConnectionProfile = Schemas["ConnectionProfile"];
export type CloudAccount = Schemas["CloudAccountOut"];
export type MessageTemplate = Schemas["TemplateOut"];
export type TemplateVariable = Schemas["TemplateVariable"];
export type ServiceWindow = Schemas["ServiceWindowRead"];
export type TokenScope = Schemas["Scope"];
export type ApiToken = Schemas["ApiTokenRead"];
export type CreatedApiToken = Schemas["ApiTokenCreated"];
export type WebhookEndpoint = Schemas["EndpointRead"];
export type WebhookDelivery = Schemas["DeliveryRead"];
export type WebhookAttempt = Schemas["AttemptRead"];
export type WebhookEventType = Schemas["EndpointCreate"]["events"][number];

// What the UI sends.
// A change is an action on the ticket, or a transfer to a user and/or a queue.
export type TicketChange = Schemas["TicketStep"] | Schemas["TicketTransfer"];
export type TicketAction = Schemas["TicketStep"]["action"];
export type ForwardInput = Schemas["ForwardRequest"];
export type ContactFieldInput = Schemas["ContactFieldCreate"];
export type ContactFieldChange = Schemas["ContactFieldUpdate"];
export type Assignee = Schemas["AssigneeFilter"];
export type ConnectionInput = Schemas["ConnectionCreate"];
export type ConnectionChange = Schemas["ConnectionUpdate"];
export type ContactInput = Schemas["ContactCreate"];
export type ContactChange = Schemas["ContactUpdate"];
export type UserInput = Schemas["UserCreate"];
export type UserChange = Schemas["UserUpdate"];
export type ProfileChange = Schemas["OwnPreferences"];
export type PasswordChange = Schemas["PasswordChange"];
export type NotificationPreferences = Schemas["NotificationPreferences"];
export type UserPresence = Schemas["UserPresence"];
export type PresenceState = Schemas["Presence"];
export type QueueInput = Schemas["QueueCreate"];
export type TagInput = Schemas["TagCreate"];
export type QuickAnswerInput = Schemas["QuickAnswerCreate"];
export type CloudCredentialsInput = Schemas["CloudCredentialsIn"];
export type TemplateMessageInput = Schemas["TemplateMessageCreate"];
export type ApiTokenInput = Schemas["ApiTokenCreate"];
export type WebhookEndpointInput = Schemas["EndpointCreate"];
export type WebhookEndpointChange = Schemas["EndpointUpdate"];

/** One page of a list: `items`, and the cursor of the next page (null on the last). */
export type Page<T> = Omit<Schemas["Page_TicketRead_"], "items"> & { items: T[] };

// Real time: every event arrives as the Socket.IO event "event" (and from GET /api/events) as one of these.
export type CatchUp = Schemas["CatchUpRead"];
export type ServerEvent = CatchUp["events"][number];
export type ServerEventName = ServerEvent["name"];
export type EventOf<N extends ServerEventName> = Extract<ServerEvent, { name: N }>;
export type PayloadOf<N extends ServerEventName> = EventOf<N>["payload"];

/** The dashboard's reports (`/api/reports/*`): a period of days in a time zone, and its figures. */
export type ReportSummary = Schemas["Summary"];
export type ReportSpread = Schemas["Spread"];
export type ReportCsat = Schemas["Csat"];
export type AgentReportRow = Schemas["AgentRow"];
export type QueueReportRow = Schemas["QueueRow"];
export type ConnectionReportRow = Schemas["ConnectionRow"];
export type ReportHeatmap = Schemas["Heatmap"];
export type ReportNow = Schemas["Now"];
export type AgentNow = Schemas["AgentNow"];
export type TicketMetricsRow = Schemas["TicketMetricsRow"];
