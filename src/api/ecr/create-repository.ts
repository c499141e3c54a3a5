import type { CreateRepositoryRequest, CreateRepositoryResponse } from '@aws-sdk/client-ecr';
import { ApiError } from '../../model/errors.js';
import { createOnly } from '../../store/store.js';
import { ecrKeys, newRepository, REPO_NAME } from '../../registry/metadata.js';
import { repositoryView, validateEcrTags } from './common.js';
import type { Handler } from '../types.js';

export const createRepository: Handler<CreateRepositoryRequest, CreateRepositoryResponse> = async (input, ctx) => {
  const name = input.repositoryName!;
  if (!REPO_NAME.test(name)) throw new ApiError('InvalidParameterException', `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`);
  const rec = newRepository(name, { region: ctx.region, accountId: ctx.accountId, now: ctx.now }, {
    imageTagMutability: input.imageTagMutability === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE',
    scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
    encryptionType: input.encryptionConfiguration?.encryptionType ?? 'AES256',
    kmsKey: input.encryptionConfiguration?.kmsKey,
    tags: validateEcrTags(input.tags).map((t) => ({ key: t.Key, value: t.Value })),
  });
  const r = await ctx.store.txn(createOnly(ecrKeys.repo(name), JSON.stringify(rec)));
  if (!r.succeeded) throw new ApiError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${ctx.accountId}'`);
  return { repository: repositoryView(ctx.registry, rec) };
};
