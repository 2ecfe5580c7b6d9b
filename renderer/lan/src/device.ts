// Which way of setting up mail fits the device that opened the landing page, from its
// User-Agent (bowser reads the operating system). Pure.
import Bowser from 'bowser';

export const DEVICE_PATHS = ['thunderbird', 'outlook', 'apple', 'android', 'windows-mail'] as const;
export type DevicePath = (typeof DEVICE_PATHS)[number];

/**
 * iPhone, iPad and Mac: the profile; Android: the CA, then the settings; Windows: Outlook (Windows
 * Mail and Thunderbird a click away); anything else (Linux, ChromeOS): Thunderbird.
 */
export function detectDevice(userAgent: string): DevicePath {
  switch (Bowser.getParser(userAgent).getOSName(true)) {
    case 'ios':
    case 'ipados':
    case 'macos':
      return 'apple';
    case 'android':
      return 'android';
    case 'windows':
      return 'outlook';
    default:
      return 'thunderbird';
  }
}

export function isDevicePath(value: string | null): value is DevicePath {
  return (DEVICE_PATHS as readonly string[]).includes(value ?? '');
}
