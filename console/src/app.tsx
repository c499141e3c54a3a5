/**
 * The console's frame: sign-in gate, top bar, side navigation, notifications, and the page for the
 * current `#/…` address. Each page is its own chunk (React.lazy), so the first load carries only the
 * frame and the sign-in form; a page's AWS SDK client arrives with the page.
 */
import { lazy, Suspense, useState, type ReactNode } from 'react';
import AppLayout from '@cloudscape-design/components/app-layout';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import Flashbar from '@cloudscape-design/components/flashbar';
import Spinner from '@cloudscape-design/components/spinner';
import BreadcrumbGroup, { type BreadcrumbGroupProps } from '@cloudscape-design/components/breadcrumb-group';
import { clearSession, loadSession, saveSession, type Session } from './session';
import { useSessionForClients } from './aws';
import { useRoute, href, type Route } from './router';
import { FlashProvider, useFlash } from './components/common';
import { SignIn } from './pages/sign-in';

const Clusters = lazy(() => import('./pages/clusters'));
const Cluster = lazy(() => import('./pages/cluster'));
const Service = lazy(() => import('./pages/service'));
const CreateService = lazy(() => import('./pages/create-service'));
const Task = lazy(() => import('./pages/task'));
const TaskDefinitions = lazy(() => import('./pages/task-definitions'));
const TaskDefinitionFamily = lazy(() => import('./pages/task-definition-family'));
const NewRevision = lazy(() => import('./pages/new-revision'));
const Repositories = lazy(() => import('./pages/repositories'));
const Repository = lazy(() => import('./pages/repository'));
const LoadBalancers = lazy(() => import('./pages/load-balancers'));
const LoadBalancer = lazy(() => import('./pages/load-balancer'));
const TargetGroups = lazy(() => import('./pages/target-groups'));
const LogGroups = lazy(() => import('./pages/log-groups'));
const LogGroup = lazy(() => import('./pages/log-group'));
const Metrics = lazy(() => import('./pages/metrics'));
const Alarms = lazy(() => import('./pages/alarms'));

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  useSessionForClients(session);
  if (!session) {
    return <SignIn onSignedIn={(s) => { saveSession(s); setSession(s); }} />;
  }
  return (
    <FlashProvider>
      <Frame session={session} onSignOut={() => { clearSession(); setSession(undefined); }} />
    </FlashProvider>
  );
}

