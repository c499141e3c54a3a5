import type { DescribeRepositoriesRequest, DescribeRepositoriesResponse, Repository } from '@aws-sdk/client-ecr';
import { ecrKeys, type RepositoryRecord } from '../../registry/metadata.js';
import { paginate } from '../ecs/common.js';
import { repoNotFound, repositoryView } from './common.js';
import type { Handler } from '../types.js';

export const describeRepositories: Handler<DescribeRepositoriesRequest, DescribeRepositoriesResponse> = async (input, ctx) => {
  if (input.repositoryNames?.length) {
    const out: Repository[] = [];
    for (const name of input.repositoryNames) {
      const kv = await ctx.store.get(ecrKeys.repo(name));
      if (!kv) throw repoNotFound(ctx, name);
      out.push(repositoryView(ctx.registry, JSON.parse(kv.value) as RepositoryRecord));
    }
    return { repositories: out };
  }
  const { kvs } = await ctx.store.range(ecrKeys.repos());
  const all = kvs.map((kv) => JSON.parse(kv.value) as RepositoryRecord);
  const page = paginate(all, (r) => r.repositoryName, input.maxResults, input.nextToken, 100);
  return { repositories: page.items.map((r) => repositoryView(ctx.registry, r)), nextToken: page.nextToken };
};
