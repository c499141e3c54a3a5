/**
 * Progress for long CLI operations, on stderr: a spinner per step with a live detail line on a terminal;
 * otherwise (CI, pipes) only a "…" line when a step starts and ✔/✖ with its duration when it ends — the
 * live details (counts that change every second) are not printed, so logs stay short.
 */
export class Steps {
  private readonly tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  private readonly color = this.tty && !process.env.NO_COLOR;

  async run<T>(title: string, fn: (update: (detail: string) => void) => Promise<T>): Promise<T> {
    const started = Date.now();
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let detail = '';
    let i = 0;
    // One terminal line, redrawn in place: cut to the terminal's width, or the redraw would scroll.
    const draw = () => {
      const line = `${frames[i++ % frames.length]} ${title}${detail ? ` — ${detail}` : ''}`;
      const width = process.stderr.columns || 120;
      process.stderr.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
    };
    let timer: NodeJS.Timeout | undefined;
    if (this.tty) { draw(); timer = setInterval(draw, 80); } else process.stderr.write(`… ${title}\n`);
    const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    try {
      const r = await fn((d) => { detail = d; });
      if (timer) clearInterval(timer);
      process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}${this.color ? '\x1b[32m✔\x1b[0m' : '✔'} ${title} (${secs()})\n`);
      return r;
    } catch (e) {
      if (timer) clearInterval(timer);
      process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}${this.color ? '\x1b[31m✖\x1b[0m' : '✖'} ${title} (${secs()})\n`);
      throw e;
    }
  }
}
