import Box from '@cloudscape-design/components/box';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import {
  ElasticLoadBalancingV2Client, DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { client } from '../aws';
import { usePoll } from '../poll';
import { ApiErrorAlert, Empty, Status, Updated } from '../components/common';
import { TargetHealthTable } from './service';

export default function LoadBalancerPage({ name }: { name: string }) {
  const q = usePoll(`lb/${name}`, async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0];
    if (!lb) throw Object.assign(new Error(`One or more load balancers not found`), { name: 'LoadBalancerNotFoundException' });
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    const tgs = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups ?? [];
    const health = (await Promise.all(tgs.map(async (tg) => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? []).map((d) => ({ tg: tg.TargetGroupArn!, d }))))).flat();
    return { lb, listeners, tgs, health };
  }, { intervalMs: 5000 });
  const d = q.data;
  return (
    <ContentLayout header={<Header variant="h1" actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>{name}</Header>}>
      <SpaceBetween size="l">
        <ApiErrorAlert error={q.error} />
        {d ? (
          <>
            <Container header={<Header variant="h2">Details</Header>}>
              <ColumnLayout columns={4} variant="text-grid">
                <div><Box variant="awsui-key-label">State</Box><Status value={d.lb.State?.Code} /></div>
                <div><Box variant="awsui-key-label">Type</Box>{d.lb.Type}</div>
                <div><Box variant="awsui-key-label">DNS name</Box>{d.lb.DNSName}</div>
                <div><Box variant="awsui-key-label">ARN</Box><Box variant="small">{d.lb.LoadBalancerArn}</Box></div>
              </ColumnLayout>
            </Container>
            <Table header={<Header counter={`(${d.listeners.length})`}>Listeners</Header>} items={d.listeners} trackBy="ListenerArn" ariaLabels={{ tableLabel: 'Listeners' }}
              empty={<Empty title="No listeners">Add one with <code>aws elbv2 create-listener</code>.</Empty>}
              columnDefinitions={[
                { id: 'port', header: 'Protocol:port', isRowHeader: true, cell: (l) => `${l.Protocol}:${l.Port}` },
                { id: 'action', header: 'Default action', cell: (l) => (l.DefaultActions ?? []).map((a) => a.Type === 'forward' ? `forward to ${(a.TargetGroupArn ?? a.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ?? '').split(':targetgroup/')[1]?.split('/')[0] ?? ''}` : a.Type).join(', ') },
              ]} />
            <Table header={<Header counter={`(${d.tgs.length})`}>Target groups</Header>} items={d.tgs} trackBy="TargetGroupArn" ariaLabels={{ tableLabel: 'Target groups' }}
              empty={<Empty title="No target groups" />}
              columnDefinitions={[
                { id: 'name', header: 'Name', isRowHeader: true, cell: (t) => t.TargetGroupName },
                { id: 'proto', header: 'Protocol:port', cell: (t) => `${t.Protocol}:${t.Port}` },
                { id: 'type', header: 'Target type', cell: (t) => t.TargetType },
                { id: 'check', header: 'Health check', cell: (t) => `${t.HealthCheckProtocol} ${t.HealthCheckPath ?? ''} every ${t.HealthCheckIntervalSeconds}s` },
              ]} />
            <TargetHealthTable items={d.health} loading={false} />
          </>
        ) : null}
      </SpaceBetween>
    </ContentLayout>
  );
}
