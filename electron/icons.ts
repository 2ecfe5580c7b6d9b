// Which tray image to show: per state, and per platform and panel colour. The files are made by
// scripts/icons.ts from assets/lanpost.svg; Electron picks the @2x file on high-density screens.
import type { IconState } from './tray-model.js';

/** dark/light: the colour of the panel the icon sits on; template: a macOS template image (the OS colours it). */
export type TrayTheme = 'dark' | 'light' | 'template';

/**
 * @param darkColors Electron's nativeTheme.shouldUseDarkColors
 * Linux panels (GNOME, most others) are dark whatever the application theme says, so Linux
 * always gets the icon for dark panels.
 */
export function trayTheme(platform: NodeJS.Platform, darkColors: boolean): TrayTheme {
  if (platform === 'darwin') return 'template';
  if (platform === 'linux') return 'dark';
  return darkColors ? 'dark' : 'light';
}

/** The file name in assets/tray/. */
export function trayIconFile(icon: IconState, theme: TrayTheme): string {
  return theme === 'template' ? `tray-${icon}Template.png` : `tray-${icon}-${theme}.png`;
}

/** The window and app icon (Linux and Windows; macOS uses the bundle's .icns). */
export const WINDOW_ICON = 'icons/256x256.png';
