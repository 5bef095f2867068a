// Browser notifications and a short sound, only while the tab is hidden (a visible inbox speaks for itself).
import type { AppNotification, Ticket } from "../api/types";
import type { I18n } from "../i18n/I18nProvider";

let audio: AudioContext | null = null;

export function beep(): void {
  try {
    audio ??= new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.3);
  } catch {
    // no audio device (or autoplay blocked): the notification still shows
  }
}

function alertPerson(title: string, ticketId: number): void {
  if (!document.hidden) return;
  beep();
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const notification = new Notification(title, { tag: `ticket-${ticketId}`, icon: "/favicon.svg" });
  notification.onclick = () => {
    window.focus();
    window.location.assign(`/tickets/${ticketId}`);
  };
}

export function notifyTicket(ticket: Ticket, t: I18n["t"]): void {
  alertPerson(t("chat.newTicket", { name: ticket.contact.name }), ticket.id);
}

export function notifyMessage(ticket: Ticket, t: I18n["t"]): void {
  alertPerson(t("chat.newMessage", { name: ticket.contact.name }), ticket.id);
}

/** A mention or a ticket transferred to me. */
export function notifyAttention(item: AppNotification, t: I18n["t"]): void {
  const actor = item.actor_name ?? "";
  const title = item.kind === "mentioned" ? t("notifications.mentioned", { actor }) : t("notifications.transferred", { actor });
  alertPerson(title, item.ticket_id);
}

export function askNotificationPermission(): void {
  if (typeof Notification !== "undefined" && Notification.permission === "default") {
    void Notification.requestPermission();
  }
}
