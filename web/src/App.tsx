import { Anchor, AppShell, Burger, Button, Center, Group, Loader, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { canUse, homeOf, type Role, SECTIONS, sectionsFor } from './nav';
import { AppointmentsPage } from './pages/Appointments';
import { AuditPage } from './pages/Audit';
import { CareAssignmentsPage } from './pages/CareAssignments';
import { ChatPage } from './pages/Chat';
import { DeadLettersPage } from './pages/DeadLetters';
import { EmergencyAccessPage } from './pages/EmergencyAccess';
import { MyFilesPage, PatientFilesPage } from './pages/Files';
import { Forbidden } from './pages/Forbidden';
import { HeldFilesPage } from './pages/HeldFiles';
import { MyPatientsPage } from './pages/MyPatients';
import { NotificationsPage } from './pages/Notifications';
import { SchedulePage } from './pages/Schedule';
import { ServiceHealthPage } from './pages/ServiceHealth';
import { SignInPage } from './pages/SignIn';
import { TrashPage } from './pages/Trash';
import { UsersPage } from './pages/Users';
import { useSession } from './session';

const PAGES: Record<string, () => React.JSX.Element> = {
  '/files': MyFilesPage,
  '/patients-files': PatientFilesPage,
  '/audit': AuditPage,
  '/admin/users': UsersPage,
  '/appointments': AppointmentsPage,
  '/chat': ChatPage,
  '/notifications': NotificationsPage,
  '/trash': TrashPage,
  '/schedule': SchedulePage,
  '/my-patients': MyPatientsPage,
  '/emergency-access': EmergencyAccessPage,
  '/admin/held-files': HeldFilesPage,
  '/admin/care': CareAssignmentsPage,
  '/admin/health': ServiceHealthPage,
  '/admin/dead-letters': DeadLettersPage,
};

/** Page titles name the section only: never a patient, a file or anything else from the data. */
function useTitle() {
  const { pathname } = useLocation();
  useEffect(() => {
    const s = SECTIONS.find((x) => x.path === pathname);
    document.title = s ? `${s.label} · MedVault` : 'MedVault';
  }, [pathname]);
}

export function App() {
  const { me, loading, signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  useTitle();
  if (loading) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!me) {
    if (location.pathname !== '/sign-in') {
      return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
    }
    return <SignInPage />;
  }
  const role: Role = me.role;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Anchor component={Link} to={homeOf(role)} underline="never" c="dark">
              <Title order={1} size="h3">
                MedVault
              </Title>
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="sm">
              {me.name} ({role})
            </Text>
            <Button variant="outline" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {sectionsFor(role).map((s) => (
          <NavLink
            key={s.path}
            component={Link}
            to={s.path}
            label={s.label}
            active={location.pathname === s.path}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          <Route path="/" element={<Navigate to={homeOf(role)} replace />} />
          <Route path="/sign-in" element={<Navigate to={homeOf(role)} replace />} />
          {SECTIONS.map((s) => {
            const Page = PAGES[s.path] ?? Forbidden;
            return <Route key={s.path} path={s.path} element={canUse(role, s.path) ? <Page /> : <Forbidden />} />;
          })}
          <Route path="*" element={<Forbidden notFound />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
