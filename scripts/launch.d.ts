// Types of scripts/launch.js for the TypeScript tests.
export const BUILD_OUTPUTS: string[];
export function electronUnavailableReason(facts: { platform: string; env: Record<string, string | undefined>; electronPath: string | null }): string | null;
export function missingBuildReason(exists: (relativePath: string) => boolean): string | null;
export function electronFailedReason(code: number | null, spawnError: string | null): string | null;
export function desktopEnv(env: Record<string, string | undefined>, nodePath: string): Record<string, string | undefined>;
export function findElectronBinary(): string | null;
