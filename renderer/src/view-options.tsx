// How the classroom pages show what they show, kept for the next visit (localStorage): projector
// mode (large type, high contrast, for the inspector and the message path) and transcript lines
// raw or explained.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

interface ViewOptions {
  projector: boolean;
  setProjector(on: boolean): void;
  explained: boolean;
  setExplained(on: boolean): void;
}

const ViewOptionsContext = createContext<ViewOptions | null>(null);

function useStoredFlag(key: string, initial: boolean): [boolean, (on: boolean) => void] {
  const [value, setValue] = useState(() => {
    const saved = localStorage.getItem(key);
    return saved === null ? initial : saved === '1';
  });
  const set = useCallback(
    (on: boolean) => {
      localStorage.setItem(key, on ? '1' : '0');
      setValue(on);
    },
    [key],
  );
  return [value, set];
}

export function ViewOptionsProvider({ children }: { children: ReactNode }) {
  const [projector, setProjector] = useStoredFlag('lanpost.projector', false);
  const [explained, setExplained] = useStoredFlag('lanpost.explained', true);
  const value = useMemo(() => ({ projector, setProjector, explained, setExplained }), [projector, setProjector, explained, setExplained]);
  return <ViewOptionsContext.Provider value={value}>{children}</ViewOptionsContext.Provider>;
}

export function useViewOptions(): ViewOptions {
  const value = useContext(ViewOptionsContext);
  if (!value) throw new Error('useViewOptions outside ViewOptionsProvider');
  return value;
}
