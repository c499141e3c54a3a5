/**
 * Agent → control plane log shipping (the awslogs driver's transport), beside the agent WebSocket:
 *
 *   POST /agent/logs          Authorization: Bearer <join token>   body AgentLogBatch (JSON)
 *        200 {storedThrough}  the batch is durable (fsynced) — the agent may advance its checkpoint
 *        4xx {code, message}  e.g. ResourceNotFoundException when the group is missing and not to be created
 *   GET  /agent/logs/cursor?group=&stream=&source=   200 {seq}   (-1: nothing stored yet)
 *
 * Why HTTP and not the agent WebSocket: a request/response per batch is its own acknowledgement and its
 * own back-pressure (the shipper sends the next batch when the last one is durable), and megabyte log
 * batches never sit in front of the control messages (desired tasks, acks) on the WebSocket.
 *
 * Exactly once: every line has a number within its source (the runtime container id), counted from the
 * container's first line; the server stores per (stream, source) the number of the last line it stored and
 * skips lines at or below it in the same transaction, so a batch re-sent after a lost answer, an agent
 * restart or a reconnect is stored once.
 */
export interface AgentLogBatch {
  group: string;
  /** The task definition's `awslogs-region`: the region whose CloudWatch Logs gets the events (else the agent's). */
  region?: string;
  stream: string;
  createGroup: boolean;
  /** Runtime container id. */
  source: string;
  /** Number of the last line this batch covers (an event may span lines; it is numbered by its first). */
  lastSeq: number;
  events: { timestamp: number; message: string; seq: number }[];
}

export interface AgentLogReply {
  storedThrough: number;
}
