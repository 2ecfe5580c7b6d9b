// The shapes of the classic-configuration panel's answer, in a module of types only: the admin
// contract (and so the window) names them without loading the generators.
export type ClassicServer = 'postfix' | 'dovecot' | 'bind';

export interface ClassicFile {
  server: ClassicServer;
  /** Where the file goes on a Debian system, e.g. /etc/postfix/main.cf. */
  path: string;
  content: string;
}

export interface ClassicEquivalent {
  /** The settings key behind the window's field (its label is `setting.<key>` in the window). */
  setting: string;
  /** The value LanPost runs with now. */
  value: string;
  /** The lines that do the same job, each with the file it is in. */
  lines: Array<{ path: string; text: string }>;
}
