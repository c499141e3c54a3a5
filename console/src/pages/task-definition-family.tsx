import { useState } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Select from '@cloudscape-design/components/select';
import Tabs from '@cloudscape-design/components/tabs';
import { diffLines } from 'diff';
import { ECSClient, DescribeTaskDefinitionCommand, paginateListTaskDefinitions, type TaskDefinition } from '@aws-sdk/client-ecs';
import { client, collect, taskDefName } from '../aws';
import { usePoll } from '../poll';
import { href, navigate } from '../router';
import { ApiErrorAlert, Empty, Status, fmtDate } from '../components/common';
import { registerInput } from '../task-definition-json';

/** ARNs of a family's revisions, newest first (familyPrefix matches longer families too: keep exact ones). */
export async function familyRevisions(family: string, status: 'ACTIVE' | 'INACTIVE'): Promise<string[]> {
  const arns = await collect(paginateListTaskDefinitions({ client: client(ECSClient) }, { familyPrefix: family, status, sort: 'DESC' }), (p) => p.taskDefinitionArns);
  return arns.filter((a) => taskDefName(a).split(':')[0] === family);
}

const cache = new Map<string, TaskDefinition>();
async function describe(td: string): Promise<TaskDefinition> {
  const hit = cache.get(td);
  if (hit) return hit;
  const r = await client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: td }));
  cache.set(td, r.taskDefinition!);
  return r.taskDefinition!;
}

export default function TaskDefinitionFamily({ family, revision }: { family: string; revision: string | undefined }) {
  const revs = usePoll(`revisions/${family}`, async () => {
    const arns = [
      ...await familyRevisions(family, 'ACTIVE'),
      ...await familyRevisions(family, 'INACTIVE'),
    ];
    const defs = await Promise.all(arns.map(describe));
    return defs.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
  }, { intervalMs: 15_000 });
  const list = revs.data ?? [];
  const selected = list.find((d) => String(d.revision) === revision) ?? list[0];
  const [against, setAgainst] = useState<string | undefined>();
  const other = list.find((d) => String(d.revision) === against) ?? list.find((d) => d.revision !== selected?.revision);
  return (
    <ContentLayout header={<Header variant="h1" actions={selected ? <Button variant="primary" href={`#/task-definitions/new?from=${encodeURIComponent(`${family}:${selected.revision}`)}`}>Create new revision</Button> : undefined}>{family}</Header>}>
      <SpaceBetween size="l">
        <ApiErrorAlert error={revs.error} />
        <Table
          header={<Header counter={`(${list.length})`}>Revisions</Header>}
          items={list} loading={revs.loading} loadingText="Loading revisions" trackBy="taskDefinitionArn" ariaLabels={{ tableLabel: 'Revisions', selectionGroupLabel: 'Revision selection', itemSelectionLabel: (_s, d) => `Revision ${d.revision}` }}
          selectionType="single" selectedItems={selected ? [selected] : []}
          onSelectionChange={(e) => navigate(href('task-definitions', family, String(e.detail.selectedItems[0]?.revision ?? '')))}
          empty={<Empty title="No revisions" />}
          columnDefinitions={[
            { id: 'rev', header: 'Revision', isRowHeader: true, cell: (d) => `${family}:${d.revision}` },
            { id: 'status', header: 'Status', cell: (d) => <Status value={d.status} /> },
            { id: 'containers', header: 'Containers', cell: (d) => (d.containerDefinitions ?? []).map((c) => `${c.name} (${c.image})`).join(', ') },
            { id: 'size', header: 'CPU / memory', cell: (d) => `${d.cpu ?? '-'} / ${d.memory ?? '-'}` },
            { id: 'compat', header: 'Compatibilities', cell: (d) => (d.requiresCompatibilities ?? d.compatibilities ?? []).join(', ') },
            { id: 'registered', header: 'Registered', cell: (d) => fmtDate(d.registeredAt) },
          ]}
          wrapLines
        />
        {selected ? (
          <Tabs ariaLabel="Revision views" tabs={[
            { id: 'json', label: `JSON of revision ${selected.revision}`, content: (
              <Container><pre tabIndex={0} aria-label={`JSON of ${family}:${selected.revision}`} style={{ margin: 0, overflow: 'auto', maxHeight: 520, fontSize: 13 }}>{JSON.stringify(registerInput(selected), null, 2)}</pre></Container>
            ) },
            { id: 'diff', label: 'Compare revisions', disabled: list.length < 2, content: other ? (
              <Container header={<Header variant="h2" actions={<Select ariaLabel="Compare with revision" selectedOption={{ label: `Revision ${other.revision}`, value: String(other.revision) }}
                onChange={(e) => setAgainst(e.detail.selectedOption.value)}
                options={list.filter((d) => d.revision !== selected.revision).map((d) => ({ label: `Revision ${d.revision}`, value: String(d.revision) }))} />}>
                Changes from revision {other.revision} to {selected.revision}</Header>}>
                <Diff from={other} to={selected} />
              </Container>
            ) : <Box>Only one revision.</Box> },
          ]} />
        ) : null}
      </SpaceBetween>
    </ContentLayout>
  );
}

function Diff({ from, to }: { from: TaskDefinition; to: TaskDefinition }) {
  const parts = diffLines(JSON.stringify(registerInput(from), null, 2) + '\n', JSON.stringify(registerInput(to), null, 2) + '\n');
  if (parts.every((p) => !p.added && !p.removed)) return <Box>The two revisions are the same.</Box>;
  return (
    <pre tabIndex={0} aria-label="Differences" data-testid="revision-diff" style={{ margin: 0, overflow: 'auto', maxHeight: 520, fontSize: 13 }}>
      {parts.map((p, i) => {
        const sign = p.added ? '+' : p.removed ? '-' : ' ';
        const text = p.value.replace(/\n$/, '').split('\n').map((l) => `${sign} ${l}`).join('\n') + '\n';
        if (p.added) return <ins key={i} style={{ background: '#d9f2dc', color: '#0a3d14', textDecoration: 'none', display: 'block' }}>{text}</ins>;
        if (p.removed) return <del key={i} style={{ background: '#fde0e0', color: '#6b0b0b', textDecoration: 'none', display: 'block' }}>{text}</del>;
        return <span key={i} style={{ color: '#5f6b7a' }}>{text}</span>;
      })}
    </pre>
  );
}
