import nodemailer from 'nodemailer';
import type { Mailer } from '../domain/ports.js';

export interface SmtpSettings {
  SMTP_HOST: string;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_USER?: string;
  SMTP_PASSWORD?: string;
  SMTP_FROM: string;
}

/** The Mailer port over SMTP (nodemailer); `close` ends its pooled connections. */
export function smtpMailer(c: SmtpSettings): Mailer & { close(): void } {
  const transport = nodemailer.createTransport({
    host: c.SMTP_HOST,
    port: c.SMTP_PORT,
    secure: c.SMTP_SECURE,
    ...(c.SMTP_USER && c.SMTP_PASSWORD ? { auth: { user: c.SMTP_USER, pass: c.SMTP_PASSWORD } } : {}),
    connectionTimeout: 5000,
    socketTimeout: 10_000,
  });
  return {
    send: async (m) => {
      await transport.sendMail({ from: c.SMTP_FROM, to: m.to, subject: m.subject, text: m.text });
    },
    close: () => transport.close(),
  };
}
