import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { ApiError } from "./api/client";
import { useAttention } from "./attention/useAttention";
import { AuthProvider, useAuth, useMe } from "./auth/AuthProvider";
import { LoginPage } from "./auth/LoginPage";
import { ConnectionsPage } from "./connections/ConnectionsPage";
import { I18nProvider, useI18n } from "./i18n/I18nProvider";
import { AppLayout } from "./layout/AppLayout";
import { RealtimeProvider } from "./realtime/RealtimeProvider";
import { TicketsPage } from "./tickets/TicketsPage";
import { Spinner } from "./ui/Spinner";

const ContactsPage = lazy(() => import("./contacts/ContactsPage"));
const QuickAnswersPage = lazy(() => import("./quick-answers/QuickAnswersPage"));
const QueuesPage = lazy(() => import("./queues/QueuesPage"));
const TagsPage = lazy(() => import("./tags/TagsPage"));
const ContactFieldsPage = lazy(() => import("./contacts/ContactFieldsPage"));
const UsersPage = lazy(() => import("./users/UsersPage"));
const ProfilePage = lazy(() => import("./users/ProfilePage"));
const SettingsPage = lazy(() => import("./settings/SettingsPage"));
const IntegrationsPage = lazy(() => import("./integrations/IntegrationsPage"));
const ScheduledPage = lazy(() => import("./scheduled/ScheduledPage"));
const DeadLettersPage = lazy(() => import("./dead-letters/DeadLettersPage"));
const DashboardPage = lazy(() => import("./dashboard/DashboardPage"));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A 4xx will not get better by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

function NotFound() {
  const { t } = useI18n();
  return <p className="page-empty">{t("notFound.title")}</p>;
}

function SignedInApp() {
  const me = useMe();
  useAttention();
  const admin = me.role === "admin";
  return (
    <Suspense fallback={<Spinner />}>
      <Routes>
        <Route element={<AppLayout />}>
          <Route index element={<Navigate to="/tickets" replace />} />
          <Route path="tickets" element={<TicketsPage />} />
          <Route path="tickets/:ticketId" element={<TicketsPage />} />
          <Route path="dashboard" element={<DashboardPage />} />
          <Route path="connections" element={<ConnectionsPage />} />
          <Route path="contacts" element={<ContactsPage />} />
          <Route path="quick-answers" element={<QuickAnswersPage />} />
          <Route path="scheduled" element={<ScheduledPage />} />
          <Route path="profile" element={<ProfilePage />} />
          {admin && <Route path="queues" element={<QueuesPage />} />}
          {admin && <Route path="tags" element={<TagsPage />} />}
          {admin && <Route path="contact-fields" element={<ContactFieldsPage />} />}
          {admin && <Route path="users" element={<UsersPage />} />}
          {admin && <Route path="settings" element={<SettingsPage />} />}
          {admin && <Route path="integrations" element={<IntegrationsPage />} />}
          {admin && <Route path="dead-letters" element={<DeadLettersPage />} />}
          <Route path="login" element={<Navigate to="/tickets" replace />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

function Gate() {
  const { state } = useAuth();
  if (state.status === "loading") return <Spinner />;
  if (state.status === "signed-out") return <LoginPage expired={state.expired} />;
  return (
    <RealtimeProvider>
      <SignedInApp />
    </RealtimeProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>
            <Gate />
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </I18nProvider>
  );
}
