import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { FlashbarProps } from '@cloudscape-design/components/flashbar';
import { describeError } from '../aws';

/** An API error as the AWS CLI would name it: the error name as the heading, its message below. */
export function ApiErrorAlert({ error, action }: { error: unknown; action?: ReactNode }) {
  if (!error) return null;
  const e = describeError(error);
  return (
    <div role="alert">
      <Alert type="error" header={e.name} action={action}>
        <span data-testid="api-error">{e.message}</span>
      </Alert>
    </div>
  );
}

/** What a table shows when it has nothing: what is missing and what to do next. */
export function Empty({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Box textAlign="center" color="inherit" padding="m">
      <SpaceBetween size="xs">
        <b>{title}</b>
        {children ? <Box variant="p" color="inherit">{children}</Box> : null}
        {action}
      </SpaceBetween>
    </Box>
  );
}

/** Colour and icon for ECS/ELB/CloudWatch status words. */
export function statusType(status: string | undefined): StatusIndicatorProps.Type {
  switch (status) {
    case 'ACTIVE': case 'RUNNING': case 'COMPLETED': case 'HEALTHY': case 'healthy': case 'OK': case 'active': case 'PRIMARY': case 'SUCCEEDED':
      return 'success';
    case 'PENDING': case 'PROVISIONING': case 'ACTIVATING': case 'IN_PROGRESS': case 'initial': case 'provisioning':
      return 'in-progress';
    case 'DEACTIVATING': case 'STOPPING': case 'DEPROVISIONING': case 'DRAINING': case 'draining': case 'INACTIVE': case 'INSUFFICIENT_DATA':
      return 'stopped';
    case 'STOPPED':
      return 'stopped';
    case 'FAILED': case 'UNHEALTHY': case 'unhealthy': case 'ALARM': case 'failed':
      return 'error';
    case 'UNKNOWN': case 'unused': case 'unavailable':
      return 'info';
    default:
      return 'pending';
  }
}

export function Status({ value }: { value: string | undefined }) {
  return <StatusIndicator type={statusType(value)}>{value ?? '-'}</StatusIndicator>;
}

export function fmtDate(d: Date | undefined): string {
  if (!d) return '-';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function fmtBytes(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** "Updated 12:00:01" beside a header, with a refresh button. */
export function Updated({ at, onRefresh, loading }: { at: Date | undefined; onRefresh: () => void; loading?: boolean }) {
  return (
    <SpaceBetween direction="horizontal" size="xs" alignItems="center">
      <Box variant="small" color="text-body-secondary">{at ? `Updated ${at.toLocaleTimeString()}` : 'Loading…'}</Box>
      <Button iconName="refresh" ariaLabel="Refresh" onClick={onRefresh} loading={loading ?? false} />
    </SpaceBetween>
  );
}

// Notifications (the Flashbar at the top of the layout).
type Flash = FlashbarProps.MessageDefinition;
const FlashContext = createContext<{ items: Flash[]; notify(f: Omit<Flash, 'id' | 'dismissible' | 'onDismiss'>): void }>({ items: [], notify: () => {} });

export function FlashProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Flash[]>([]);
  const notify = useCallback((f: Omit<Flash, 'id' | 'dismissible' | 'onDismiss'>) => {
    const id = `${Date.now()}-${Math.random()}`;
    const dismiss = () => setItems((xs) => xs.filter((x) => x.id !== id));
    setItems((xs) => [{ ...f, id, dismissible: true, dismissLabel: 'Dismiss', onDismiss: dismiss }, ...xs].slice(0, 5));
    if (f.type === 'success') setTimeout(dismiss, 8000);
  }, []);
  return <FlashContext.Provider value={{ items, notify }}>{children}</FlashContext.Provider>;
}

export function useFlash() {
  return useContext(FlashContext);
}

/** Runs an API action; on failure shows the AWS error name and message in the Flashbar. */
export function useAction() {
  const { notify } = useFlash();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (what: string, f: () => Promise<unknown>, success?: string): Promise<boolean> => {
    setBusy(true);
    try {
      await f();
      if (success) notify({ type: 'success', content: success });
      return true;
    } catch (error) {
      const e = describeError(error);
      notify({ type: 'error', header: `${what} failed: ${e.name}`, content: e.message });
      return false;
    } finally {
      setBusy(false);
    }
  }, [notify]);
  return { busy, run };
}
