/**
 * Periodic container stats for CloudWatch and Prometheus: every `intervalMs` the agent samples every
 * running container it manages (found by label, so the task actors need not know) and sends one `stats`
 * message. Fire-and-forget: a sample lost while disconnected is just a gap (the control plane turns
 * cumulative counters into rates between two samples, so a gap costs one interval, not wrong numbers).
 *
 * 10 s: ECS's agent samples every ~10–20 s; six samples a minute give a stable per-minute average, and
 * one stats call costs Podman ~a few ms per container.
 */
import { LABELS, type AgentMessage, type ContainerStatsReport } from '../../protocol/agent-messages.js';
import { HOST_ID_LABEL } from '../container-spec.js';
import { silentLogger, type AgentLogger } from '../clock.js';
import type { RuntimeDriver } from '../runtime/driver.js';

export interface StatsCollectorOptions {
  driver: Pick<RuntimeDriver, 'listContainers' | 'stats'>;
  hostId: string;
  send: (m: AgentMessage) => boolean;
  intervalMs?: number;
  log?: AgentLogger;
}

export class StatsCollector {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly o: StatsCollectorOptions) {}

  start(): void {
    const every = this.o.intervalMs ?? Number(process.env.WHARF_AGENT_STATS_MS ?? 10_000);
    this.timer = setInterval(() => void this.sample(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round: sample every running managed container and send the message. */
  async sample(): Promise<ContainerStatsReport[]> {
    if (this.busy) return [];
    this.busy = true;
    try {
      const list = await this.o.driver.listContainers({ [LABELS.managedBy]: 'true', [HOST_ID_LABEL]: this.o.hostId });
      const running = list.filter((c) => c.status === 'running' && c.labels[LABELS.taskArn]);
      const out = (await Promise.all(running.map(async (c): Promise<ContainerStatsReport | null> => {
        try {
          const s = await this.o.driver.stats(c.id);
          return {
            taskArn: c.labels[LABELS.taskArn], containerName: c.labels[LABELS.containerName] ?? c.name,
            cpuTotalNs: s.cpuTotalNs, systemCpuNs: s.systemCpuNs, onlineCpus: s.onlineCpus, memoryUsage: s.memoryUsageBytes, memoryLimit: s.memoryLimitBytes,
            rxBytes: s.netRxBytes, txBytes: s.netTxBytes, blockRead: s.blockReadBytes, blockWrite: s.blockWriteBytes,
          };
        } catch {
          return null; // exited between list and stats
        }
      }))).filter((x): x is ContainerStatsReport => x !== null);
      if (out.length) this.o.send({ type: 'stats', at: Date.now(), containers: out });
      return out;
    } catch (e) {
      (this.o.log ?? silentLogger).debug({ err: String(e) }, 'stats sampling failed');
      return [];
    } finally {
      this.busy = false;
    }
  }
}
