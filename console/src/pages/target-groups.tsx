import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { ElasticLoadBalancingV2Client, DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { client } from '../aws';
import { usePoll } from '../poll';
import { ApiErrorAlert, Empty, Updated } from '../components/common';

export default function TargetGroups() {
  const q = usePoll('tgs', async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const tgs = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    return Promise.all(tgs.map(async (tg) => {
      const h = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [];
      return { tg, healthy: h.filter((x) => x.TargetHealth?.State === 'healthy').length, total: h.length };
    }));
  }, { intervalMs: 5000 });
  return (
    <ContentLayout header={<Header variant="h1" description="Groups of targets (task addresses and ports) a listener forwards to, with their health.">Target groups</Header>}>
      <SpaceBetween size="m">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Target groups</Header>}
          items={q.data ?? []} loading={q.loading} loadingText="Loading target groups" trackBy={(i) => i.tg.TargetGroupArn ?? ''} ariaLabels={{ tableLabel: 'Target groups' }}
          empty={<Empty title="No target groups">Create one with <code>aws elbv2 create-target-group</code>.</Empty>}
          columnDefinitions={[
            { id: 'name', header: 'Name', isRowHeader: true, cell: (i) => i.tg.TargetGroupName },
            { id: 'proto', header: 'Protocol:port', cell: (i) => `${i.tg.Protocol}:${i.tg.Port}` },
            { id: 'type', header: 'Target type', cell: (i) => i.tg.TargetType },
            { id: 'lbs', header: 'Load balancers', cell: (i) => (i.tg.LoadBalancerArns ?? []).map((a) => a.split('/')[2]).join(', ') || '-' },
            { id: 'health', header: 'Healthy targets', cell: (i) => `${i.healthy} of ${i.total}` },
          ]}
          wrapLines
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
