import { AddressInfo, Socket } from 'node:net';
import { SMTPServer, SMTPServerSession } from 'smtp-server';

/** What the sink does with one DATA: accept it (250), answer an SMTP error, or drop the connection mid-DATA. */
export type SmtpAction = 'accept' | 'drop' | { reply: number };

export interface DataAttempt {
  /** The envelope recipients of this DATA. */
  recipients: string[];
  /** 1-based count of DATA attempts for the first recipient, this one included. */
  attempt: number;
}

export type FaultPlan = (a: DataAttempt) => SmtpAction;

export interface AcceptedMail {
  /** The Message-ID header, angle brackets included ('' when the mail had none). */
  messageId: string;
  recipients: string[];
  /** The name the client gave in EHLO (nodemailer's `name` option), to tell senders apart. */
  client: string;
  at: number;
}

export interface SinkEvent {
  recipients: string[];
  attempt: number;
  /** What the sink did: 'accept', 'drop', an SMTP code, or 'client-gone' (the client hung up before the answer). */
  outcome: 'accept' | 'drop' | 'client-gone' | number;
}

export interface FaultSinkOptions {
  plan?: FaultPlan;
  /** Holds the answer to each DATA this long, so a batch is still in flight when a test strikes. */
  dataDelayMs?: number;
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;

/**
 * A real SMTP server on a loopback port whose answer to each DATA is decided per test: accept,
 * an SMTP error code, or a connection dropped in the middle of the message. It can stop (the
 * port then refuses connections) and start again on the same port. A mail counts as delivered
 * only once its 250 went out on a still-open connection, the point a real MTA takes it over.
 */
export class FaultSmtpSink {
  readonly accepted: AcceptedMail[] = [];
  readonly events: SinkEvent[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly sockets = new Map<number, Socket>();
  private readonly closedSessions = new Set<string>();
  private server: SMTPServer | null = null;
  private plan: FaultPlan;
  private readonly dataDelayMs: number;
  port = 0;

  constructor(options: FaultSinkOptions = {}) {
    this.plan = options.plan ?? (() => 'accept');
    this.dataDelayMs = options.dataDelayMs ?? 0;
  }

  setPlan(plan: FaultPlan): void {
    this.plan = plan;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Listens on `port` (0: any free one; or the port of an earlier start, to come back). */
  async start(port = this.port): Promise<this> {
    if (this.server) throw new Error('sink already running');
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 100,
      onClose: (session) => {
        this.closedSessions.add(session.id);
      },
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    });
    server.server.on('connection', (socket: Socket) => {
      const remotePort = socket.remotePort;
      if (remotePort === undefined) return;
      this.sockets.set(remotePort, socket);
      socket.once('close', () => this.sockets.delete(remotePort));
    });
    // a client hanging up in the middle of a command is an expected event here, not a failure
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and cuts every open connection: the port refuses connections from now on. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets.values()) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Delivered mails (250 sent) whose recipients include `address`. */
  deliveredTo(address: string): AcceptedMail[] {
    return this.accepted.filter((m) => m.recipients.includes(address));
  }

  /** Every DATA the sink saw for `address`, in order, with what it did. */
  eventsFor(address: string): SinkEvent[] {
    return this.events.filter((e) => e.recipients.includes(address));
  }

  /** How many times each Message-ID was delivered. */
  deliveriesById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.accepted) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
    return counts;
  }

  private onData(stream: NodeJS.ReadableStream, session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
    const key = recipients[0] ?? '';
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    let action: SmtpAction;
    try {
      action = this.plan({ recipients, attempt });
    } catch {
      action = { reply: 554 };
    }
    if (action === 'drop') {
      this.events.push({ recipients, attempt, outcome: 'drop' });
      // the first bytes of the message are in: cut the connection before the final dot's answer
      stream.once('data', () => this.sockets.get(session.remotePort)?.destroy());
      stream.resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const answer = () => {
        if (this.closedSessions.has(session.id)) {
          this.events.push({ recipients, attempt, outcome: 'client-gone' });
          callback();
          return;
        }
        if (action !== 'accept') {
          this.events.push({ recipients, attempt, outcome: action.reply });
          callback(Object.assign(new Error(`fault sink answers ${action.reply} (attempt ${attempt})`), { responseCode: action.reply }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
        this.events.push({ recipients, attempt, outcome: 'accept' });
        this.accepted.push({ messageId: MESSAGE_ID.exec(head)?.[1] ?? '', recipients, client: session.hostNameAppearsAs, at: Date.now() });
        callback();
      };
      if (this.dataDelayMs > 0) setTimeout(answer, this.dataDelayMs);
      else answer();
    });
  }
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const maxRounds = Math.ceil(timeoutMs / everyMs) + 1;
  for (let round = 0; round < maxRounds; round++) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
