// The signed-in frame: navigation, the real-time banner, and the page.
import { NavLink, Outlet } from "react-router";
import { useAuth, useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { useRealtimePosition, useRealtimeStatus } from "../realtime/RealtimeProvider";
import { Avatar } from "../ui/Avatar";
import { Icon, type IconName } from "../ui/Icon";
import { NotificationBell } from "../notifications/NotificationBell";
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

export function AppLayout() {
  const { t } = useI18n();
  const me = useMe();
  const { logout } = useAuth();
  const items = NAV.filter((item) => !item.adminOnly || me.role === "admin");
  const realtime = useRealtimeStatus();
  const position = useRealtimePosition();
  return (
    <div className="app-shell" data-testid="app-shell" data-realtime={realtime} data-position={position ?? ""}>
      <nav className="sidebar" aria-label={t("nav.menu")}>
        <div className="sidebar-brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>{t("app.name")}</span>
        </div>
        <ul>
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} data-testid={`nav-${item.to.slice(1)}`}>
                <Icon name={item.icon} />
                <span className="nav-label">{t(item.label)}</span>
              </NavLink>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <div className="sidebar-user" title={me.email}>
            <Avatar name={me.name} size={28} />
            <span className="nav-label" data-testid="current-user">
              {me.name}
            </span>
          </div>
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
