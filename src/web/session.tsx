import { createContext, useContext } from 'react';
import type { Me } from '../shared/contract/accounts.ts';

export interface Session {
  me: Me;
  /** Reload the signed-in user (after a password change). */
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in user; only used inside the app shell, which renders only with a session. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the app shell');
  return s;
}

export const useMe = () => useSession().me;
