/**
 * AWS managed policies ECS users attach by ARN. Documents are AWS's published ones; where AWS's
 * document lists other services too (AmazonECS_FullAccess grants CloudFormation, Auto Scaling, EC2,
 * Route 53, … for the console's wizards; ReadOnlyAccess covers every AWS service), only the statements
 * and actions for the services Wharf serves are kept — the rest would name actions nothing here answers.
 */

export interface AwsManagedPolicy {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  readonly versionId: string;
  readonly document: string;
}

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const LIST: Omit<AwsManagedPolicy, 'arn'>[] = [
  {
    name: 'AdministratorAccess', path: '/', versionId: 'v1',
    description: 'Provides full access to AWS services and resources.',
    document: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
  },
  {
    name: 'ReadOnlyAccess', path: '/', versionId: 'v1',
    description: 'Provides read-only access to AWS services and resources.',
    document: doc([{
      Effect: 'Allow', Resource: '*',
      Action: [
        'ecs:Describe*', 'ecs:List*', 'ecr:BatchCheck*', 'ecr:BatchGet*', 'ecr:Describe*', 'ecr:Get*', 'ecr:List*',
        'elasticloadbalancing:Describe*', 'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*',
        'logs:Describe*', 'logs:FilterLogEvents', 'logs:Get*', 'logs:ListTagsForResource', 'logs:ListTagsLogGroup',
        'iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*', 'sts:GetCallerIdentity',
        'secretsmanager:Describe*', 'secretsmanager:GetResourcePolicy', 'secretsmanager:List*',
        'ssm:Describe*', 'ssm:Get*', 'ssm:List*', 'application-autoscaling:Describe*',
      ],
    }]),
  },
  {
    name: 'AmazonECS_FullAccess', path: '/', versionId: 'v22',
    description: 'Provides administrative access to Amazon ECS resources and enables ECS features through access to other AWS service resources.',
    document: doc([
      {
        Sid: 'ECSIntegrationsManagementPolicy', Effect: 'Allow', Resource: '*',
        Action: [
          'application-autoscaling:*', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricStatistics', 'cloudwatch:PutMetricAlarm',
          'ecs:*', 'elasticloadbalancing:*', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfiles', 'iam:ListRoles',
          'logs:CreateLogGroup', 'logs:DescribeLogGroups', 'logs:FilterLogEvents',
        ],
      },
      { Sid: 'ELBManagementPolicy', Effect: 'Allow', Resource: '*', Action: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:CreateTargetGroup'] },
      {
        Sid: 'PassRoleForECS', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*',
        Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]),
  },
  {
    name: 'AmazonECSTaskExecutionRolePolicy', path: '/service-role/', versionId: 'v1',
    description: 'Provides access to other AWS service resources that are required to run Amazon ECS tasks',
    document: doc([{
      Effect: 'Allow', Resource: '*',
      Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    }]),
  },
  {
    name: 'AmazonEC2ContainerRegistryReadOnly', path: '/', versionId: 'v3',
    description: 'Provides read-only access to Amazon EC2 Container Registry repositories.',
    document: doc([{
      Effect: 'Allow', Resource: '*',
      Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy', 'ecr:DescribeRepositories',
        'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy', 'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings'],
    }]),
  },
  {
    name: 'AmazonEC2ContainerRegistryPowerUser', path: '/', versionId: 'v3',
    description: 'Provides full access to Amazon EC2 Container Registry repositories, but does not allow repository deletion or policy changes.',
    document: doc([{
      Effect: 'Allow', Resource: '*',
      Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy', 'ecr:DescribeRepositories',
        'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy', 'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings',
        'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
    }]),
  },
  {
    name: 'AmazonEC2ContainerRegistryFullAccess', path: '/', versionId: 'v2',
    description: 'Provides administrative access to Amazon ECR resources',
    document: doc([{ Effect: 'Allow', Action: ['ecr:*', 'cloudtrail:LookupEvents'], Resource: '*' }]),
  },
  {
    name: 'CloudWatchLogsFullAccess', path: '/', versionId: 'v2',
    description: 'Provides full access to CloudWatch Logs',
    document: doc([{ Effect: 'Allow', Action: ['logs:*'], Resource: '*' }]),
  },
  {
    name: 'CloudWatchLogsReadOnlyAccess', path: '/', versionId: 'v3',
    description: 'Provides read only access to CloudWatch Logs',
    document: doc([{ Effect: 'Allow', Action: ['logs:Describe*', 'logs:Get*', 'logs:List*', 'logs:StartQuery', 'logs:StopQuery', 'logs:TestMetricFilter', 'logs:FilterLogEvents'], Resource: '*' }]),
  },
  {
    name: 'SecretsManagerReadWrite', path: '/', versionId: 'v5',
    description: 'Provides read/write access to AWS Secrets Manager via the AWS Management Console.',
    document: doc([{ Effect: 'Allow', Action: ['secretsmanager:*'], Resource: '*' }]),
  },
  {
    name: 'AmazonSSMReadOnlyAccess', path: '/', versionId: 'v1',
    description: 'Provides read only access to Amazon SSM.',
    document: doc([{ Effect: 'Allow', Action: ['ssm:Describe*', 'ssm:Get*', 'ssm:List*'], Resource: '*' }]),
  },
  {
    name: 'IAMFullAccess', path: '/', versionId: 'v2',
    description: 'Provides full access to IAM via the AWS Management Console.',
    document: doc([{ Effect: 'Allow', Action: ['iam:*'], Resource: '*' }]),
  },
  {
    name: 'IAMReadOnlyAccess', path: '/', versionId: 'v4',
    description: 'Provides read only access to IAM via the AWS Management Console.',
    document: doc([{ Effect: 'Allow', Action: ['iam:GenerateCredentialReport', 'iam:GenerateServiceLastAccessedDetails', 'iam:Get*', 'iam:List*', 'iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy'], Resource: '*' }]),
  },
];

export const AWS_MANAGED_POLICIES: ReadonlyMap<string, AwsManagedPolicy> = new Map(
  LIST.map((p) => {
    const arn = `arn:aws:iam::aws:policy${p.path}${p.name}`;
    return [arn, { ...p, arn }];
  }),
);
