/**
 * The `wharf` command. `wharf server` runs the control plane; every other command is a client of the
 * public API (through the AWS SDK), exactly like the AWS CLI.
 */
import { Command, Option } from 'commander';
import closeWithGrace from 'close-with-grace';
import { resolveServerConfig } from '../server/config.js';
import { startServer, adminKeyBanner } from '../server/server.js';
import { registerClusterCommands } from './clusters.js';
import { registerTaskDefinitionCommands } from './task-definitions.js';
import { registerAgentCommand } from './agent.js';
import { CliError } from './client.js';
import { registerImageCommands } from './image.js';
import { registerLogsCommand } from './logs.js';
import { registerTopCommand } from './top.js';
import { registerUpCommands } from './up.js';
import { registerDemoCommand } from './demo.js';
import { registerIamCommands } from './iam.js';
import { registerFargateCommands } from './fargate.js';

const program = new Command();
program
  .name('wharf')
  .description('Wharf: a self-hosted Amazon ECS. Run `wharf server`, then use the AWS CLI or `wharf` commands.')
  .version('0.1.0')
  .showHelpAfterError('(run `wharf --help` for usage)');

program.command('server')
  .description('run the control plane (ECS API and friends) on one port')
  .option('-p, --port <port>', 'port to listen on (default 7755, env WHARF_PORT)', (v) => Number(v))
  .option('--host <host>', 'address to listen on (default 127.0.0.1, env WHARF_HOST)')
  .option('--data-dir <dir>', 'where state lives (default $XDG_DATA_HOME/wharf, env WHARF_DATA_DIR)')
  .option('--region <region>', 'the AWS region this endpoint serves (default us-east-1, env WHARF_REGION)')
  .option('--account-id <id>', 'the 12-digit account id in ARNs (default 000000000000)')
  .option('--public-endpoint <url>', 'the URL clients use, if not http://host:port')
  .option('--config <file>', 'YAML config file (default $XDG_CONFIG_HOME/wharf/server.yaml)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']))
  .action(async (opts) => {
    const cfg = resolveServerConfig({
      port: opts.port, host: opts.host, dataDir: opts.dataDir, region: opts.region, accountId: opts.accountId,
      publicEndpoint: opts.publicEndpoint, config: opts.config, logLevel: opts.logLevel,
    });
    const server = await startServer(cfg);
    if (server.createdAdminKey) process.stderr.write(adminKeyBanner(server.createdAdminKey, server.endpoint, cfg.region, cfg.dataDir) + '\n');
    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) console.error(err);
      await server.close();
      if (signal) process.stderr.write(`wharf server stopped (${signal})\n`);
    });
  });

registerUpCommands(program);
registerDemoCommand(program);
registerClusterCommands(program);
registerTaskDefinitionCommands(program);
registerAgentCommand(program);
registerImageCommands(program);
registerLogsCommand(program);
registerTopCommand(program);
registerIamCommands(program);
registerFargateCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(e.exitCode);
  }
  throw e;
}