function Frame({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const { items } = useFlash();
  const [navOpen, setNavOpen] = useState(true);
  const { crumbs, page } = resolve(route);
  const active = `#/${route.path[0] ?? 'clusters'}`;
  return (
    <>
      <div id="top-nav" style={{ position: 'sticky', top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{ href: '#/clusters', title: 'Wharf' }}
          utilities={[
            { type: 'button', text: session.region, ariaLabel: `Region ${session.region}`, disableUtilityCollapse: true },
            {
              type: 'menu-dropdown', text: session.accessKeyId, description: 'Access key (kept in this tab only)', iconName: 'user-profile',
              items: [{ id: 'signout', text: 'Sign out' }],
              onItemClick: (e) => { if (e.detail.id === 'signout') onSignOut(); },
            },
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        navigationOpen={navOpen}
        onNavigationChange={(e) => setNavOpen(e.detail.open)}
        toolsHide
        ariaLabels={{ navigation: 'Side navigation', navigationClose: 'Close side navigation', navigationToggle: 'Open side navigation', notifications: 'Notifications' }}
        notifications={<Flashbar items={items} />}
        breadcrumbs={<BreadcrumbGroup items={crumbs} ariaLabel="Breadcrumbs" />}
        navigation={
          <SideNavigation
            header={{ href: '#/clusters', text: 'Wharf' }}
            activeHref={active}
            items={[
              { type: 'section', text: 'Elastic Container Service', items: [
                { type: 'link', text: 'Clusters', href: '#/clusters' },
                { type: 'link', text: 'Task definitions', href: '#/task-definitions' },
              ] },
              { type: 'section', text: 'Elastic Container Registry', items: [
                { type: 'link', text: 'Repositories', href: '#/repositories' },
              ] },
              { type: 'section', text: 'Load balancing', items: [
                { type: 'link', text: 'Load balancers', href: '#/load-balancers' },
                { type: 'link', text: 'Target groups', href: '#/target-groups' },
              ] },
              { type: 'section', text: 'CloudWatch', items: [
                { type: 'link', text: 'Log groups', href: '#/logs' },
                { type: 'link', text: 'Metrics', href: '#/metrics' },
                { type: 'link', text: 'Alarms', href: '#/alarms' },
              ] },
            ]}
          />
        }
        content={<Suspense fallback={<Spinner size="large" />}>{page}</Suspense>}
      />
    </>
  );
}

function resolve(route: Route): { crumbs: BreadcrumbGroupProps.Item[]; page: ReactNode } {
  const p = route.path;
  const c = (text: string, h: string) => ({ text, href: h });
  const home = c('Wharf', '#/clusters');
  switch (p[0]) {
    case undefined:
    case 'clusters': {
      const cluster = p[1];
      if (!cluster) return { crumbs: [home, c('Clusters', '#/clusters')], page: <Clusters /> };
      const base = [home, c('Clusters', '#/clusters'), c(cluster, href('clusters', cluster))];
      if (p[2] === 'create-service') return { crumbs: [...base, c('Create service', '#')], page: <CreateService cluster={cluster} /> };
      if (p[2] === 'services' && p[3]) return { crumbs: [...base, c(p[3], href('clusters', cluster, 'services', p[3]))], page: <Service key={`${cluster}/${p[3]}`} cluster={cluster} service={p[3]} /> };
      if (p[2] === 'tasks' && p[3]) return { crumbs: [...base, c(p[3], href('clusters', cluster, 'tasks', p[3]))], page: <Task key={`${cluster}/${p[3]}`} cluster={cluster} taskId={p[3]} /> };
      return { crumbs: base, page: <Cluster key={cluster} cluster={cluster} tab={route.query.get('tab') ?? 'services'} /> };
    }
    case 'task-definitions': {
      const base = [home, c('Task definitions', '#/task-definitions')];
      if (p[1] === 'new') return { crumbs: [...base, c('Create new revision', '#')], page: <NewRevision from={route.query.get('from') ?? ''} /> };
      if (p[1]) return { crumbs: [...base, c(p[1], href('task-definitions', p[1]))], page: <TaskDefinitionFamily key={p[1]} family={p[1]} revision={p[2]} /> };
      return { crumbs: base, page: <TaskDefinitions /> };
    }
    case 'repositories': {
      const base = [home, c('Repositories', '#/repositories')];
      const name = p.slice(1).join('/');
      if (name) return { crumbs: [...base, c(name, '#')], page: <Repository key={name} name={name} /> };
      return { crumbs: base, page: <Repositories /> };
    }
    case 'load-balancers': {
      const base = [home, c('Load balancers', '#/load-balancers')];
      if (p[1]) return { crumbs: [...base, c(p[1], '#')], page: <LoadBalancer key={p[1]} name={p[1]} /> };
      return { crumbs: base, page: <LoadBalancers /> };
    }
    case 'target-groups':
      return { crumbs: [home, c('Target groups', '#/target-groups')], page: <TargetGroups /> };
    case 'logs': {
      const base = [home, c('Log groups', '#/logs')];
      if (p[1]) return { crumbs: [...base, c(p[1], '#')], page: <LogGroup key={p[1]} group={p[1]} stream={route.query.get('stream') ?? undefined} /> };
      return { crumbs: base, page: <LogGroups /> };
    }
    case 'metrics':
      return { crumbs: [home, c('Metrics', '#/metrics')], page: <Metrics initial={route.query} /> };
    case 'alarms':
      return { crumbs: [home, c('Alarms', '#/alarms')], page: <Alarms /> };
    default:
      return { crumbs: [home], page: <Clusters /> };
  }
}
