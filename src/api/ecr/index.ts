/** Amazon ECR (awsJson1_1, AmazonEC2ContainerRegistry_V20150921): the operation table. */
import { ecrAuthorizer } from './authz.js';
import ecrModel from '../../model/aws/ecr.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { Handler, ServiceDefinition } from '../types.js';
import { createRepository } from './create-repository.js';
import { describeRepositories } from './describe-repositories.js';
import { deleteRepository } from './delete-repository.js';
import { listImages } from './list-images.js';
import { describeImages } from './describe-images.js';
import { batchGetImage } from './batch-get-image.js';
import { batchDeleteImage } from './batch-delete-image.js';
import { putImage } from './put-image.js';
import { getAuthorizationToken } from './get-authorization-token.js';
import { putImageTagMutability } from './put-image-tag-mutability.js';
import { putLifecyclePolicy } from './put-lifecycle-policy.js';
import { getLifecyclePolicy } from './get-lifecycle-policy.js';
import { deleteLifecyclePolicy } from './delete-lifecycle-policy.js';
import { startLifecyclePolicyPreview } from './start-lifecycle-policy-preview.js';
import { getLifecyclePolicyPreview } from './get-lifecycle-policy-preview.js';
import { setRepositoryPolicy } from './set-repository-policy.js';
import { getRepositoryPolicy } from './get-repository-policy.js';
import { deleteRepositoryPolicy } from './delete-repository-policy.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { listTagsForResource } from './list-tags-for-resource.js';
import { batchCheckLayerAvailability } from './batch-check-layer-availability.js';

const table = {
  CreateRepository: createRepository,
  DescribeRepositories: describeRepositories,
  DeleteRepository: deleteRepository,
  ListImages: listImages,
  DescribeImages: describeImages,
  BatchGetImage: batchGetImage,
  BatchDeleteImage: batchDeleteImage,
  PutImage: putImage,
  GetAuthorizationToken: getAuthorizationToken,
  PutImageTagMutability: putImageTagMutability,
  PutLifecyclePolicy: putLifecyclePolicy,
  GetLifecyclePolicy: getLifecyclePolicy,
  DeleteLifecyclePolicy: deleteLifecyclePolicy,
  StartLifecyclePolicyPreview: startLifecyclePolicyPreview,
  GetLifecyclePolicyPreview: getLifecyclePolicyPreview,
  SetRepositoryPolicy: setRepositoryPolicy,
  GetRepositoryPolicy: getRepositoryPolicy,
  DeleteRepositoryPolicy: deleteRepositoryPolicy,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  BatchCheckLayerAvailability: batchCheckLayerAvailability,
} as const;

export function ecrService(): ServiceDefinition {
  const handlers: Record<string, Handler> = { ...table };
  return {
    name: 'ecr',
    signingName: 'ecr',
    authorize: ecrAuthorizer,
    model: ecrModel as unknown as ServiceModel,
    validationError: 'InvalidParameterException',
    serverError: 'ServerException',
    handlers,
  };
}
