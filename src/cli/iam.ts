/**
 * `wharf iam`: create a user with a policy and print its keys, in one step —
 *   wharf iam create-user ci --managed-policy ReadOnlyAccess
 *   wharf iam create-user deployer --policy-file deploy-policy.json
 * The same calls through the AWS CLI are create-user, attach-user-policy / put-user-policy and
 * create-access-key; a half-made user is removed again when a later step fails.
 */
import { readFileSync } from 'node:fs';
import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DeleteUserCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand, IAMClient, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { Command } from 'commander';
import { addGlobalOptions, call, CliError, printJson, resolveConnection, type GlobalOptions } from './client.js';

function iamClient(opts: GlobalOptions): IAMClient {
  const c = resolveConnection(opts);
  return new IAMClient({ endpoint: c.endpoint, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, maxAttempts: 2 });
}

/** `ReadOnlyAccess` → the AWS managed policy ARN; an ARN stays as it is. */
export function managedPolicyArn(nameOrArn: string): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  const path = nameOrArn === 'AmazonECSTaskExecutionRolePolicy' ? '/service-role/' : '/';
  return `arn:aws:iam::aws:policy${path}${nameOrArn}`;
}

export function registerIamCommands(program: Command): void {
  const iam = program.command('iam').description('IAM users and their keys');
  addGlobalOptions(iam.command('create-user').argument('<name>').description('create an IAM user with a policy and print its access key'))
    .option('--managed-policy <nameOrArn...>', 'attach AWS managed (ReadOnlyAccess, AmazonECS_FullAccess…) or customer managed policies')
    .option('--policy-file <file>', 'put this JSON policy document on the user as an inline policy')
    .action(async (name: string, opts: GlobalOptions & { managedPolicy?: string[]; policyFile?: string }) => {
      if (!opts.managedPolicy?.length && !opts.policyFile) throw new CliError('give the user a policy: --managed-policy NAME or --policy-file FILE (without one it may do nothing)');
      const document = opts.policyFile ? readFileSync(opts.policyFile, 'utf8') : undefined;
      const client = iamClient(opts);
      const endpoint = resolveConnection(opts).endpoint;
      await call(`creating user ${name}`, endpoint, () => client.send(new CreateUserCommand({ UserName: name })));
      const attached: string[] = [];
      let inline = false;
      try {
        for (const p of opts.managedPolicy ?? []) {
          const arn = managedPolicyArn(p);
          await call(`attaching ${arn}`, endpoint, () => client.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn })));
          attached.push(arn);
        }
        if (document !== undefined) {
          await call(`putting the policy from ${opts.policyFile}`, endpoint, () => client.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `${name}-policy`, PolicyDocument: document })));
          inline = true;
        }
        const key = (await call('creating an access key', endpoint, () => client.send(new CreateAccessKeyCommand({ UserName: name })))).AccessKey!;
        if (opts.output === 'json') return printJson({ UserName: name, AccessKeyId: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey, AttachedPolicies: attached });
        process.stdout.write([
          `user ${name} created${attached.length ? `, policies: ${attached.join(', ')}` : ''}${inline ? `${attached.length ? ' and' : ', policy:'} ${opts.policyFile}` : ''}`,
          `  Access key ID:     ${key.AccessKeyId}`,
          `  Secret access key: ${key.SecretAccessKey}   (shown once: store it now)`,
          `  export AWS_ACCESS_KEY_ID=${key.AccessKeyId} AWS_SECRET_ACCESS_KEY=${key.SecretAccessKey}`,
          '',
        ].join('\n'));
      } catch (e) {
        // Undo what was made so the name can be used again.
        for (const arn of attached) await client.send(new DetachUserPolicyCommand({ UserName: name, PolicyArn: arn })).catch(() => undefined);
        if (inline) await client.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: `${name}-policy` })).catch(() => undefined);
        await client.send(new DeleteUserCommand({ UserName: name })).catch(() => undefined);
        throw e;
      }
    });
}
