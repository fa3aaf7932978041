// Development mail sink for the local stack (like MailHog): accepts SMTP on 127.0.0.1:1025 and
// writes every message to .local/mail/<time>-<n>.eml. Production points SMTP_HOST at a real relay.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const dir = process.argv[2] ?? join(import.meta.dirname, '../.local/mail');
const port = Number(process.env.SMTP_PORT ?? 1025);
mkdirSync(dir, { recursive: true });
let n = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, _session, done) {
    const file = join(dir, `${Date.now()}-${n++}.eml`);
    stream
      .pipe(createWriteStream(file))
      .on('finish', () => done())
      .on('error', done);
  },
});
server.listen(port, '127.0.0.1');
for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => server.close(() => process.exit(0)));
