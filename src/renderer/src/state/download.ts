import { create } from 'zustand';

interface DownloadStatus {
  busy: boolean;
  error: string | null;
}

// Shared by the table's and the drill-down's "Download contacts" so one error line serves both.
const useStatus = create<{ status: DownloadStatus; set: (s: DownloadStatus) => void }>()((set) => ({
  status: { busy: false, error: null },
  set: (status) => set({ status }),
}));

export function useDownloadStatus(): [DownloadStatus, (s: DownloadStatus) => void] {
  const status = useStatus((s) => s.status);
  const set = useStatus((s) => s.set);
  return [status, set];
}
