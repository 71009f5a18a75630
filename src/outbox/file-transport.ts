import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE, privateDir } from '../common/private-files.js';

interface MailMessage {
  message: {
    build(cb: (err: Error | null, data: Buffer) => void): void;
    getEnvelope(): unknown;
    messageId(): string;
  };
}

/**
 * A nodemailer transport that writes each mail as an .eml file: the default when no SMTP_URL
 * is set, so a fresh `npm start` works with nothing else installed and mail can be read.
 */
export function fileTransport(dir: string) {
  // mails carry codes: readable by the service's user only (spec §7.8)
  privateDir(dir);
  return {
    name: 'eml-file',
    version: '1.0.0',
    send(mail: MailMessage, callback: (err: Error | null, info?: unknown) => void): void {
      mail.message.build((err, data) => {
        if (err) return callback(err);
        const messageId = mail.message.messageId();
        const name = messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9@._-]/g, '_');
        writeFile(join(dir, `${name}.eml`), data, { mode: PRIVATE_FILE }).then(
          () => callback(null, { envelope: mail.message.getEnvelope(), messageId }),
          (e: Error) => callback(e),
        );
      });
    },
  };
}
