import type { Command } from 'commander';

/** Task definition commands (register from JSON/YAML, list, describe, deregister). */
export function registerTaskDefinitionCommands(program: Command): void {
  program.command('task-definitions').alias('taskdef').description('register, list, describe and deregister task definitions');
}
