// The signed-in frame: navigation (a sidebar, folded behind a menu button on a phone), the real-time banner, the page.
import { useEffect, useRef, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import type { User } from "../api/types";
import { useAuth, useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { useRealtimePosition, useRealtimeStatus } from "../realtime/RealtimeProvider";
import { Avatar } from "../ui/Avatar";
import { Icon, type IconName } from "../ui/Icon";
import { NotificationBell } from "../notifications/NotificationBell";
import { useUnreadCount } from "../notifications/useNotifications";
import { LanguageSwitch } from "./LanguageSwitch";

interface NavItem {
  to: string;
  label: MessageKey;
  icon: IconName;
  adminOnly?: boolean;
}

const NAV: NavItem[] = [
  { to: "/tickets", label: "nav.tickets", icon: "chat" },
  { to: "/dashboard", label: "nav.dashboard", icon: "clock" },
  { to: "/connections", label: "nav.connections", icon: "phone" },
  { to: "/contacts", label: "nav.contacts", icon: "people" },
  { to: "/quick-answers", label: "nav.quickAnswers", icon: "bolt" },
  { to: "/scheduled", label: "nav.scheduled", icon: "clock" },
  { to: "/profile", label: "nav.profile", icon: "user" },
  { to: "/queues", label: "nav.queues", icon: "folder", adminOnly: true },
  { to: "/tags", label: "nav.tags", icon: "tag", adminOnly: true },
  { to: "/contact-fields", label: "nav.contactFields", icon: "user", adminOnly: true },
  { to: "/users", label: "nav.users", icon: "user", adminOnly: true },
  { to: "/integrations", label: "nav.integrations", icon: "bolt", adminOnly: true },
  { to: "/settings", label: "nav.settings", icon: "gear", adminOnly: true },
  { to: "/dead-letters", label: "nav.deadLetters", icon: "alert", adminOnly: true },
];

function RealtimeBanner() {
  const { t } = useI18n();
  const status = useRealtimeStatus();
  if (status !== "lost") return null;
  return (
    <div className="banner banner-warning" role="alert" data-testid="realtime-banner">
      {t("realtime.lost")}
    </div>
  );
}

/** The language the user chose in their profile wins over this browser's, once signed in. */
function useProfileLanguage(language: User["language"]): void {
  const { setLanguage } = useI18n();
  useEffect(() => {
    if (language) setLanguage(language);
  }, [language, setLanguage]);
}

/** Whether the phone menu is open: it belongs to the address it was opened at, so going anywhere folds it (and so
 * does a tap on the entry of the page already shown). Opening it puts the focus on its close button; closing it gives
 * the focus back to the menu button. */
function usePhoneMenu() {
  const location = useLocation();
  const here = location.pathname + location.search;
  const [openAt, setOpenAt] = useState<string | null>(null);
  const open = openAt === here;
  const button = useRef<HTMLButtonElement>(null);
  const closer = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    closer.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpenAt(null);
      button.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  const close = () => {
    setOpenAt(null);
    button.current?.focus();
  };
  return { open, button, closer, toggle: () => (open ? close() : setOpenAt(here)), close };
}

export function AppLayout() {
  const { t } = useI18n();
  const me = useMe();
  useProfileLanguage(me.language);
  const { logout } = useAuth();
  const items = NAV.filter((item) => !item.adminOnly || me.role === "admin");
  const realtime = useRealtimeStatus();
  const position = useRealtimePosition();
  const menu = usePhoneMenu();
  const unread = useUnreadCount();
  const { pathname } = useLocation();
  const current = items.find((item) => pathname === item.to || pathname.startsWith(`${item.to}/`));
  return (
    <div className="app-shell" data-testid="app-shell" data-realtime={realtime} data-position={position ?? ""}>
      <header className="topbar">
        <button
          ref={menu.button}
          type="button"
          className="icon-button"
          aria-expanded={menu.open}
          aria-controls="app-menu"
          aria-label={t("nav.openMenu")}
          onClick={menu.toggle}
          data-testid="menu-button"
        >
          <Icon name="menu" />
          {unread > 0 && (
            <span className="badge menu-badge" aria-label={t("notifications.unread", { count: unread })} data-testid="menu-unread">
              {unread}
            </span>
          )}
        </button>
        <strong className="topbar-title">{current ? t(current.label) : t("app.name")}</strong>
      </header>
      {menu.open && <div className="menu-backdrop" onClick={menu.close} aria-hidden="true" data-testid="menu-backdrop" />}
      <nav id="app-menu" className={menu.open ? "sidebar open" : "sidebar"} aria-label={t("nav.menu")} data-testid="nav-menu">
        <div className="sidebar-brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>{t("app.name")}</span>
          <button ref={menu.closer} type="button" className="icon-button menu-close" onClick={menu.close} aria-label={t("nav.closeMenu")} data-testid="menu-close">
            <Icon name="close" />
          </button>
        </div>
        <ul>
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} onClick={menu.close} data-testid={`nav-${item.to.slice(1)}`}>
                <Icon name={item.icon} />
                <span className="nav-label">{t(item.label)}</span>
              </NavLink>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <NavLink to="/profile" className="sidebar-user" onClick={menu.close} title={`${t("nav.profile")} · ${me.email}`} data-testid="profile-link">
            <Avatar name={me.name} size={28} />
            <span className="nav-label" data-testid="current-user">
              {me.name}
            </span>
          </NavLink>
          <NotificationBell />
          <LanguageSwitch />
          <button type="button" className="button ghost" onClick={() => void logout()} data-testid="logout">
            <Icon name="logout" /> <span className="nav-label">{t("nav.logout")}</span>
          </button>
        </div>
      </nav>
      <div className="main">
        <RealtimeBanner />
        <Outlet />
      </div>
    </div>
  );
}
