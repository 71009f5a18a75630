import { simpleParser, ParsedMail } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  parsed: ParsedMail;
  /** Whether the session had upgraded to TLS (STARTTLS) when the mail came in. */
  secure: boolean;
}

export interface SinkOptions {
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
  /** Offer STARTTLS (with smtp-server's built-in self-signed certificate); off by default. */
  startTls?: boolean;
}

export interface SinkBehaviour {
  /** Answer DATA of the n-th mail (1-based) with this SMTP error, e.g. 451 or 550; undefined accepts. */
  failDataWith?: (n: number) => number | undefined;
}

/** A real SMTP server on a loopback port that keeps what it receives, for tests to read. */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private attempts = 0;
  private waiters: (() => void)[] = [];
  private server!: SMTPServer;
  port = 0;

  constructor(
    private behaviour: SinkBehaviour = {},
    private readonly options: SinkOptions = {},
  ) {}

  setBehaviour(b: SinkBehaviour): void {
    this.behaviour = b;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: this.options.startTls ? [] : ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const n = ++this.attempts;
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const fail = this.behaviour.failDataWith?.(n);
          if (fail) {
            callback(Object.assign(new Error(`sink refuses mail #${n}`), { responseCode: fail }));
            return;
          }
          simpleParser(Buffer.concat(chunks)).then(
            (parsed) => {
              const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) =>
                a.value.map((v) => v.address ?? ''),
              );
              this.mails.push({
                to,
                from: parsed.from?.value[0]?.address ?? '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                messageId: parsed.messageId ?? '',
                parsed,
                secure: session.secure,
              });
              callback();
              const w = this.waiters;
              this.waiters = [];
              w.forEach((f) => f());
            },
            (e: Error) => callback(e),
          );
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, this.options.host ?? '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Mails to this address so far. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  /** Resolves once `predicate` holds for the received mails; fails after `timeoutMs`. */
  async waitFor(predicate: (mails: ReceivedMail[]) => boolean, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.mails)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for mail; received ${this.mails.length}: ${this.mails.map((m) => m.to.join(',')).join('; ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.mails;
  }

  async waitForMailTo(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail> {
    await this.waitFor(() => this.to(address).length >= count, timeoutMs);
    return this.to(address)[count - 1]!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
