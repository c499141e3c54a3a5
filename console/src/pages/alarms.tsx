import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { CloudWatchClient, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { ApiErrorAlert, Empty, Status, Updated, fmtDate } from '../components/common';

const OPS: Record<string, string> = { GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '>=', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=' };

export default function Alarms() {
  const q = usePoll('alarms', () => collect(paginateDescribeAlarms({ client: client(CloudWatchClient) }, {}), (p) => p.MetricAlarms), { intervalMs: 10_000 });
  return (
    <ContentLayout header={<Header variant="h1" description="CloudWatch metric alarms and their current state.">Alarms</Header>}>
      <SpaceBetween size="m">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${q.data.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Alarms</Header>}
          items={q.data ?? []} loading={q.loading} loadingText="Loading alarms" trackBy="AlarmName" ariaLabels={{ tableLabel: 'Alarms' }}
          empty={<Empty title="No alarms">Create one with <code>aws cloudwatch put-metric-alarm</code>; target-tracking scaling policies create them too.</Empty>}
          columnDefinitions={[
            { id: 'name', header: 'Alarm', isRowHeader: true, cell: (a) => a.AlarmName },
            { id: 'state', header: 'State', cell: (a) => <Status value={a.StateValue} /> },
            { id: 'condition', header: 'Condition', cell: (a) => `${a.Namespace} ${a.MetricName} ${a.Statistic ?? a.ExtendedStatistic ?? ''} ${OPS[a.ComparisonOperator ?? ''] ?? a.ComparisonOperator} ${a.Threshold} for ${a.EvaluationPeriods}×${a.Period}s` },
            { id: 'reason', header: 'Reason', cell: (a) => a.StateReason ?? '-' },
            { id: 'updated', header: 'State changed', cell: (a) => fmtDate(a.StateUpdatedTimestamp) },
          ]}
          wrapLines
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
