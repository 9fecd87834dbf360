/**
 * An SMTP server a test starts on loopback (the `smtp-server` package), without TLS: records every mail it accepts,
 * refuses the recipients it is told to.
 */
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  /** The Subject header, unfolded. */
  subject: string;
  /** The body, quoted-printable decoded. */
  text: string;
  user: string | null;
}

export interface SmtpSink {
  port: number;
  mails: Mail[];
}

export interface SmtpOptions {
  user?: string;
  password?: string;
  /** Recipients refused at RCPT TO with the given reply code (e.g. 550: no such mailbox). */
  refuse?: Record<string, number>;
}

export async function startSmtp(t: TestContext, opts: SmtpOptions = {}): Promise<SmtpSink> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: opts.user === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(new Error('invalid credentials'));
    },
    onRcptTo(address, _session, cb) {
      const code = opts.refuse?.[address.address];
      if (code === undefined) return cb();
      cb(Object.assign(new Error(`${address.address}: mailbox unavailable`), { responseCode: code }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...body] = raw.split(/\r?\n\r?\n/);
        const headers = head.replace(/\r?\n[ \t]+/g, ' ');
        const quotedPrintable = /^Content-Transfer-Encoding: quoted-printable/im.test(headers);
        const text = body.join('\n\n');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: /^Subject: (.*)$/m.exec(headers)?.[1]?.trim() ?? '',
          text: quotedPrintable ? decodeQuotedPrintable(text) : text,
          user: typeof session.user === 'string' ? session.user : null,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
