/**
 * "Create new revision": the chosen revision as RegisterTaskDefinition input JSON, edited in place.
 * Errors are shown where they are: a JSON syntax error at its line and column, missing required members
 * under the field, and the API's own error (ClientException etc.) with its name — nothing is registered
 * until the server accepts it.
 */
import { useState } from 'react';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import Box from '@cloudscape-design/components/box';
import { ECSClient, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { registerInput, validate } from '../task-definition-json';
import { client, describeError } from '../aws';
import { usePoll } from '../poll';
import { href, navigate } from '../router';
import { ApiErrorAlert, useFlash } from '../components/common';

export default function NewRevision({ from }: { from: string }) {
  const src = usePoll(`from/${from}`, async () => (await client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: from }))).taskDefinition!, { intervalMs: 0 });
  const [text, setText] = useState<string | undefined>();
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { notify } = useFlash();
  const value = text ?? (src.data ? JSON.stringify(registerInput(src.data), null, 2) : '');
  const check = validate(value);
  const family = src.data?.family ?? from.split(':')[0] ?? '';

  const submit = async () => {
    setTouched(true);
    setServerError(undefined);
    if (!check.input) return;
    setBusy(true);
    try {
      const r = await client(ECSClient).send(new RegisterTaskDefinitionCommand(check.input));
      const td = r.taskDefinition!;
      notify({ type: 'success', content: `Registered ${td.family}:${td.revision}.` });
      navigate(href('task-definitions', td.family ?? family, String(td.revision)));
    } catch (e) {
      setServerError(e);
    } finally {
      setBusy(false);
    }
  };
  const server = serverError ? describeError(serverError) : undefined;
  const errorText = touched && check.errors.length ? check.errors.join(' ') : server ? `${server.name}: ${server.message}` : undefined;
  return (
    <ContentLayout header={<Header variant="h1" description={`Starts from ${from}. Edit the JSON (the RegisterTaskDefinition input) and create the next revision of ${family}.`}>Create new revision</Header>}>
      <ApiErrorAlert error={src.error} />
      {src.data ? (
        <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <Form actions={<SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" href={href('task-definitions', family)}>Cancel</Button>
            <Button variant="primary" formAction="submit" loading={busy}>Create</Button>
          </SpaceBetween>}>
            <Container>
              <SpaceBetween size="s">
                <FormField label="Task definition JSON" stretch errorText={errorText} i18nStrings={{ errorIconAriaLabel: 'Error' }}
                  description="Same shape as `aws ecs register-task-definition --cli-input-json`.">
                  <Textarea value={value} onChange={(e) => { setText(e.detail.value); setServerError(undefined); }} rows={28} spellcheck={false} ariaLabel="Task definition JSON" />
                </FormField>
                {!touched && check.errors.length ? <Box color="text-status-error" variant="small">{check.errors[0]}</Box> : null}
              </SpaceBetween>
            </Container>
          </Form>
        </form>
      ) : null}
    </ContentLayout>
  );
}
