import { useState } from 'react';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ECSClient, CreateServiceCommand, paginateListTaskDefinitions } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { client, collect, taskDefName } from '../aws';
import { usePoll } from '../poll';
import { href, navigate } from '../router';
import { ApiErrorAlert } from '../components/common';
import { describeError } from '../aws';

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,254}$/;

export default function CreateService({ cluster }: { cluster: string }) {
  const defs = usePoll('taskdefs-active', () => collect(paginateListTaskDefinitions({ client: client(ECSClient) }, { status: 'ACTIVE', sort: 'DESC' }), (p) => p.taskDefinitionArns), { intervalMs: 0 });
  const tgs = usePoll('target-groups-for-service', async () => (await client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [], { intervalMs: 0 });
  const [name, setName] = useState('');
  const [taskDef, setTaskDef] = useState<SelectProps.Option | null>(null);
  const [count, setCount] = useState('1');
  const [tg, setTg] = useState<SelectProps.Option | null>(null);
  const [containerName, setContainerName] = useState('');
  const [containerPort, setContainerPort] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const nameError = !name ? 'Enter a service name.' : !NAME.test(name) ? 'Up to 255 letters, numbers, hyphens and underscores, starting with a letter.' : undefined;
  const countError = !/^\d+$/.test(count) ? 'Enter a whole number.' : undefined;
  const tdError = !taskDef ? 'Choose a task definition revision.' : undefined;
  const lbError = tg && (!containerName || !/^\d+$/.test(containerPort)) ? 'With a target group, name the container and its port.' : undefined;
  const serverField = (() => {
    const e = error ? describeError(error) : undefined;
    return e && /name/i.test(e.message) && !/task ?definition/i.test(e.message) ? 'name' : undefined;
  })();

  const submit = async () => {
    setTouched(true);
    if (nameError || countError || tdError || lbError) return;
    setBusy(true);
    setError(undefined);
    try {
      await client(ECSClient).send(new CreateServiceCommand({
        cluster, serviceName: name, taskDefinition: taskDef!.value, desiredCount: Number(count),
        ...(tg ? { loadBalancers: [{ targetGroupArn: tg.value, containerName, containerPort: Number(containerPort) }] } : {}),
      }));
      navigate(href('clusters', cluster, 'services', name));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <ContentLayout header={<Header variant="h1" description={`A service in ${cluster} keeps the desired number of tasks of a task definition running, and replaces them when they stop.`}>Create service</Header>}>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Form
          actions={<SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" href={href('clusters', cluster)}>Cancel</Button>
            <Button variant="primary" formAction="submit" loading={busy}>Create</Button>
          </SpaceBetween>}
          errorText={error && !serverField ? `${describeError(error).name}: ${describeError(error).message}` : undefined}
          errorIconAriaLabel="Error"
        >
          <SpaceBetween size="l">
            <ApiErrorAlert error={defs.error ?? tgs.error} />
            <Container header={<Header variant="h2">Service</Header>}>
              <SpaceBetween size="m">
                <FormField label="Task definition" errorText={touched ? tdError : undefined} description={defs.data?.length === 0 ? 'No task definitions yet: register one first.' : undefined}>
                  <Select selectedOption={taskDef} onChange={(e) => setTaskDef(e.detail.selectedOption)} placeholder="Choose a revision" filteringType="auto"
                    statusType={defs.loading ? 'loading' : 'finished'} loadingText="Loading task definitions" empty="No task definitions"
                    options={(defs.data ?? []).map((a) => ({ label: taskDefName(a), value: a }))} ariaLabel="Task definition" />
                </FormField>
                <FormField label="Service name" errorText={touched ? nameError : serverField ? describeError(error).message : undefined}>
                  <Input value={name} onChange={(e) => setName(e.detail.value)} ariaLabel="Service name" />
                </FormField>
                <FormField label="Desired tasks" errorText={touched ? countError : undefined}>
                  <Input value={count} onChange={(e) => setCount(e.detail.value)} type="number" inputMode="numeric" ariaLabel="Desired tasks" />
                </FormField>
              </SpaceBetween>
            </Container>
            <Container header={<Header variant="h2" description="Optional: register the service's tasks in a target group.">Load balancing</Header>}>
              <SpaceBetween size="m">
                <FormField label="Target group" errorText={touched ? lbError : undefined}>
                  <Select selectedOption={tg} onChange={(e) => setTg(e.detail.selectedOption.value ? e.detail.selectedOption : null)} placeholder="None"
                    options={[{ label: 'None', value: '' }, ...(tgs.data ?? []).map((t) => ({ label: t.TargetGroupName ?? '', value: t.TargetGroupArn ?? '', description: `${t.Protocol}:${t.Port}` }))]} ariaLabel="Target group" />
                </FormField>
                {tg ? (
                  <>
                    <FormField label="Container name"><Input value={containerName} onChange={(e) => setContainerName(e.detail.value)} ariaLabel="Container name" /></FormField>
                    <FormField label="Container port"><Input value={containerPort} onChange={(e) => setContainerPort(e.detail.value)} type="number" ariaLabel="Container port" /></FormField>
                  </>
                ) : null}
              </SpaceBetween>
            </Container>
          </SpaceBetween>
        </Form>
      </form>
    </ContentLayout>
  );
}
