// Alerting the agent: in a hidden tab a sound and a browser notification, in a visible one a quiet sound only
// (the inbox on screen speaks for itself), each as the user chose in their profile.
import type { AppNotification, NotificationPreferences, Ticket } from "../api/types";
import type { I18n } from "../i18n/I18nProvider";

let audio: AudioContext | null = null;

const LOUD = 0.15;
const QUIET = 0.04;

export function beep(volume = LOUD): void {
  try {
    audio ??= new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(volume, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.3);
  } catch {
    // no audio device (or autoplay blocked): the notification still shows
  }
}

/** How loud and where, for a tab that is `hidden` or not; null when nothing is due. */
export function alertPlan(prefs: NotificationPreferences, hidden: boolean): { volume: number | null; browser: boolean } {
  // A choice left out is the server's default: on.
  return { volume: prefs.sound !== false ? (hidden ? LOUD : QUIET) : null, browser: hidden && prefs.desktop !== false };
}

function alertPerson(title: string, ticketId: number, prefs: NotificationPreferences): void {
  const plan = alertPlan(prefs, document.hidden);
  if (plan.volume !== null) beep(plan.volume);
  if (!plan.browser || typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const notification = new Notification(title, { tag: `ticket-${ticketId}`, icon: "/favicon.svg" });
  notification.onclick = () => {
    window.focus();
    window.location.assign(`/tickets/${ticketId}`);
  };
}

/** A new ticket waits in a queue: only worth a sound when nobody is looking. */
export function notifyTicket(ticket: Ticket, t: I18n["t"], prefs: NotificationPreferences): void {
  if (document.hidden) alertPerson(t("chat.newTicket", { name: ticket.contact.name }), ticket.id, prefs);
}

/** The customer wrote on a ticket of mine (not the one I am reading). */
export function notifyMessage(ticket: Ticket, t: I18n["t"], prefs: NotificationPreferences): void {
  const reading = !document.hidden && window.location.pathname === `/tickets/${ticket.id}`;
  if (prefs.messages !== false && !reading) alertPerson(t("chat.newMessage", { name: ticket.contact.name }), ticket.id, prefs);
}

/** A mention or a ticket transferred to me. */
export function notifyAttention(item: AppNotification, t: I18n["t"], prefs: NotificationPreferences): void {
  const actor = item.actor_name ?? "";
  const mentioned = item.kind === "mentioned";
  if ((mentioned ? prefs.mentions : prefs.transfers) === false) return;
  const title = mentioned ? t("notifications.mentioned", { actor }) : t("notifications.transferred", { actor });
  alertPerson(title, item.ticket_id, prefs);
}

export function askNotificationPermission(): void {
  if (typeof Notification !== "undefined" && Notification.permission === "default") {
    void Notification.requestPermission();
  }
}
