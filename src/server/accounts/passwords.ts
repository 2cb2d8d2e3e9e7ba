/** The password rules (OWASP ASVS 5.0 V6.2): length, not the user name, not a common password, not the current one.
 *  No composition rules (ASVS 6.2.5): a long phrase of any characters is better than `Aa1!` tricks. */
import fs from 'node:fs';
import { accountErrors } from './errors.ts';

export const MIN_PASSWORD_LENGTH = 8;

let common: Set<string> | undefined;

/** The 17,950 most common passwords of 8+ characters (common-passwords.txt: its source and licence are in its head). */
export function commonPasswords(): Set<string> {
  common ??= new Set(
    fs.readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

/** Refuses a new password that breaks a rule, saying which and what to do. `isCurrent` tells whether it is the one in use. */
export async function checkNewPassword(password: string, username: string, isCurrent?: (p: string) => Promise<boolean>): Promise<void> {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw accountErrors.passwordTooShort(MIN_PASSWORD_LENGTH);
  const lower = password.toLowerCase();
  const name = username.trim().toLowerCase();
  if (name && lower.includes(name)) throw accountErrors.passwordHasUsername();
  if (commonPasswords().has(lower)) throw accountErrors.passwordTooCommon();
  if (isCurrent && (await isCurrent(password))) throw accountErrors.passwordUnchanged();
}
