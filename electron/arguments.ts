// The desktop app's own command-line arguments, where its data folder is, and the Linux
// autostart entry that passes them.
import path from 'node:path';

export interface DesktopArguments {
  /** --data DIR: another data folder than the app's own (Electron userData). */
  dataDir: string | null;
  /** --hidden: started at login; stay in the tray, do not open the window. */
  hidden: boolean;
}

/** Reads --data DIR / --data=DIR and --hidden among Electron's and Chromium's own arguments. */
export function parseDesktopArguments(argv: readonly string[]): DesktopArguments {
  let dataDir: string | null = null;
  let hidden = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--hidden') hidden = true;
    else if (arg === '--data' && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) dataDir = argv[++i]!;
    else if (arg.startsWith('--data=') && arg.length > 7) dataDir = arg.slice(7);
  }
  return { dataDir, hidden };
}

/** A file in the app's folder whose first line names another data folder (moving it without a command line). */
export const DATA_FOLDER_FILE = 'data-folder.txt';

/** The folder named by data-folder.txt's first line, if it is an absolute path. */
export function readDataFolderFile(text: string | null): string | null {
  const line = text?.split(/\r?\n/)[0]?.trim() ?? '';
  return line && path.isAbsolute(line) ? path.normalize(line) : null;
}

/** Where the engine keeps its data: --data, else $LANPOST_DATA, else data-folder.txt, else the app's own folder. */
export function chooseDataDir(args: DesktopArguments, env: Record<string, string | undefined>, userData: string, dataFolderFile: string | null = null): string {
  return args.dataDir ?? (env.LANPOST_DATA || readDataFolderFile(dataFolderFile) || userData);
}

/**
 * An Exec= argument as the Desktop Entry spec asks: reserved characters mean quotes, inside
 * which " ` $ \ take a backslash; a literal % is %%; then the string rule doubles every backslash.
 */
export function desktopExecArgument(arg: string): string {
  const quoted = /[\s"'\\`$<>~|&;*?#()]/.test(arg) ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
  return quoted.replace(/%/g, '%%').replace(/\\/g, '\\\\');
}

/** ~/.config/autostart/lanpost.desktop for "Launch at login" on Linux (Electron's login items are macOS/Windows only). */
export function linuxAutostartEntry(executable: string, args: string[] = ['--hidden']): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=LanPost',
    'Comment=LAN mail server in the tray',
    `Exec=${[executable, ...args].map(desktopExecArgument).join(' ')}`,
    'Icon=lanpost',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
