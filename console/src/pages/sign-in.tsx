/**
 * Sign-in with an access key. The key is checked by a real signed call (ECS ListClusters) before it is
 * kept; a refused key shows the AWS error (e.g. UnrecognizedClientException) exactly as the API named it.
 */
import { useState } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ApiErrorAlert } from '../components/common';
import { configFor } from '../aws';
import type { Session } from '../session';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [sessionToken, setToken] = useState('');
  const [region, setRegion] = useState('us-east-1');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);

  const submit = async () => {
    setTouched(true);
    if (!accessKeyId.trim() || !secretAccessKey || !region.trim()) return;
    setBusy(true);
    setError(undefined);
    const session: Session = { accessKeyId: accessKeyId.trim(), secretAccessKey, region: region.trim(), ...(sessionToken.trim() ? { sessionToken: sessionToken.trim() } : {}) };
    try {
      const { ECSClient, ListClustersCommand } = await import('@aws-sdk/client-ecs');
      const ecs = new ECSClient({ ...configFor(session), maxAttempts: 1 });
      try { await ecs.send(new ListClustersCommand({ maxResults: 1 })); } finally { ecs.destroy(); }
      onSignedIn(session);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ maxWidth: 560, margin: '64px auto', padding: '0 16px' }}>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Form
          header={<Header variant="h1" description="Sign in with an access key of this Wharf server (`wharf up` prints the admin key).">Wharf console</Header>}
          actions={<Button variant="primary" formAction="submit" loading={busy}>Sign in</Button>}
          errorText={error ? undefined : undefined}
        >
          <SpaceBetween size="l">
            {error ? <ApiErrorAlert error={error} /> : null}
            <Container>
              <SpaceBetween size="m">
                <FormField label="Access key ID" errorText={touched && !accessKeyId.trim() ? 'Enter an access key ID.' : undefined}>
                  <Input value={accessKeyId} onChange={(e) => setAccessKeyId(e.detail.value)} autoComplete={false} name="accessKeyId" placeholder="AKIA…" autoFocus />
                </FormField>
                <FormField label="Secret access key" errorText={touched && !secretAccessKey ? 'Enter the secret access key.' : undefined}>
                  <Input value={secretAccessKey} onChange={(e) => setSecret(e.detail.value)} type="password" autoComplete={false} name="secretAccessKey" />
                </FormField>
                <FormField label={<span>Session token <i>- optional</i></span>} description="Only for temporary credentials.">
                  <Input value={sessionToken} onChange={(e) => setToken(e.detail.value)} type="password" autoComplete={false} name="sessionToken" />
                </FormField>
                <FormField label="Region" errorText={touched && !region.trim() ? 'Enter a region.' : undefined}>
                  <Input value={region} onChange={(e) => setRegion(e.detail.value)} name="region" />
                </FormField>
              </SpaceBetween>
            </Container>
            <Box variant="small" color="text-body-secondary">
              The key stays in this browser tab's session storage and is used only to sign requests to this server.
            </Box>
          </SpaceBetween>
        </Form>
      </form>
    </main>
  );
}
