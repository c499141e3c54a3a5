/** ECS's awslogs stream name: prefix/container-name/task-id, or the runtime container id without a prefix (pure). */
export function awslogsStreamName(prefix: string | undefined, containerName: string, taskArn: string, runtimeId: string): string {
  return prefix ? `${prefix}/${containerName}/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}` : runtimeId;
}
