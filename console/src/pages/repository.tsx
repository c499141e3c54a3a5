import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { ECRClient, DescribeRepositoriesCommand, paginateDescribeImages } from '@aws-sdk/client-ecr';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { ApiErrorAlert, Empty, Updated, fmtBytes, fmtDate } from '../components/common';

export default function RepositoryPage({ name }: { name: string }) {
  const q = usePoll(`repo/${name}`, async () => {
    const ecr = client(ECRClient);
    const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories?.[0];
    const images = await collect(paginateDescribeImages({ client: ecr }, { repositoryName: name }), (p) => p.imageDetails);
    images.sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0));
    return { repo, images };
  }, { intervalMs: 15_000 });
  const uri = q.data?.repo?.repositoryUri ?? `${window.location.host}/${name}`;
  const registry = uri.split('/')[0] ?? window.location.host;
  const endpoint = window.location.origin;
  const commands = [
    `aws --endpoint-url ${endpoint} ecr get-login-password | podman login --username AWS --password-stdin ${registry}`,
    `podman tag IMAGE ${uri}:TAG`,
    `podman push --tls-verify=false ${uri}:TAG`,
    `# or, without a container engine: wharf image import ./image.tar -r ${name}`,
  ].join('\n');
  return (
    <ContentLayout header={<Header variant="h1" description={uri}>{name}</Header>}>
      <SpaceBetween size="l">
        <ApiErrorAlert error={q.error} />
        <Table
          header={<Header counter={q.data ? `(${q.data.images.length})` : undefined} actions={<Updated at={q.updatedAt} onRefresh={q.refresh} />}>Images</Header>}
          items={q.data?.images ?? []} loading={q.loading} loadingText="Loading images" trackBy="imageDigest" ariaLabels={{ tableLabel: 'Images' }}
          empty={<Empty title="No images">Push one with the commands below.</Empty>}
          columnDefinitions={[
            { id: 'tags', header: 'Tags', isRowHeader: true, cell: (i) => i.imageTags?.join(', ') || <i>untagged</i> },
            { id: 'digest', header: 'Digest', cell: (i) => <CopyToClipboard variant="inline" textToCopy={i.imageDigest ?? ''} copyButtonAriaLabel="Copy digest" copySuccessText="Digest copied" copyErrorText="Could not copy" /> },
            { id: 'size', header: 'Size', cell: (i) => fmtBytes(i.imageSizeInBytes) },
            { id: 'type', header: 'Media type', cell: (i) => i.imageManifestMediaType ?? '-' },
            { id: 'pushed', header: 'Pushed', cell: (i) => fmtDate(i.imagePushedAt) },
          ]}
          wrapLines
        />
        <Container header={<Header variant="h2" description="With Podman (or Docker/skopeo) on a machine that reaches this server.">Push commands</Header>}>
          <SpaceBetween size="s">
            <pre tabIndex={0} aria-label="Push commands" style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 13 }}>{commands}</pre>
            <Box><CopyToClipboard textToCopy={commands} copyButtonText="Copy commands" copySuccessText="Commands copied" copyErrorText="Could not copy" /></Box>
          </SpaceBetween>
        </Container>
      </SpaceBetween>
    </ContentLayout>
  );
}
