/**
 * The `wharf` command. `wharf server` runs the control plane; every other command is a client of the
 * public API (through the AWS SDK), exactly like the AWS CLI.
 */
import { Command, CommanderError, Option } from 'commander';
import closeWithGrace from 'close-with-grace';
import { resolveServerConfig } from '../server/config.js';
import { startServer, adminKeyBanner } from '../server/server.js';
import { registerClusterCommands } from './clusters.js';
import { registerTaskDefinitionCommands } from './task-definitions.js';
import { registerAgentCommand } from './agent.js';
import { EXIT, explainError } from './client.js';
import { registerDeployCommands } from './deploy.js';
import { registerServiceCommands } from './services.js';
import { registerTaskCommands } from './tasks.js';
import { registerEventsCommand } from './events.js';
import { registerScheduleCommands } from './schedules.js';
import { registerCompletionCommand } from './completion.js';
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
  .showHelpAfterError('(run `wharf --help` for usage)')
  // Usage errors throw (CommanderError) instead of exiting with 1, so they get the AWS CLI's code 252.
  .exitOverride();

program.command('server')
  .description('run the control plane (ECS API and friends) on one port')
  .option('-p, --port <port>', 'port to listen on (default 7755, env WHARF_PORT)', (v) => Number(v))
  .option('--host <host>', 'address to listen on (default 127.0.0.1, env WHARF_HOST)')
  .option('--data-dir <dir>', 'where state lives (default $XDG_DATA_HOME/wharf, env WHARF_DATA_DIR)')
  .option('--region <region>', 'the AWS region this endpoint serves (default us-east-1, env WHARF_REGION)')
  .option('--account-id <id>', 'the 12-digit account id in ARNs (default 000000000000)')
  .option('--public-endpoint <url>', 'the URL clients use, if not http://host:port')
  .option('--config <file>', 'YAML config file (default $XDG_CONFIG_HOME/wharf/server.yaml)')
  .option('--store <store>', 'state store: sqlite, or etcd://host:port[,host:port…] for several servers (default sqlite, env WHARF_STORE; docs/ha.md)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']))
  .action(async (opts) => {
    const cfg = resolveServerConfig({
      port: opts.port, host: opts.host, dataDir: opts.dataDir, region: opts.region, accountId: opts.accountId,
      publicEndpoint: opts.publicEndpoint, config: opts.config, logLevel: opts.logLevel, store: opts.store,
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
registerDeployCommands(program);
registerServiceCommands(program);
registerTaskCommands(program);
registerEventsCommand(program);
registerScheduleCommands(program);
registerCompletionCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Commander already printed its message (and the help hint).
    process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT.usage);
  }
  const err = explainError(e);
  // One line a script can grep and a person can act on: what failed → what to do next.
  const unexpected = err.exitCode === EXIT.other && !(e && (e as Error).constructor?.name === 'CliError') && !err.message.includes('→');
  process.stderr.write(`error: ${err.message.replace(/\s*\n\s*(→ )?/g, (_m, arrow: string | undefined) => (arrow ? ' → ' : '; '))}${unexpected ? ' (run again with --debug for the stack trace)' : ''}\n`);
  if (process.argv.includes('--debug')) process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(err.exitCode);
}
