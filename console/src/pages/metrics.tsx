import { useMemo, useState } from 'react';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import DateRangePicker, { type DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { CloudWatchClient, paginateListMetrics, type Metric } from '@aws-sdk/client-cloudwatch';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { ApiErrorAlert, Empty } from '../components/common';
import { MetricChart } from '../components/metric-chart';
import { rangeOf } from '../time-range';

const metricKey = (m: Metric) => `${m.Namespace}|${m.MetricName}|${(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',')}`;

export default function Metrics({ initial }: { initial: URLSearchParams }) {
  const q = usePoll('list-metrics', async () => (await collect(paginateListMetrics({ client: client(CloudWatchClient) }, {}), (p) => p.Metrics, 5000))
    .sort((a, b) => metricKey(a).localeCompare(metricKey(b))), { intervalMs: 60_000 });
  const [range, setRange] = useState<DateRangePickerProps.Value>({ type: 'relative', amount: 1, unit: 'hour' });
  const [stat, setStat] = useState<SelectProps.Option>({ label: 'Average', value: 'Average' });
  const [picked, setPicked] = useState<string | undefined>(initial.get('metric') ?? undefined);
  const namespaces = useMemo(() => [...new Set((q.data ?? []).map((m) => m.Namespace ?? ''))], [q.data]);
  const [ns, setNs] = useState<string | undefined>(initial.get('namespace') ?? undefined);
  const namespace = ns ?? namespaces.find((n) => n === 'AWS/ECS') ?? namespaces[0];
  const inNs = (q.data ?? []).filter((m) => m.Namespace === namespace);
  const metric = inNs.find((m) => metricKey(m) === picked) ?? inNs[0];
  const r = rangeOf(range);
  return (
    <ContentLayout header={<Header variant="h1" description="CloudWatch metrics: AWS/ECS service CPU and memory, Container Insights, load balancer and custom metrics.">Metrics</Header>}>
      <SpaceBetween size="l">
        <ApiErrorAlert error={q.error} />
        <Container>
          <SpaceBetween direction="horizontal" size="m">
            <FormField label="Namespace">
              <Select ariaLabel="Namespace" selectedOption={namespace ? { label: namespace, value: namespace } : null} onChange={(e) => { setNs(e.detail.selectedOption.value); setPicked(undefined); }}
                options={namespaces.map((n) => ({ label: n, value: n }))} empty="No metrics yet" statusType={q.loading ? 'loading' : 'finished'} />
            </FormField>
            <FormField label="Metric">
              <Select ariaLabel="Metric" filteringType="auto" selectedOption={metric ? { label: metric.MetricName ?? '', value: metricKey(metric), description: (metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ') } : null}
                onChange={(e) => setPicked(e.detail.selectedOption.value)}
                options={inNs.map((m) => ({ label: m.MetricName ?? '', value: metricKey(m), description: (m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ') }))} />
            </FormField>
            <FormField label="Statistic">
              <Select ariaLabel="Statistic" selectedOption={stat} onChange={(e) => setStat(e.detail.selectedOption)}
                options={['Average', 'Maximum', 'Minimum', 'Sum', 'SampleCount'].map((s) => ({ label: s, value: s }))} />
            </FormField>
            <FormField label="Time range">
              <DateRangePicker value={range} onChange={(e) => e.detail.value && setRange(e.detail.value)} placeholder="Choose a time range" rangeSelectorMode="default"
                relativeOptions={[
                  { key: '15m', amount: 15, unit: 'minute', type: 'relative' }, { key: '1h', amount: 1, unit: 'hour', type: 'relative' },
                  { key: '3h', amount: 3, unit: 'hour', type: 'relative' }, { key: '1d', amount: 1, unit: 'day', type: 'relative' }, { key: '1w', amount: 1, unit: 'week', type: 'relative' },
                ]}
                isValidRange={(v) => (v?.type === 'absolute' && new Date(v.startDate) >= new Date(v.endDate) ? { valid: false, errorMessage: 'The start must be before the end.' } : { valid: true })}
                i18nStrings={{ ariaLabel: 'Time range', formatRelativeRange: (v) => `Last ${v.amount} ${v.unit}${v.amount === 1 ? '' : 's'}` }} />
            </FormField>
          </SpaceBetween>
        </Container>
        {metric ? (
          <Container header={<Header variant="h2" description={(metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ')}>{metric.Namespace} · {metric.MetricName} ({stat.value})</Header>}>
            <MetricChart key={`${metricKey(metric)}|${stat.value}|${JSON.stringify(range)}`} pollKey={`${metricKey(metric)}|${stat.value}|${JSON.stringify(range)}`} ariaLabel={`${metric.MetricName} chart`} height={300}
              lines={[{ label: metric.MetricName ?? '', namespace: metric.Namespace ?? '', metricName: metric.MetricName ?? '', dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value])), stat: stat.value ?? 'Average' }]}
              {...(r.relativeMs ? { relativeMs: r.relativeMs } : { range: { start: r.start!, end: r.end! } })} />
          </Container>
        ) : q.data ? <Empty title="No metrics yet">Running tasks publish AWS/ECS CPU and memory metrics once a minute.</Empty> : null}
      </SpaceBetween>
    </ContentLayout>
  );
}
