// `lanpost export postfix|dovecot|bind DIR`: writes the classic configuration into DIR (made if
// missing; files of the same name are replaced) and says what to check and what to do next.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/usage-error.js';
import { DATABASE_FILE } from '../store/db.js';
import { bindFiles } from './bind.js';
import { dovecotFiles } from './dovecot.js';
import { withExportFacts, type ExportFacts, type ExportFile } from './facts.js';
import { postfixFiles } from './postfix.js';

const KINDS = {
  postfix: (facts: ExportFacts) => ({ files: postfixFiles(facts), notes: postfixNotes(facts) }),
  dovecot: (facts: ExportFacts) => ({ files: dovecotFiles(facts), notes: dovecotNotes(facts) }),
  bind: bindFiles,
} satisfies Record<string, (facts: ExportFacts) => { files: ExportFile[]; notes: string[] }>;

const CHECKS: Record<keyof typeof KINDS, (dir: string) => string> = {
  postfix: (dir) => `postconf -c ${dir} -n; postfix -c ${dir} check`,
  dovecot: (dir) => `doveconf -c ${dir}/dovecot.conf -n`,
  bind: (dir) => `named-checkconf ${dir}/named.conf.local; named-checkzone ZONE ${dir}/db.ZONE`,
};

export async function exportClassicCommand(dataDir: string, kind: string | undefined, args: string[]): Promise<number> {
  if (kind !== 'postfix' && kind !== 'dovecot' && kind !== 'bind') throw new UsageError('export takes postfix, dovecot, bind or zone');
  if (args.length !== 1) throw new UsageError(`export ${kind} takes DIR: the folder to write into`);
  if (!fs.existsSync(path.join(dataDir, DATABASE_FILE))) {
    process.stderr.write(`lanpost: ${dataDir} holds no LanPost data (no ${DATABASE_FILE})\n`);
    return 1;
  }
  const dir = path.resolve(args[0]!);
  fs.mkdirSync(dir, { recursive: true });
  return withExportFacts(dataDir, dir, (facts) => {
    const { files, notes } = KINDS[kind](facts);
    for (const file of files) {
      const target = path.join(dir, file.name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.content, { mode: file.mode ?? 0o644 });
      fs.chmodSync(target, file.mode ?? 0o644);
      if (file.mailOwned) chownUp(dir, target, facts);
      if (file.group) giveToGroup(target, file.group);
      process.stdout.write(`wrote ${target}\n`);
    }
    process.stdout.write(`check it with: ${CHECKS[kind](dir)}\n`);
    for (const note of notes) process.stdout.write(`note: ${note}\n`);
    return 0;
  });
}

/** The file and the folders between it and the export folder belong to the mail's owner. */
function chownUp(root: string, file: string, facts: ExportFacts): void {
  if (process.getuid?.() !== 0) return;
  for (let at = file; at !== root && at.startsWith(root); at = path.dirname(at)) fs.chownSync(at, facts.uid, facts.gid);
}

/** A secret the servers' own processes read (Dovecot's auth reads the passwd-file as user dovecot): root's, readable by that group. */
function giveToGroup(file: string, group: string): void {
  const line = fs.existsSync('/etc/group') ? fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${group}:`)) : undefined;
  if (!line || process.getuid?.() !== 0) return;
  fs.chownSync(file, 0, Number(line.split(':')[2]));
  fs.chmodSync(file, 0o640);
}

function ownerNotes(facts: ExportFacts, who: string): string[] {
  return facts.uid === 0 ? [`the data folder belongs to root: ${who} will not touch mail as root; chown -R it to a mail user (e.g. vmail) and export again`] : [];
}

function postfixNotes(facts: ExportFacts): string[] {
  return [
    ...ownerNotes(facts, 'Postfix'),
    'logins (SMTP AUTH) go through Dovecot: export dovecot as well',
    "copy main.cf and master.cf to /etc/postfix (or run postfix -c with this folder, listed in alternate_config_directories)",
  ];
}

function dovecotNotes(facts: ExportFacts): string[] {
  const missing = facts.accounts.filter((a) => !a.bcryptHash && !a.disabled).map((a) => a.address);
  return [
    ...ownerNotes(facts, 'Dovecot'),
    ...(missing.length
      ? [`no Dovecot-readable password yet for ${missing.join(', ')}: it is made at their next login to LanPost (or by lanpost user passwd); export again after that`]
      : []),
  ];
}
