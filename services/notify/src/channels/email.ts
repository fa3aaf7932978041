/** Port: sends one plain-text email (nodemailer over SMTP in deps.ts). */
export interface Mailer {
  send(m: { to: string; subject: string; text: string }): Promise<void>;
}
